package dev.fovea.run;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The training recipe each preset brings as its defaults, in {@code run.json}'s keys: options
 * given on the command line (or recorded by a resumed run) win over these. The tutorial CNN's
 * recipe is the plain defaults (Keras's). {@code fast} is airbench94 as ../shared/RECIPES.md
 * states it, {@code fast-small} the same at widths 64/128/128 for 11 epochs.
 */
public final class Recipes {
    private Recipes() {
    }

    /** airbench94's rates: lr 11.5 and decay 0.0153·1024 over 1024·(1 + 1/(1 − 0.85)) "kilosteps". */
    public static final double MOMENTUM = 0.85;
    public static final double KILOSTEP_SCALE = 1024 * (1 + 1 / (1 - MOMENTUM));
    public static final double LR = 11.5 / KILOSTEP_SCALE;
    public static final double WEIGHT_DECAY = 0.0153 * 1024 / KILOSTEP_SCALE;

    /** The preset's defaults, empty for models without a recipe of their own. */
    public static Map<String, Object> defaults(String model) {
        return switch (model) {
            case "fast" -> airbench(9.9);
            case "fast-small" -> airbench(11);
            default -> Map.of();
        };
    }

    private static Map<String, Object> airbench(double epochs) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("epochs", epochs);
        m.put("batch_size", 1024);
        m.put("optimizer", "sgd");
        m.put("lr", LR);
        m.put("momentum", MOMENTUM);
        m.put("nesterov", true);
        m.put("weight_decay", WEIGHT_DECAY);
        m.put("weight_decay_mode", "absolute");
        m.put("lr_schedule", "warmup-linear");
        m.put("warmup", 0.23);
        m.put("lr_start_factor", 0.2);
        m.put("lr_end_factor", 0.07);
        m.put("lr_multipliers", List.of("*/beta=64"));
        m.put("label_smoothing", 0.2);
        m.put("loss_reduction", "sum");
        m.put("drop_last", true);
        m.put("normalize", true);
        m.put("lookahead", 5);
        m.put("whiten", "whiten");
        m.put("dirac", true);
        m.put("freeze", List.of("whiten/kernel"));
        m.put("freeze_after", List.of("whiten/bias=3"));
        m.put("tta", "6view");
        Map<String, Object> aug = new LinkedHashMap<>();
        aug.put("pad_crop", 2);
        aug.put("pad_mode", "reflect");
        aug.put("alternating_flip", true);
        m.put("augmentation", aug);
        return m;
    }
}
