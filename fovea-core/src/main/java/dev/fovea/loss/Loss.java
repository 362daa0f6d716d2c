package dev.fovea.loss;

import dev.fovea.tensor.Tensor;

/**
 * A classification loss over a batch: predictions {@code (N, K)} and integer labels {@code (N)}
 * give the mean loss over the batch and, optionally, its gradient wrt the predictions.
 * Implementations may keep scratch buffers between calls, so one instance serves one training
 * loop at a time. Not a metric: the trainer averages the returned batch losses itself.
 */
public interface Loss {
    /** Keras's name for the loss, as shown in logs and history: {@code sparse_categorical_crossentropy}. */
    String name();

    /**
     * @param predictions read, (N, K)
     * @param labels      read, (N): class indices in {@code [0, K)}
     * @param grad        written, (N, K): d(loss)/d(predictions) of the loss's reduction
     *                    (the batch mean unless the loss was built with {@link Reduction#SUM});
     *                    null to skip the gradient
     * @return the mean loss over the N samples, whatever the reduction: the trainer logs and
     *         averages this per-sample figure
     * @throws dev.fovea.FoveaException when shapes disagree or a label is out of range
     */
    float compute(Tensor predictions, int[] labels, Tensor grad);
}
