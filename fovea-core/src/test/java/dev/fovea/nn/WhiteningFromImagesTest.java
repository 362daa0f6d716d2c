package dev.fovea.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fovea.FoveaException;
import dev.fovea.data.Dataset;
import dev.fovea.data.Normalization;
import dev.fovea.tensor.Rng;
import dev.fovea.tensor.Shape;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The whitening init from training images (was {@code data.DataInitializersTest}): the first
 * images of a dataset, normalized as in training ({@link Normalization#toFloat(Dataset, int)}),
 * handed to the layer as plain floats of its input shape.
 */
class WhiteningFromImagesTest {

    private static Conv2D whiteningConv() {
        Conv2D conv = new Conv2D(Conv2D.Config.of(24, 2).padding(Padding.VALID));
        conv.setName("whiten");
        conv.build(Shape.of(6, 5, 3), new Rng(1));
        return conv;
    }

    private static Dataset dataset(int n) {
        Rng rng = new Rng(8);
        byte[] px = new byte[n * 6 * 5 * 3];
        for (int i = 0; i < px.length; i++) {
            // Channel 1 follows channel 0 so the covariance is far from diagonal.
            px[i] = (byte) (i % 3 == 1 ? px[i - 1] / 2 + rng.nextFloat() * 60 : rng.nextFloat() * 255);
        }
        return new Dataset(px, new int[n], List.of("a"), 6, 5, 3);
    }

    @Test
    void usesTheFirstImagesNormalizedAsInTraining() {
        Dataset ds = dataset(7);
        float[] mean = {0.4914f, 0.4822f, 0.4465f};
        float[] std = {0.2470f, 0.2435f, 0.2616f};
        Normalization norm = new Normalization(mean, std);
        int first = 4;
        float[] x = new float[first * 6 * 5 * 3];
        for (int i = 0; i < x.length; i++) {
            int c = i % 3;
            x[i] = ((ds.images()[i] & 0xFF) / 255f - mean[c]) / std[c];
        }
        assertArrayEquals(x, norm.toFloat(ds, first), 0f);
        Conv2D expected = whiteningConv();
        double[] expectedValues = Initializers.whitening(expected, x, first, 6, 5, 3, 1e-3);
        Conv2D conv = whiteningConv();
        double[] values = Initializers.whitening(conv, norm.toFloat(ds, first), 1e-3);
        assertArrayEquals(expectedValues, values, 0);
        assertArrayEquals(expected.kernel().value(), conv.kernel().value(), 0f);

        Conv2D all = whiteningConv();
        Conv2D allByDefault = whiteningConv();
        Initializers.whitening(all, norm.toFloat(ds, 7), Initializers.WHITENING_EPSILON);
        Initializers.whitening(allByDefault, norm.toFloat(ds, Initializers.WHITENING_IMAGES));
        assertArrayEquals(all.kernel().value(), allByDefault.kernel().value(), 0f,
                "the default (5,000 images) uses all 7 when the data holds fewer");
    }

    @Test
    void rejectsANormalizationOfOtherChannels() {
        FoveaException e = assertThrows(FoveaException.class, () -> Normalization.scale(1).toFloat(dataset(2), 5));
        assertTrue(e.getMessage().contains("normalization of 1 channels for images of 3 channels"), e.getMessage());
    }

    @Test
    void rejectsImagesThatAreNotOfTheLayersInputShape() {
        FoveaException e = assertThrows(FoveaException.class,
                () -> Initializers.whitening(whiteningConv(), new float[6 * 5 * 3 + 1]));
        assertEquals("whiten: whitening init needs whole images of the layer's input shape (None, 6, 5, 3) (90 values"
                + " each), received 91 values; pass at least one image of that shape", e.getMessage());
    }
}
