package dev.fovea.data;

import dev.fovea.FoveaException;

/**
 * Which random augmentations {@link Augment} applies to each training image; all off by
 * default, as in Keras's {@code ImageDataGenerator}. The tutorial's
 * {@code width_shift_range=0.1, height_shift_range=0.1, horizontal_flip=True} is
 * {@code Augmentation.tutorial()} or {@code new Augmentation(0.1f, 0.1f, true)}.
 *
 * @param widthShift   below 1: fraction of the width; 1 or more: pixels. The shift is drawn
 *                     uniformly in [−range, range] (Keras semantics; fractional shifts are
 *                     interpolated bilinearly, as Keras's order-1 affine transform does)
 * @param heightShift  same for the height
 * @param horizontalFlip mirror left–right with probability ½
 * @param fillMode     how shifted-in pixels are filled
 * @param fillValue    the value (0–255) for {@link FillMode#CONSTANT}
 * @param padCrop      pad this many pixels on each side, then crop a random window of the
 *                     original size (0 = off; the CIFAR "random crop" of ResNet papers is 4)
 * @param padMode      how the padding is filled
 * @param cutout       side of a square set to zero at a random centre (0 = off; DeVries and
 *                     Taylor 2017 use 16 on CIFAR-10); the square is clipped at the borders
 * @param alternatingFlip airbench's flip instead of the random one: each image is mirrored in
 *                     epoch 0 with probability ½ (decided once from the seed and the image's
 *                     index in the dataset), and in every odd epoch the whole set is mirrored
 *                     relative to that, so each image alternates orientation from epoch to
 *                     epoch; see {@link Augment#alternatingFlip}
 */
public record Augmentation(float widthShift, float heightShift, boolean horizontalFlip,
                           FillMode fillMode, int fillValue, int padCrop, PadMode padMode,
                           int cutout, boolean alternatingFlip) {

    /** Keras {@code fill_mode}; names follow scipy.ndimage, for an input {@code abcd}. */
    public enum FillMode {
        /** {@code aaaa|abcd|dddd} (Keras's default). */
        NEAREST,
        /** {@code dcba|abcd|dcba}: mirrored with the edge repeated (scipy "reflect"). */
        REFLECT,
        /** {@code kkkk|abcd|kkkk} with k = fillValue. */
        CONSTANT
    }

    /** Padding for random crops, as in PyTorch's {@code RandomCrop(padding_mode=...)}. */
    public enum PadMode {
        /** {@code 0000|abcd|0000}. */
        ZERO,
        /** {@code dcb|abcd|cba}: mirrored without repeating the edge (numpy/PyTorch "reflect"). */
        REFLECT
    }

    public Augmentation {
        if (!(widthShift >= 0) || !(heightShift >= 0)) {
            throw new FoveaException("shift ranges must be ≥ 0, received width " + widthShift
                    + " and height " + heightShift + "; use e.g. 0.1 for 10% of the size");
        }
        if (fillValue < 0 || fillValue > 255) {
            throw new FoveaException("fill value must be in 0..255, received " + fillValue);
        }
        if (padCrop < 0 || cutout < 0) {
            throw new FoveaException("pad-crop and cutout sizes must be ≥ 0, received "
                    + padCrop + " and " + cutout);
        }
        if (fillMode == null || padMode == null) {
            throw new FoveaException("fill mode and pad mode are required");
        }
        if (horizontalFlip && alternatingFlip) {
            throw new FoveaException("choose either the random horizontal flip or the alternating flip, received"
                    + " both; the alternating flip already mirrors half of the images in every epoch");
        }
    }

    /** Without the alternating flip. */
    public Augmentation(float widthShift, float heightShift, boolean horizontalFlip,
                        FillMode fillMode, int fillValue, int padCrop, PadMode padMode, int cutout) {
        this(widthShift, heightShift, horizontalFlip, fillMode, fillValue, padCrop, padMode, cutout, false);
    }

    /** Shifts and flip with Keras's defaults for everything else (nearest fill). */
    public Augmentation(float widthShift, float heightShift, boolean horizontalFlip) {
        this(widthShift, heightShift, horizontalFlip, FillMode.NEAREST, 0, 0, PadMode.REFLECT, 0);
    }

    /** No augmentation. */
    public static Augmentation none() {
        return new Augmentation(0f, 0f, false);
    }

    /** The tutorial's setting: shifts of up to 10% of each side and horizontal flips. */
    public static Augmentation tutorial() {
        return new Augmentation(0.1f, 0.1f, true);
    }

    public boolean isNone() {
        return widthShift == 0 && heightShift == 0 && !horizontalFlip && padCrop == 0
                && cutout == 0 && !alternatingFlip;
    }

    public Augmentation withFill(FillMode mode, int value) {
        return new Augmentation(widthShift, heightShift, horizontalFlip, mode, value, padCrop,
                padMode, cutout, alternatingFlip);
    }

    public Augmentation withPadCrop(int pixels, PadMode mode) {
        return new Augmentation(widthShift, heightShift, horizontalFlip, fillMode, fillValue,
                pixels, mode, cutout, alternatingFlip);
    }

    public Augmentation withCutout(int size) {
        return new Augmentation(widthShift, heightShift, horizontalFlip, fillMode, fillValue,
                padCrop, padMode, size, alternatingFlip);
    }

    /**
     * airbench's alternating flip in place of the random flip (which must be off): with
     * {@code withPadCrop(2, PadMode.REFLECT)} this is its whole training augmentation.
     */
    public Augmentation withAlternatingFlip() {
        return new Augmentation(widthShift, heightShift, false, fillMode, fillValue, padCrop,
                padMode, cutout, true);
    }
}
