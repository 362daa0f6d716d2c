package dev.fovea.nn;

/**
 * The cross-replica reduction a {@link BatchNormalization} layer uses in training mode to
 * synchronize its statistics over data-parallel replicas (synchronized batch-norm, PyTorch's
 * {@code SyncBatchNorm}): each replica holds a slice of the global batch and a copy of the
 * model, and every batch-norm layer sums its per-channel batch sums over all replicas before
 * using them, so each replica normalizes with the mean and variance of the global batch.
 *
 * <p>Lifecycle, per training step and per layer with a reducer: the forward pass calls
 * {@link #sum} twice (the channel sums with the row count, then the channel sums of squares
 * about the global mean), the backward pass once (Σdy and Σdy·x̂ per channel). Every replica
 * must therefore run the same model through the same steps, so that the calls line up.
 *
 * <p>Gradient convention: replica k's loss is the term it contributes to the global objective
 * divided by {@link #gradientWeight()} w_k, and its parameter gradients are combined as
 * Σ_k w_k·g_k (data-parallel training with a mean loss over slices of n_k of N rows has
 * w_k = n_k/N; with a summed loss, w_k = 1). The layer scales the gradient sums it contributes
 * by w_k, so the reduced sums are those of the global objective, and returns its parameter
 * gradients (dγ, dβ) from its own rows only, leaving their sum to the trainer's all-reduce.
 */
public interface CrossReplicaSum {
    /**
     * Replaces every element of {@code values} by its sum over all replicas' arrays of the same
     * length. The sum must be the same, bit for bit, on every replica, or the replicas drift apart.
     *
     * @param values read and written
     */
    void sum(double[] values);

    /** w_k, this replica's weight in the global gradient for the current step (see the class comment). */
    double gradientWeight();
}
