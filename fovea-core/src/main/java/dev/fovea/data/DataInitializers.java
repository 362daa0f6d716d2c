package dev.fovea.data;

import dev.fovea.FoveaException;
import dev.fovea.nn.Conv2D;
import dev.fovea.nn.Initializers;

/**
 * Data-dependent initializations fed from a {@link Dataset}: converts the first images with the
 * model's {@link Normalization} (the same float values training feeds) and hands them to
 * {@link Initializers}, which holds the arithmetic. No augmentation is applied, as in airbench94,
 * which estimates the whitening from the raw normalized training images.
 */
public final class DataInitializers {
    private DataInitializers() {
    }

    /** {@link #whitening(Conv2D, Dataset, Normalization, int, double)} with airbench94's 5,000 images and eps 5e-4. */
    public static double[] whitening(Conv2D conv, Dataset train, Normalization normalization) {
        return whitening(conv, train, normalization, Initializers.WHITENING_IMAGES, Initializers.WHITENING_EPSILON);
    }

    /**
     * Whitening init of {@code conv} from the patches of the first {@code images} images of
     * {@code train} (all of them when it holds fewer), normalized as in training; see
     * {@link Initializers#whitening(Conv2D, float[], int, int, int, int, double)}.
     *
     * @return the patch covariance's eigenvalues, descending
     */
    public static double[] whitening(Conv2D conv, Dataset train, Normalization normalization, int images, double eps) {
        if (images < 1) {
            throw new FoveaException(conv.name() + ": whitening init needs at least 1 image, received " + images);
        }
        if (normalization.channels() != train.channels()) {
            throw new FoveaException(conv.name() + ": whitening init received a normalization of "
                    + normalization.channels() + " channels for images of " + train.channels()
                    + " channels; pass the normalization the model is trained with");
        }
        int n = Math.min(images, train.size());
        int values = n * train.imageBytes();
        float[] x = new float[values];
        normalization.toFloat(train.images(), 0, x, 0, values);
        return Initializers.whitening(conv, x, n, train.height(), train.width(), train.channels(), eps);
    }
}
