package dev.fovea.train;

import dev.fovea.data.Augmentation;
import dev.fovea.data.Batches;
import dev.fovea.data.Dataset;
import dev.fovea.data.Normalization;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Feeds a uint8 {@link Dataset} to the trainer through {@link Batches}: conversion,
 * normalization and augmentation run on the batches' background thread. Training passes are
 * shuffled and augmented from (seed, epoch); in-order passes are neither.
 */
public final class DataFeed implements Feed.Source {
    private final Dataset data;
    private final Augmentation augmentation;
    private final Normalization normalization;
    private final long seed;
    private Batches training;
    private boolean trainingShuffled;
    private boolean trainingDropsLast;
    private Batches ordered;
    private String sha256;

    public DataFeed(Dataset data, Augmentation augmentation, Normalization normalization, long seed) {
        this.data = data;
        this.augmentation = augmentation;
        this.normalization = normalization;
        this.seed = seed;
    }

    /** Unaugmented, in order: for evaluation and prediction. */
    public static DataFeed plain(Dataset data, Normalization normalization) {
        return new DataFeed(data, Augmentation.none(), normalization, 0);
    }

    public Dataset dataset() {
        return data;
    }

    @Override
    public int size() {
        return data.size();
    }

    @Override
    public Feed training(int epoch, int batchSize, boolean shuffle) {
        return training(epoch, batchSize, shuffle, false);
    }

    @Override
    public Feed training(int epoch, int batchSize, boolean shuffle, boolean dropLast) {
        int steps = dropLast ? data.size() / batchSize : (data.size() + batchSize - 1) / batchSize;
        if (training == null || training.batchesPerEpoch() != steps || trainingShuffled != shuffle
                || trainingDropsLast != dropLast) {
            training = new Batches(data, new Batches.Config(batchSize, shuffle, dropLast, 4), augmentation,
                    normalization, seed);
            trainingShuffled = shuffle;
            trainingDropsLast = dropLast;
        }
        return wrap(training, training.epoch(epoch));
    }

    /** {training, validation}: a seeded split of the dataset; validation is unaugmented. */
    @Override
    public Feed.Source[] splitValidation(double fraction, long splitSeed) {
        var parts = data.splitValidation(fraction, splitSeed);
        return new Feed.Source[]{new DataFeed(parts.train(), augmentation, normalization, seed),
                plain(parts.test(), normalization)};
    }

    @Override
    public Feed inOrder(int batchSize) {
        if (ordered == null || ordered.batchesPerEpoch() != (data.size() + batchSize - 1) / batchSize) {
            ordered = new Batches(data, new Batches.Config(batchSize, false, false, 2), Augmentation.none(),
                    normalization, seed);
        }
        return wrap(ordered, ordered.epoch(0));
    }

    /** Seed, image count, augmentation and the data's {@link Dataset#sha256()} (computed once). */
    @Override
    public Provenance.TrainingData describe() {
        if (sha256 == null) {
            sha256 = data.sha256();
        }
        return new Provenance.TrainingData(seed, data.size(), augmentation.isNone() ? Map.of() : describe(augmentation),
                sha256);
    }

    /** Keras's names for the settings (ImageDataGenerator's, then the crop and cutout extras). */
    private static Map<String, Object> describe(Augmentation a) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("width_shift_range", a.widthShift());
        m.put("height_shift_range", a.heightShift());
        m.put("horizontal_flip", a.horizontalFlip());
        m.put("fill_mode", a.fillMode().name().toLowerCase(java.util.Locale.ROOT));
        m.put("fill_value", a.fillValue());
        m.put("pad_crop", a.padCrop());
        m.put("pad_mode", a.padMode().name().toLowerCase(java.util.Locale.ROOT));
        m.put("cutout", a.cutout());
        m.put("alternating_flip", a.alternatingFlip());
        return m;
    }

    private static Feed wrap(Batches batches, Batches.Epoch epoch) {
        return new Feed() {
            @Override
            public int steps() {
                return batches.batchesPerEpoch();
            }

            @Override
            public Batch next() {
                Batches.Batch b = epoch.next();
                return b == null ? null : new Batch(b.x(), b.labels());
            }

            @Override
            public void close() {
                epoch.close();
            }
        };
    }
}
