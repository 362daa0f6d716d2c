package dev.fovea.run;

import dev.fovea.FoveaException;
import dev.fovea.data.Augmentation;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Predicate;
import picocli.CommandLine.Option;

/**
 * The augmentation flags shared by commands that feed training images ({@code data show},
 * {@code train}, {@code spark train}), with their {@code run.json} form (the {@code augmentation}
 * object: {@link #KEYS}), so an augmentation flag is added here alone. Keras's tutorial setting
 * is {@code --width-shift 0.1 --height-shift 0.1 --horizontal-flip}.
 */
public final class AugmentationOptions {
    @Option(names = "--width-shift", paramLabel = "RANGE", defaultValue = "0",
            description = "Random horizontal shift: below 1 a fraction of the width, else pixels"
                    + " (Keras width_shift_range). Default: ${DEFAULT-VALUE}.")
    float widthShift;

    @Option(names = "--height-shift", paramLabel = "RANGE", defaultValue = "0",
            description = "Random vertical shift, as --width-shift. Default: ${DEFAULT-VALUE}.")
    float heightShift;

    @Option(names = "--horizontal-flip", description = "Mirror left-right with probability 1/2.")
    boolean horizontalFlip;

    @Option(names = "--alternating-flip", negatable = true,
            description = "Mirror a seeded half of the images in the first epoch and every image relative to that in"
                    + " odd epochs, so each alternates (airbench); not with --horizontal-flip.")
    boolean alternatingFlip;

    @Option(names = "--fill-mode", paramLabel = "MODE", defaultValue = "nearest",
            description = "Fill for shifted-in pixels: nearest, reflect or constant."
                    + " Default: ${DEFAULT-VALUE}.")
    String fillMode;

    @Option(names = "--fill-value", paramLabel = "0-255", defaultValue = "0",
            description = "Value used by --fill-mode constant. Default: ${DEFAULT-VALUE}.")
    int fillValue;

    @Option(names = "--pad-crop", paramLabel = "PIXELS", defaultValue = "0",
            description = "Pad each side by PIXELS, then crop a random window of the original"
                    + " size (0 = off). Default: ${DEFAULT-VALUE}.")
    int padCrop;

    @Option(names = "--pad-mode", paramLabel = "MODE", defaultValue = "reflect",
            description = "Padding for --pad-crop: reflect or zero. Default: ${DEFAULT-VALUE}.")
    String padMode;

    @Option(names = "--cutout", paramLabel = "PIXELS", defaultValue = "0",
            description = "Zero a random square of this side (0 = off). Default: ${DEFAULT-VALUE}.")
    int cutout;

    /** Each flag and its key in {@code run.json}'s {@code augmentation} object. */
    static final String[][] KEYS = {{"--width-shift", "width_shift"}, {"--height-shift", "height_shift"},
            {"--horizontal-flip", "horizontal_flip"}, {"--fill-mode", "fill_mode"}, {"--fill-value", "fill_value"},
            {"--pad-crop", "pad_crop"}, {"--pad-mode", "pad_mode"}, {"--cutout", "cutout"},
            {"--alternating-flip", "alternating_flip"}};

    /** The flags as {@code run.json} records them, in {@link #KEYS}' order. */
    Map<String, Object> toMap() {
        Object[] now = {widthShift, heightShift, horizontalFlip, fillMode, fillValue, padCrop, padMode, cutout,
                alternatingFlip};
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < KEYS.length; i++) {
            m.put(KEYS[i][1], now[i]);
        }
        return m;
    }

    /**
     * The run's augmentation: each flag given now ({@code given} by name) wins; otherwise the
     * value in {@code saved} (a resumed run's, or the recipe's), else the flag's default.
     */
    Map<String, Object> resolve(Predicate<String> given, Map<String, Object> saved) {
        Map<String, Object> now = toMap();
        Map<String, Object> m = new LinkedHashMap<>();
        for (String[] k : KEYS) {
            m.put(k[1], given.test(k[0]) || !saved.containsKey(k[1]) ? now.get(k[1]) : saved.get(k[1]));
        }
        return m;
    }

    /** The flags of a {@code run.json} {@code augmentation} object (every key present, as {@link #resolve} makes it). */
    static AugmentationOptions fromMap(Map<String, Object> a) {
        AugmentationOptions o = new AugmentationOptions();
        o.widthShift = ((Number) a.get("width_shift")).floatValue();
        o.heightShift = ((Number) a.get("height_shift")).floatValue();
        o.horizontalFlip = (Boolean) a.get("horizontal_flip");
        o.fillMode = (String) a.get("fill_mode");
        o.fillValue = ((Number) a.get("fill_value")).intValue();
        o.padCrop = ((Number) a.get("pad_crop")).intValue();
        o.padMode = (String) a.get("pad_mode");
        o.cutout = ((Number) a.get("cutout")).intValue();
        o.alternatingFlip = Boolean.TRUE.equals(a.get("alternating_flip"));
        return o;
    }

    /** Checks the numbers (as every command checks its own, through {@link Check}). */
    public void check() {
        Check.range("--width-shift", (double) widthShift, 0, Double.POSITIVE_INFINITY, false,
                "below 1 a fraction of the width, else pixels");
        Check.range("--height-shift", (double) heightShift, 0, Double.POSITIVE_INFINITY, false,
                "below 1 a fraction of the height, else pixels");
        Check.between("--fill-value", fillValue, 0, 255, "a pixel value");
        Check.atLeast("--pad-crop", padCrop, 0, "pixels of padding, 0 = off");
        Check.atLeast("--cutout", cutout, 0, "side of the square in pixels, 0 = off");
    }

    /** The configured augmentation; a bad mode name is a {@link FoveaException}. */
    public Augmentation toAugmentation() {
        check();
        Augmentation.FillMode fill = switch (fillMode.toLowerCase(java.util.Locale.ROOT)) {
            case "nearest" -> Augmentation.FillMode.NEAREST;
            case "reflect" -> Augmentation.FillMode.REFLECT;
            case "constant" -> Augmentation.FillMode.CONSTANT;
            default -> throw new FoveaException("--fill-mode: unknown mode '" + fillMode
                    + "'; expected nearest, reflect or constant");
        };
        Augmentation.PadMode pad = switch (padMode.toLowerCase(java.util.Locale.ROOT)) {
            case "reflect" -> Augmentation.PadMode.REFLECT;
            case "zero" -> Augmentation.PadMode.ZERO;
            default -> throw new FoveaException("--pad-mode: unknown mode '" + padMode
                    + "'; expected reflect or zero");
        };
        if (horizontalFlip && alternatingFlip) {
            throw new FoveaException("--horizontal-flip with --alternating-flip: choose one way of flipping (the"
                    + " alternating one already mirrors half of the images every epoch)");
        }
        return new Augmentation(widthShift, heightShift, horizontalFlip, fill, fillValue, padCrop,
                pad, cutout, alternatingFlip);
    }
}
