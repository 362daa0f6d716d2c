package dev.fovea.loss;

/**
 * How a loss combines its per-sample values into the objective the gradient is taken of:
 * Keras's {@code reduction} ({@code "sum_over_batch_size"}, {@code "sum"}), PyTorch's
 * ({@code 'mean'}, {@code 'sum'}). With {@link #SUM} the gradient is the batch size times that of
 * {@link #MEAN}, so the optimizer's step grows with the batch (airbench's parametrization).
 */
public enum Reduction {
    /** The mean over the batch (the default of Keras and PyTorch). */
    MEAN,
    /** The sum over the batch. */
    SUM
}
