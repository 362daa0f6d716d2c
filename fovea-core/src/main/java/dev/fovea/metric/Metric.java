package dev.fovea.metric;

import dev.fovea.tensor.Tensor;

/**
 * A metric accumulated over batches. Lifecycle: {@link #reset()} (or a new instance) →
 * {@link #update} once per batch → {@link #result()} at any time, which does not reset.
 * Counts are exact integers, so the result does not depend on how samples were batched.
 */
public interface Metric {
    /** Keras's display name, used as the history column: {@code accuracy}. */
    String name();

    /**
     * @param predictions read, (N, K): logits or probabilities (any monotone score)
     * @param labels      read, (N): class indices
     */
    void update(Tensor predictions, int[] labels);

    /** The metric over every sample since the last reset; 0 before any update, as Keras. */
    double result();

    void reset();

    /**
     * The accumulated state (for example correct and total counts), so a checkpoint taken in the
     * middle of an epoch can continue the epoch's figure exactly. Integer counts below 2^53 are
     * exact as doubles.
     */
    double[] state();

    /** Restores a {@link #state()} of the same metric: {@code result()} then continues from it. */
    void restore(double[] state);
}
