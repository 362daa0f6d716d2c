package dev.fovea.cli;

import dev.fovea.data.Augmentation;
import picocli.CommandLine.Option;

/**
 * The augmentation flags shared by commands that feed training images ({@code data show},
 * training). Keras's tutorial setting is
 * {@code --width-shift 0.1 --height-shift 0.1 --horizontal-flip}.
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

    /** Checks the numbers (as every command checks its own, through {@link Check}). */
    void check() {
        Check.range("--width-shift", (double) widthShift, 0, Double.POSITIVE_INFINITY, false,
                "below 1 a fraction of the width, else pixels");
        Check.range("--height-shift", (double) heightShift, 0, Double.POSITIVE_INFINITY, false,
                "below 1 a fraction of the height, else pixels");
        Check.between("--fill-value", fillValue, 0, 255, "a pixel value");
        Check.atLeast("--pad-crop", padCrop, 0, "pixels of padding, 0 = off");
        Check.atLeast("--cutout", cutout, 0, "side of the square in pixels, 0 = off");
    }

    /** The configured augmentation; a bad mode name is a {@link UserError}. */
    public Augmentation toAugmentation() {
        check();
        Augmentation.FillMode fill = switch (fillMode.toLowerCase(java.util.Locale.ROOT)) {
            case "nearest" -> Augmentation.FillMode.NEAREST;
            case "reflect" -> Augmentation.FillMode.REFLECT;
            case "constant" -> Augmentation.FillMode.CONSTANT;
            default -> throw new UserError("--fill-mode: unknown mode '" + fillMode
                    + "'; expected nearest, reflect or constant");
        };
        Augmentation.PadMode pad = switch (padMode.toLowerCase(java.util.Locale.ROOT)) {
            case "reflect" -> Augmentation.PadMode.REFLECT;
            case "zero" -> Augmentation.PadMode.ZERO;
            default -> throw new UserError("--pad-mode: unknown mode '" + padMode
                    + "'; expected reflect or zero");
        };
        if (horizontalFlip && alternatingFlip) {
            throw new UserError("--horizontal-flip with --alternating-flip: choose one way of flipping (the"
                    + " alternating one already mirrors half of the images every epoch)");
        }
        return new Augmentation(widthShift, heightShift, horizontalFlip, fill, fillValue, padCrop,
                pad, cutout, alternatingFlip);
    }
}
