package dev.fovea.optim;

import java.util.List;
import java.util.Map;

/**
 * Applies one update per training step to parameter groups, from the gradients the backward
 * pass accumulated.
 *
 * <p>Lifecycle: construct with configuration (Keras defaults) → {@link #step} once per batch
 * after backward, always with the same groups in the same order (slot buffers are allocated at
 * the first step and bound to parameter positions) → {@link #state()}/{@link #iterations()}
 * saved into a checkpoint → on resume, a new optimizer of the same configuration
 * {@link #load}s them before its first step and continues bit-identically.
 *
 * <p>State keys are {@code "<slot>/<index>"}, where index is the parameter's position in the
 * concatenation of the groups' parameter lists (non-trainable parameters count but have no
 * entries) and slot is {@code momentum} (SGD with momentum) or {@code m}, {@code v} (Adam).
 * The per-step work allocates nothing.
 */
public interface Optimizer {
    /** Keras's name: {@code sgd}, {@code adam}, {@code adamw}. */
    String name();

    /**
     * One update of every trainable, unfrozen parameter in {@code groups} (frozen ones are left
     * bit-identical, weight decay included); increments {@link #iterations()}.
     */
    void step(List<ParamGroup> groups);

    /** The base learning rate the next step will use: the schedule at {@link #iterations()}. */
    double learningRate();

    /** Number of steps applied so far (Keras's {@code optimizer.iterations}). */
    long iterations();

    /** Copies of the slot buffers, keyed as described above; empty before the first step and for stateless optimizers. */
    Map<String, float[]> state();

    /**
     * Restores slot buffers and the step count saved by {@link #state()} and {@link #iterations()}.
     * Keys and sizes are checked against the groups at the next {@link #step}.
     *
     * @throws dev.fovea.FoveaException when the state does not fit the parameters
     */
    void load(Map<String, float[]> state, long iterations);
}
