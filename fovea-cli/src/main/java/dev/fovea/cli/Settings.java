package dev.fovea.cli;

import dev.fovea.data.Augmentation;
import dev.fovea.data.DataSources;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Locale;

/**
 * The effective options of {@code fovea train}: the command line, else the resumed run's
 * {@code run.json}, else the defaults. {@link #toMap()} is what {@code run.json} records (paths
 * absolute); {@code validation} is null when neither says, and the command then picks the test
 * split or a seeded 10% once it sees the data.
 */
final class Settings {
    final String model;
    final String data;
    final int epochs;
    final int batchSize;
    final String optimizer;
    final Double lr;
    final Double momentum;
    final boolean nesterov;
    final Double weightDecay;
    final double labelSmoothing;
    final Augmentation augmentation;
    final Map<String, Object> augmentationArgs;
    final String validation;
    final boolean normalize;
    final int limit;
    final long seed;
    final int verbose;

    Settings(TrainCommand cmd, Map<String, Object> saved) {
        model = pick(cmd.model, saved, "model", "tutorial-cnn");
        data = pick(cmd.data, saved, "data", DataSources.CIFAR10);
        epochs = ((Number) pick(cmd.epochs, saved, "epochs", 50)).intValue();
        batchSize = ((Number) pick(cmd.batchSize, saved, "batch_size", 32)).intValue();
        optimizer = pick(cmd.optimizer, saved, "optimizer", "adam").toLowerCase(Locale.ROOT);
        lr = num(pick(cmd.lr, saved, "lr", null));
        momentum = num(pick(cmd.momentum, saved, "momentum", null));
        nesterov = pick(cmd.nesterov, saved, "nesterov", false);
        weightDecay = num(pick(cmd.weightDecay, saved, "weight_decay", null));
        labelSmoothing = ((Number) pick(cmd.labelSmoothing, saved, "label_smoothing", 0.0)).doubleValue();
        String v = pick(cmd.validation, saved, "validation", null);
        // null: the test split when the data has one, else a seeded 10% (decided once loaded).
        validation = v == null ? null : v.toLowerCase(Locale.ROOT);
        normalize = pick(cmd.normalize, saved, "normalize", false);
        limit = ((Number) pick(cmd.limit, saved, "limit", 0)).intValue();
        seed = ((Number) pick(cmd.seed, saved, "seed", 0L)).longValue();
        verbose = ((Number) pick(cmd.verbose, saved, "verbose", 1)).intValue();
        augmentationArgs = augmentationArgs(cmd, saved);
        augmentation = augmentationFrom(cmd.augmentation, augmentationArgs);
    }

    Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        // Absolute, so that --resume works from any folder.
        m.put("model", RunRecord.absolute(model));
        m.put("data", RunRecord.absolute(data));
        m.put("epochs", epochs);
        m.put("batch_size", batchSize);
        m.put("optimizer", optimizer);
        m.put("lr", lr);
        m.put("momentum", momentum);
        m.put("nesterov", nesterov);
        m.put("weight_decay", weightDecay);
        m.put("label_smoothing", labelSmoothing);
        m.put("validation", validation);
        m.put("normalize", normalize);
        m.put("limit", limit);
        m.put("seed", seed);
        m.put("verbose", verbose);
        m.put("augmentation", augmentationArgs);
        return m;
    }


    private static Double num(Object o) {
        return o == null ? null : ((Number) o).doubleValue();
    }

    @SuppressWarnings("unchecked")
    private static <T> T pick(T given, Map<String, Object> saved, String key, T dflt) {
        if (given != null) {
            return given;
        }
        Object v = saved.get(key);
        return v != null ? (T) v : dflt;
    }

    /** Augmentation flags given now win; otherwise the resumed run's. */
    @SuppressWarnings("unchecked")
    private static Map<String, Object> augmentationArgs(TrainCommand cmd, Map<String, Object> saved) {
        Map<String, Object> old = (Map<String, Object>) saved.getOrDefault("augmentation", Map.of());
        Map<String, Object> m = new LinkedHashMap<>();
        var pr = cmd.spec.commandLine().getParseResult();
        AugmentationOptions augmentation = cmd.augmentation;
        String[][] keys = {{"--width-shift", "width_shift"}, {"--height-shift", "height_shift"},
                {"--horizontal-flip", "horizontal_flip"}, {"--fill-mode", "fill_mode"}, {"--fill-value", "fill_value"},
                {"--pad-crop", "pad_crop"}, {"--pad-mode", "pad_mode"}, {"--cutout", "cutout"}};
        Object[] now = {augmentation.widthShift, augmentation.heightShift, augmentation.horizontalFlip,
                augmentation.fillMode, augmentation.fillValue, augmentation.padCrop, augmentation.padMode,
                augmentation.cutout};
        for (int i = 0; i < keys.length; i++) {
            m.put(keys[i][1], pr.hasMatchedOption(keys[i][0]) || !old.containsKey(keys[i][1]) ? now[i] : old.get(keys[i][1]));
        }
        return m;
    }

    private static Augmentation augmentationFrom(AugmentationOptions augmentation, Map<String, Object> a) {
        augmentation.widthShift = ((Number) a.get("width_shift")).floatValue();
        augmentation.heightShift = ((Number) a.get("height_shift")).floatValue();
        augmentation.horizontalFlip = (Boolean) a.get("horizontal_flip");
        augmentation.fillMode = (String) a.get("fill_mode");
        augmentation.fillValue = ((Number) a.get("fill_value")).intValue();
        augmentation.padCrop = ((Number) a.get("pad_crop")).intValue();
        augmentation.padMode = (String) a.get("pad_mode");
        augmentation.cutout = ((Number) a.get("cutout")).intValue();
        return augmentation.toAugmentation();
    }
}
