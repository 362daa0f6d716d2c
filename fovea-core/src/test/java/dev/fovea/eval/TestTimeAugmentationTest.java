package dev.fovea.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fovea.FoveaException;
import dev.fovea.data.Dataset;
import dev.fovea.data.Normalization;
import dev.fovea.eval.TestTimeAugmentation.Level;
import dev.fovea.nn.Dense;
import dev.fovea.nn.Flatten;
import dev.fovea.nn.Input;
import dev.fovea.nn.Model;
import dev.fovea.tensor.Shape;
import dev.fovea.tensor.Tensor;
import dev.fovea.train.DataFeed;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Test-time augmentation on a linear model whose three outputs each read one pixel (plus a bias),
 * so every averaged output is a weighted sum of pixels worked out by hand from the definition of
 * each view. The image is 3×4 with 2 channels: channel 0 holds 1..12 row by row, channel 1 the
 * negatives; a second image adds 100 to every value.
 */
class TestTimeAugmentationTest {
    private static final int H = 3;
    private static final int W = 4;
    private static final int C = 2;

    /** Output 0 reads channel 0 at (1,1), output 1 channel 0 at (0,0), output 2 channel 1 at (2,3) plus 0.5. */
    private static Model pixelReader() {
        Dense dense = new Dense(3);
        Model m = Model.sequential(Input.of(H, W, C), new Flatten(), dense);
        m.initialize(1);
        float[] k = dense.params().get(0).value(); // (in = H·W·C, units = 3), row-major
        java.util.Arrays.fill(k, 0f);
        k[((1 * W + 1) * C) * 3] = 1f;
        k[((0 * W + 0) * C) * 3 + 1] = 1f;
        k[((2 * W + 3) * C + 1) * 3 + 2] = 1f;
        float[] b = dense.params().get(1).value();
        b[0] = 0f;
        b[1] = 0f;
        b[2] = 0.5f;
        return m;
    }

    private static float[] images(float offset0, float offset1) {
        float[] x = new float[2 * H * W * C];
        for (int n = 0; n < 2; n++) {
            float off = n == 0 ? offset0 : offset1;
            for (int p = 0; p < H * W; p++) {
                x[(n * H * W + p) * C] = p + 1 + off;
                x[(n * H * W + p) * C + 1] = -(p + 1 + off);
            }
        }
        return x;
    }

    private static float[] run(Level level) {
        Tensor x = new Tensor(Shape.of(2, H, W, C), images(0, 100));
        return new TestTimeAugmentation(level).forward(pixelReader(), x).data().clone();
    }

    /*
     * The image, 1-based values v(i,j) = 4i + j + 1:
     *    1  2  3  4
     *    5  6  7  8
     *    9 10 11 12
     * Views (i, j) → source pixel: mirror (i, 3-j); shift -1 (crop [0,H) of the reflect pad)
     * (r(i-1), r(j-1)); shift +1 (r(i+1), r(j+1)); their mirrors use 3-j in place of j; r(-1)=1,
     * r(3)=1 for rows, r(4)=2 for columns.
     * Output 0, pixel (1,1): image 6, mirror (1,2)=7, shift-1 (0,0)=1, its mirror (0,r(2-1))=(0,1)=2,
     *   shift+1 (2,2)=11, its mirror (2,r(2+1))=(2,3)=12.
     *   flip = (6+7)/2 = 6.5; 6view = (6+7)/4 + (1+2+11+12)/8 = 3.25 + 3.25 = 6.5.
     * Output 1, pixel (0,0): image 1, mirror (0,3)=4, shift-1 (1,1)=6, its mirror (1,r(3-1))=(1,2)=7,
     *   shift+1 (1,1)=6, its mirror (1,r(4))=(1,2)=7.
     *   flip = 2.5; 6view = (1+4)/4 + (6+7+6+7)/8 = 1.25 + 3.25 = 4.5.
     * Output 2, channel 1 at (2,3), negated, plus 0.5: image 12, mirror (2,0)=9, shift-1 (1,2)=7,
     *   its mirror (1,r(0-1))=(1,1)=6, shift+1 (r(3),r(4))=(1,2)=7, its mirror (1,r(1))=(1,1)=6.
     *   flip = -(12+9)/2 + 0.5 = -10; 6view = -(21/4 + 26/8) + 0.5 = -8.
     * The second image is the first plus 100 (channel 1 minus 100); every view is a copy of pixels,
     * so each of its outputs moves by exactly ±100.
     */
    @Test
    void averagedOutputsOfALinearModelMatchHandComputedViews() {
        assertArrayEquals(new float[]{6f, 1f, -11.5f, 106f, 101f, -111.5f}, run(Level.NONE), 1e-5f);
        assertArrayEquals(new float[]{6.5f, 2.5f, -10f, 106.5f, 102.5f, -110f}, run(Level.FLIP), 1e-5f);
        assertArrayEquals(new float[]{6.5f, 4.5f, -8f, 106.5f, 104.5f, -108f}, run(Level.SIX_VIEW), 1e-5f);
    }

    @Test
    void sixViewsTakeSixForwardPassesAndLeaveTheInputUnchanged() {
        float[] x = images(0, 100);
        float[] before = x.clone();
        TestTimeAugmentation tta = new TestTimeAugmentation(Level.SIX_VIEW);
        assertEquals(6, tta.views());
        tta.forward(pixelReader(), new Tensor(Shape.of(2, H, W, C), x));
        assertArrayEquals(before, x);
    }

    /** predict over a dataset in batches of 2 (the last one of 1) equals the hand values per image. */
    @Test
    void predictOverADatasetBatchesLikeForward() {
        byte[] px = new byte[3 * H * W * C];
        for (int n = 0; n < 3; n++) {
            for (int p = 0; p < H * W; p++) {
                px[(n * H * W + p) * C] = (byte) (p + 1 + 10 * n);
                px[(n * H * W + p) * C + 1] = (byte) (200 - p - 1 - 10 * n);
            }
        }
        Dataset ds = new Dataset(px, new int[3], List.of("a", "b", "c"), H, W, C);
        // (v/255 - 0)/(1/255) gives back the byte value v.
        Normalization identity = new Normalization(new float[]{0, 0}, new float[]{1 / 255f, 1 / 255f});
        float[] y = new TestTimeAugmentation(Level.SIX_VIEW).predict(pixelReader(), DataFeed.plain(ds, identity), 2);
        assertEquals(9, y.length);
        for (int n = 0; n < 3; n++) {
            // The view weights sum to 1, so adding 10n to every pixel adds 10n to outputs 0 and 1;
            // channel 1 holds 200 - v, whose six-view mean at (2,3) is 200 - (21/4 + 26/8) - 10n.
            assertEquals(6.5f + 10 * n, y[3 * n], 1e-3f, "image " + n + " output 0");
            assertEquals(4.5f + 10 * n, y[3 * n + 1], 1e-3f, "image " + n + " output 1");
            assertEquals(200 - 8.5f - 10 * n + 0.5f, y[3 * n + 2], 1e-3f, "image " + n + " output 2");
        }
    }

    @Test
    void sameResultAtEveryCallAndBatchSize() {
        Model m = pixelReader();
        TestTimeAugmentation tta = new TestTimeAugmentation(Level.SIX_VIEW);
        float[] both = tta.forward(m, new Tensor(Shape.of(2, H, W, C), images(0, 100))).data().clone();
        float[] again = tta.forward(m, new Tensor(Shape.of(2, H, W, C), images(0, 100))).data().clone();
        float[] first = tta.forward(m, new Tensor(Shape.of(1, H, W, C), java.util.Arrays.copyOf(images(0, 100),
                H * W * C))).data().clone();
        assertArrayEquals(both, again);
        assertArrayEquals(java.util.Arrays.copyOf(both, 3), first);
    }

    @Test
    void levelsParseFromTheirCliNamesAndABadNameSaysWhatIsAccepted() {
        assertEquals(Level.NONE, Level.parse("none"));
        assertEquals(Level.FLIP, Level.parse("FLIP"));
        assertEquals(Level.SIX_VIEW, Level.parse("6view"));
        FoveaException e = assertThrows(FoveaException.class, () -> Level.parse("8view"));
        assertEquals("test-time augmentation: expected none, flip or 6view, received '8view'; pass none (the image"
                + " only), flip (image and mirror) or 6view (airbench's six views)", e.getMessage());
    }

    @Test
    void viewsOfNonImagesOrOnePixelWideImagesAreRefused() {
        Dense d = new Dense(2);
        Model flat = Model.sequential(Input.of(5), d);
        flat.initialize(1);
        Tensor x = new Tensor(Shape.of(1, 5), new float[5]);
        FoveaException e = assertThrows(FoveaException.class,
                () -> new TestTimeAugmentation(Level.FLIP).forward(flat, x));
        assertTrue(e.getMessage().contains("expects a batch of images (N, height, width, channels), received"
                + " inputs of shape (1, 5)"), e.getMessage());
        assertEquals(2, new TestTimeAugmentation(Level.NONE).forward(flat, x).size());

        Model thin = Model.sequential(Input.of(1, 4, 1), new Flatten(), new Dense(2));
        thin.initialize(1);
        Tensor row = new Tensor(Shape.of(1, 1, 4, 1), new float[]{1, 2, 3, 4});
        e = assertThrows(FoveaException.class, () -> new TestTimeAugmentation(Level.SIX_VIEW).forward(thin, row));
        assertEquals("test-time augmentation 6view: reflect-shifting by 1 pixel needs images of at least 2×2,"
                + " received 1×4; use level flip or none (--tta flip)", e.getMessage());
        assertEquals(2, new TestTimeAugmentation(Level.FLIP).forward(thin, row).size());
    }
}
