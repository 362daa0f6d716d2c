package dev.fovea.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fovea.FoveaException;
import dev.fovea.io.SafeTensors;
import dev.fovea.tensor.Rng;
import dev.fovea.tensor.Shape;
import dev.fovea.tensor.Tensor;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * The dirac and whitening inits against hand-computed kernels, their defining properties (an
 * identity pass-through; whitened output covariance) and PyTorch cases made by
 * {@code src/test/resources/init/make_cases.py} (airbench94's own code).
 */
class InitializersTest {

    private static Conv2D built(int filters, int k, Padding padding, boolean bias, Shape input) {
        Conv2D conv = new Conv2D(Conv2D.Config.of(filters, k).padding(padding).useBias(bias));
        conv.setName("conv");
        conv.build(input, new Rng(3));
        return conv;
    }

    private static SafeTensors initCase(String name) throws URISyntaxException {
        return SafeTensors.read(Path.of(InitializersTest.class.getResource("/init/" + name + ".safetensors").toURI()));
    }

    @Test
    void diracSetsTheCentreTapOfTheFirstFiltersByHand() {
        Conv2D conv = built(3, 3, Padding.SAME, false, Shape.of(4, 4, 2));
        float[] k = conv.kernel().value();
        Arrays.fill(k, 7f);
        Initializers.dirac(conv);
        // HWIO (3, 3, 2, 3): index ((ky·3 + kx)·2 + c)·3 + f; the centre tap is ky = kx = 1 (tap 4).
        for (int tap = 0; tap < 9; tap++) {
            for (int c = 0; c < 2; c++) {
                for (int f = 0; f < 3; f++) {
                    float expected = f == 2 ? 7f : tap == 4 && c == f ? 1f : 0f;
                    assertEquals(expected, k[(tap * 2 + c) * 3 + f], "tap " + tap + " channel " + c + " filter " + f);
                }
            }
        }
    }

    @Test
    void diracFiltersPassTheirChannelThrough() {
        Conv2D conv = built(5, 3, Padding.SAME, false, Shape.of(4, 5, 3));
        Initializers.dirac(conv);
        Rng rng = new Rng(11);
        float[] x = new float[2 * 4 * 5 * 3];
        for (int i = 0; i < x.length; i++) {
            x[i] = rng.nextFloat() - 0.5f;
        }
        Tensor y = conv.forward(new Tensor(Shape.of(2, 4, 5, 3), x), false);
        for (int p = 0; p < 2 * 4 * 5; p++) {
            for (int c = 0; c < 3; c++) {
                assertEquals(x[p * 3 + c], y.data()[p * 5 + c], 0f, "pixel " + p + " channel " + c);
            }
        }
    }

    @Test
    void diracMatchesPyTorch() throws URISyntaxException {
        for (String name : new String[]{"dirac_3x3_c3_f5", "dirac_5x5_c2_f2"}) {
            SafeTensors st = initCase(name);
            Shape s = st.shape("kernel_before");
            Conv2D conv = built(s.dim(3), s.dim(0), Padding.SAME, true, Shape.of(6, 6, s.dim(2)));
            System.arraycopy(st.floats("kernel_before"), 0, conv.kernel().value(), 0, s.size());
            Initializers.dirac(conv);
            assertArrayEquals(st.floats("kernel_after"), conv.kernel().value(), 0f, name);
        }
    }

    @Test
    void diracRejectsWhatItCannotInitialize() {
        Conv2D even = built(4, 2, Padding.VALID, false, Shape.of(4, 4, 3));
        FoveaException e = assertThrows(FoveaException.class, () -> Initializers.dirac(even));
        assertTrue(e.getMessage().contains("odd kernel") && e.getMessage().contains("2x2"), e.getMessage());
        Conv2D narrow = built(2, 3, Padding.SAME, false, Shape.of(4, 4, 3));
        e = assertThrows(FoveaException.class, () -> Initializers.dirac(narrow));
        assertTrue(e.getMessage().contains("received 2 filters for 3 channels"), e.getMessage());
        Conv2D unbuilt = new Conv2D(4, 3);
        unbuilt.setName("conv2d_9");
        e = assertThrows(FoveaException.class, () -> Initializers.dirac(unbuilt));
        assertTrue(e.getMessage().startsWith("conv2d_9: dirac init needs a built layer"), e.getMessage());
    }

    /** Images whose channels and neighbouring pixels are correlated, as in photographs. */
    private static float[] correlatedImages(int n, int h, int w, long seed) {
        Rng rng = new Rng(seed);
        float[] noise = new float[n * (h + 1) * (w + 1) * 3];
        for (int i = 0; i < noise.length; i++) {
            noise[i] = rng.nextFloat() - 0.5f;
        }
        float[] x = new float[n * h * w * 3];
        for (int i = 0; i < n; i++) {
            for (int y = 0; y < h; y++) {
                for (int z = 0; z < w; z++) {
                    double[] v = new double[3];
                    for (int c = 0; c < 3; c++) {
                        v[c] = noise[((i * (h + 1) + y) * (w + 1) + z) * 3 + c] + noise[((i * (h + 1) + y + 1) * (w + 1) + z + 1) * 3 + c];
                    }
                    int o = ((i * h + y) * w + z) * 3;
                    x[o] = (float) (v[0] + 0.2);
                    x[o + 1] = (float) (0.7 * v[0] + 0.5 * v[1]);
                    x[o + 2] = (float) (0.3 * v[1] + 0.4 * v[2] - 0.1);
                }
            }
        }
        return x;
    }

    /**
     * The defining property, checked through the layer itself: the covariance E[y·yᵀ] over all
     * output pixels of the bias-free whitening conv is diag(λ/(λ+eps)) for the first D = K·K·3
     * channels, and the last D are their negatives; the eigenvalues sum to the patches' mean
     * squared norm (the covariance's trace). For the 2×2 layer of airbench and a 3×3 one.
     */
    @Test
    void whiteningDecorrelatesTheLayerOutput() {
        for (int k : new int[]{2, 3}) {
            int n = 20;
            int h = 10;
            int w = 9;
            int d = k * k * 3;
            double eps = 0.01;
            float[] x = correlatedImages(n, h, w, 5);
            Conv2D conv = built(2 * d, k, Padding.VALID, false, Shape.of(h, w, 3));
            double[] lambda = Initializers.whitening(conv, x, n, h, w, 3, eps);
            for (int i = 1; i < d; i++) {
                assertTrue(lambda[i] <= lambda[i - 1], "eigenvalues descending: " + Arrays.toString(lambda));
            }
            float[] y = conv.forward(new Tensor(Shape.of(n, h, w, 3), x), false).data();
            int oh = h - k + 1;
            int ow = w - k + 1;
            int pixels = n * oh * ow;
            double[][] cov = new double[d][d];
            double trace = 0;
            for (int p = 0; p < pixels; p++) {
                for (int a = 0; a < d; a++) {
                    assertEquals(-y[p * 2 * d + a], y[p * 2 * d + d + a], 0f, "channel " + (d + a) + " is minus channel " + a);
                    for (int b = 0; b < d; b++) {
                        cov[a][b] += (double) y[p * 2 * d + a] * y[p * 2 * d + b] / pixels;
                    }
                }
                int i = p / (oh * ow);
                int r = p % (oh * ow);
                for (int ky = 0; ky < k; ky++) {
                    for (int kx = 0; kx < k; kx++) {
                        for (int c = 0; c < 3; c++) {
                            double v = x[((i * h + r / ow + ky) * w + r % ow + kx) * 3 + c];
                            trace += v * v / pixels;
                        }
                    }
                }
            }
            assertEquals(trace, Arrays.stream(lambda).sum(), 1e-9 * trace, k + "x" + k + ": eigenvalues sum to the trace");
            for (int a = 0; a < d; a++) {
                for (int b = 0; b < d; b++) {
                    double expected = a == b ? lambda[a] / (lambda[a] + eps) : 0;
                    assertEquals(expected, cov[a][b], 2e-5, k + "x" + k + ": output covariance (" + a + ", " + b + ")");
                }
            }
            assertTrue(lambda[d - 1] / (lambda[d - 1] + eps) < 0.9, "eps must matter in this test: " + Arrays.toString(lambda));
        }
    }

    @Test
    void whiteningMatchesAirbenchInPyTorch() throws URISyntaxException {
        SafeTensors st = initCase("whitening_2x2_c3");
        Shape xs = st.shape("x");
        Conv2D conv = built(24, 2, Padding.VALID, true, xs.dropFirst());
        double[] lambda = Initializers.whitening(conv, st.floats("x"), xs.dim(0), xs.dim(1), xs.dim(2), xs.dim(3), 5e-4);
        float[] expectedValues = st.floats("eigenvalues");
        for (int i = 0; i < 12; i++) {
            assertEquals(expectedValues[i], lambda[i], 1e-6 * expectedValues[0], "eigenvalue " + i);
        }
        float[] expected = st.floats("kernel");
        float[] k = conv.kernel().value();
        for (int f = 0; f < 24; f++) {
            double dot = 0;
            double max = 0;
            for (int e = 0; e < 12; e++) {
                dot += (double) expected[e * 24 + f] * k[e * 24 + f];
                max = Math.max(max, Math.abs(expected[e * 24 + f]));
            }
            double sign = Math.signum(dot);
            for (int e = 0; e < 12; e++) {
                assertEquals(expected[e * 24 + f], sign * k[e * 24 + f], 2e-5 * max, "filter " + f + " element " + e);
            }
        }
        float[] bias = conv.bias().value();
        assertArrayEquals(new float[24], bias, 0f, "the bias is left as it was (zeros)");
    }

    @Test
    void whiteningRejectsMismatchedLayersAndData() {
        Conv2D wrong = built(16, 2, Padding.VALID, true, Shape.of(5, 5, 3));
        FoveaException e = assertThrows(FoveaException.class,
                () -> Initializers.whitening(wrong, new float[75], 1, 5, 5, 3, 5e-4));
        assertTrue(e.getMessage().contains("needs 2·2·2·3 = 24 filters") && e.getMessage().contains("received 16"),
                e.getMessage());
        Conv2D conv = built(24, 2, Padding.VALID, true, Shape.of(5, 5, 3));
        e = assertThrows(FoveaException.class, () -> Initializers.whitening(conv, new float[50], 1, 5, 5, 2, 5e-4));
        assertTrue(e.getMessage().contains("expects images with 3 channels"), e.getMessage());
        e = assertThrows(FoveaException.class, () -> Initializers.whitening(conv, new float[70], 1, 5, 5, 3, 5e-4));
        assertTrue(e.getMessage().contains("(75 floats)") && e.getMessage().contains("received 70 floats"), e.getMessage());
        e = assertThrows(FoveaException.class, () -> Initializers.whitening(conv, new float[75], 1, 5, 5, 3, 0));
        assertTrue(e.getMessage().contains("eps must be finite and > 0, received 0.0"), e.getMessage());
    }

    /**
     * {@code --dirac}'s walk: every convolution that then passes its input through, nested
     * models' included, except the one named (the whitening conv); by hand on a model whose
     * qualifying convolutions sit at the top level and inside a nested block.
     */
    @Test
    void diracOverAModelReachesConvolutionsInsideNestedModels() {
        Model block = Model.sequential("block", Input.of(4, 4, 4), java.util.List.of(
                new Conv2D(4, 3, Padding.SAME, ActivationFunction.RELU),   // block/conv2d: applies
                new Conv2D(2, 3, Padding.SAME, ActivationFunction.LINEAR), // F 2 < C 4: not an identity
                new Conv2D(2, 3, Padding.VALID, ActivationFunction.LINEAR))); // valid: not an identity
        SymbolicTensor in = Input.of(6, 6, 3);
        SymbolicTensor x = new Conv2D(4, 3, Padding.VALID, ActivationFunction.RELU).apply(in); // valid
        x = block.apply(x);
        x = new Conv2D(3, 1, Padding.SAME, ActivationFunction.LINEAR).apply(x);  // 1x1, F 3 ≥ C 2: applies
        x = new Conv2D(5, 3, Padding.SAME, ActivationFunction.LINEAR).apply(x);  // applies, but excepted
        Model m = Model.of(in, x);
        m.initialize(4);
        float[] excepted = ((Conv2D) m.layer("conv2d_5")).kernel().value().clone();
        assertEquals(java.util.List.of("block/conv2d", "conv2d_4"), Initializers.dirac(m, "conv2d_5"));
        // block/conv2d: HWIO (3, 3, 4, 4), filters f < 4 are the centre tap (4) of channel f.
        float[] k = ((Conv2D) m.namedLayers().get("block/conv2d")).kernel().value();
        for (int tap = 0; tap < 9; tap++) {
            for (int c = 0; c < 4; c++) {
                for (int f = 0; f < 4; f++) {
                    assertEquals(tap == 4 && c == f ? 1f : 0f, k[(tap * 4 + c) * 4 + f], "tap " + tap + " c " + c + " f " + f);
                }
            }
        }
        // conv2d_4: HWIO (1, 1, 2, 3): filters 0 and 1 pass channels 0 and 1, filter 2 keeps its draw.
        float[] p = ((Conv2D) m.layer("conv2d_4")).kernel().value();
        assertEquals(java.util.List.of(1f, 0f, 0f, 1f), java.util.List.of(p[0], p[1], p[3], p[4]));
        assertArrayEquals(excepted, ((Conv2D) m.layer("conv2d_5")).kernel().value(), 0f);
        assertTrue(p[2] != 0f && p[5] != 0f, "filter 2 is beyond the input channels and untouched");
    }
}
