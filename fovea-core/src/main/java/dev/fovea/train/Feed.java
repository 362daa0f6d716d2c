package dev.fovea.train;

/**
 * The batches of one pass over a dataset, in order. Training feeds are shuffled and augmented per
 * epoch from a seed; evaluation feeds are neither. Closing releases any background thread.
 */
public interface Feed extends AutoCloseable {
    /** Number of batches in this pass. */
    int steps();

    /** The next batch, or null when the pass is over. */
    Batch next();

    @Override
    void close();

    /** Opens feeds over one dataset. */
    interface Source {
        /** Number of samples. */
        int size();

        /** A shuffled, augmented pass for epoch {@code epoch} (0-based): the same epoch gives the same batches. */
        Feed training(int epoch, int batchSize);

        /** An in-order, unaugmented pass. */
        Feed inOrder(int batchSize);
    }
}
