package dev.fovea.cli;

import dev.fovea.data.Augmentation;
import dev.fovea.data.DataSources;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The effective options of {@code fovea train}: the command line, else the resumed run's
 * {@code run.json}, else the preset's recipe ({@link Recipes}), else the plain defaults. {@link #toMap()} is what {@code run.json} records (paths
 * absolute); {@code validation} is null when neither says, and the command then picks the test
 * split or a seeded 10% once it sees the data.
 */
final class Settings {
    final String model;
    final String data;
    final double epochs;
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
    final String lrSchedule;
    final double warmup;
    final double lrStartFactor;
    final double lrEndFactor;
    final String weightDecayMode;
    final List<String> lrMultipliers;
    final String lossReduction;
    final boolean dropLast;
    final int lookahead;
    final String whiten;
    final boolean dirac;
    final List<String> freeze;
    final List<String> freezeAfter;
    final String tta;

    Settings(TrainCommand cmd, Map<String, Object> saved) {
        model = pick(cmd.model, saved, "model", "tutorial-cnn");
        // The recipe's defaults sit under the run's own: a resumed run recorded every value.
        Map<String, Object> recipe = Recipes.defaults(model);
        Map<String, Object> merged = new LinkedHashMap<>(recipe);
        merged.putAll(saved);
        saved = merged;
        data = pick(cmd.data, saved, "data", DataSources.CIFAR10);
        epochs = ((Number) pick(cmd.epochs, saved, "epochs", 50)).doubleValue();
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
        RecipeOptions r = cmd.recipe;
        lrSchedule = pick(r.lrSchedule, saved, "lr_schedule", "constant").toLowerCase(Locale.ROOT);
        warmup = ((Number) pick(r.warmup, saved, "warmup", 0.23)).doubleValue();
        lrStartFactor = ((Number) pick(r.lrStartFactor, saved, "lr_start_factor", 0.2)).doubleValue();
        lrEndFactor = ((Number) pick(r.lrEndFactor, saved, "lr_end_factor", 0.07)).doubleValue();
        weightDecayMode = pick(r.weightDecayMode, saved, "weight_decay_mode", "decoupled").toLowerCase(Locale.ROOT);
        lrMultipliers = strings(pick(r.lrMultipliers, saved, "lr_multipliers", List.of()));
        lossReduction = pick(r.lossReduction, saved, "loss_reduction", "mean").toLowerCase(Locale.ROOT);
        dropLast = pick(r.dropLast, saved, "drop_last", false);
        lookahead = ((Number) pick(r.lookahead, saved, "lookahead", 0)).intValue();
        whiten = pick(r.whiten, saved, "whiten", null);
        dirac = pick(r.dirac, saved, "dirac", false);
        freeze = strings(pick(r.freeze, saved, "freeze", List.of()));
        freezeAfter = strings(pick(r.freezeAfter, saved, "freeze_after", List.of()));
        tta = pick(r.tta, saved, "tta", "none").toLowerCase(Locale.ROOT);
        augmentationArgs = augmentationArgs(cmd, saved);
        augmentation = augmentationFrom(cmd.augmentation, augmentationArgs);
    }

    Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        // Absolute, so that --resume works from any folder.
        m.put("model", RunRecord.absolute(model));
        m.put("data", RunRecord.absolute(data));
        m.put("epochs", epochs == Math.rint(epochs) ? (Object) (int) epochs : (Object) epochs);
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
        m.put("lr_schedule", lrSchedule);
        m.put("warmup", warmup);
        m.put("lr_start_factor", lrStartFactor);
        m.put("lr_end_factor", lrEndFactor);
        m.put("weight_decay_mode", weightDecayMode);
        m.put("lr_multipliers", lrMultipliers);
        m.put("loss_reduction", lossReduction);
        m.put("drop_last", dropLast);
        m.put("lookahead", lookahead);
        m.put("whiten", whiten);
        m.put("dirac", dirac);
        m.put("freeze", freeze);
        m.put("freeze_after", freezeAfter);
        m.put("tta", tta);
        m.put("augmentation", augmentationArgs);
        return m;
    }

    private static List<String> strings(Object o) {
        List<String> out = new ArrayList<>();
        for (Object v : (List<?>) o) {
            out.add(String.valueOf(v));
        }
        return List.copyOf(out);
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
                {"--pad-crop", "pad_crop"}, {"--pad-mode", "pad_mode"}, {"--cutout", "cutout"},
                {"--alternating-flip", "alternating_flip"}};
        Object[] now = {augmentation.widthShift, augmentation.heightShift, augmentation.horizontalFlip,
                augmentation.fillMode, augmentation.fillValue, augmentation.padCrop, augmentation.padMode,
                augmentation.cutout, augmentation.alternatingFlip};
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
        augmentation.alternatingFlip = Boolean.TRUE.equals(a.get("alternating_flip"));
        return augmentation.toAugmentation();
    }
}
