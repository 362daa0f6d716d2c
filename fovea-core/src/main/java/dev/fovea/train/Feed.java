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

        /**
         * A training pass for epoch {@code epoch} (0-based), augmented and, when {@code shuffle},
         * shuffled: the same epoch gives the same batches.
         */
        Feed training(int epoch, int batchSize, boolean shuffle);

        /**
         * The training pass without the last partial batch when {@code dropLast}: ⌊size/batchSize⌋
         * full batches. Sources that cannot drop it keep this default, which refuses.
         */
        default Feed training(int epoch, int batchSize, boolean shuffle, boolean dropLast) {
            if (dropLast) {
                throw new dev.fovea.FoveaException(getClass().getSimpleName() + " cannot drop the last partial"
                        + " batch; train without dropLast, or feed a DataFeed");
            }
            return training(epoch, batchSize, shuffle);
        }

        /**
         * Splits off a seeded {@code fraction} of the samples for validation (Keras's
         * {@code validation_split}); returns {training, validation}. Sources that cannot split
         * say so.
         */
        default Source[] splitValidation(double fraction, long seed) {
            throw new UnsupportedOperationException(getClass().getSimpleName()
                    + " cannot split off validation data; pass validation data instead");
        }

        /** An in-order, unaugmented pass. */
        Feed inOrder(int batchSize);

        /**
         * What a model file's provenance should say about this data (seed, image count,
         * augmentation, the SHA-256 of what it trains on); null when the source cannot tell.
         */
        default Provenance.TrainingData describe() {
            return null;
        }
    }
}
