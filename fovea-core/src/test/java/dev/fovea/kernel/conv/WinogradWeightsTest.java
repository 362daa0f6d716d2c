package dev.fovea.kernel.conv;

import dev.fovea.kernel.Tunables;
import dev.fovea.kernel.window.WindowGeometry;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.fovea.tensor.Parallel;
import dev.fovea.tensor.Rng;
import org.junit.jupiter.api.Test;

/**
 * The Winograd F(3×3, 2×2) weight gradient against sums in double, against its scalar twin and
 * the direct loop, by hand, and across thread counts.
 *
 * <p>Tolerance: every dW element is the direct sum Σ x·dy over N·OH·OW terms regrouped, each
 * term passing through transforms with coefficients 0, ±½, ±1 (exact scalings, at most a few
 * additions on each side), so its error is a small multiple of float epsilon times Σ|x·dy| over
 * the same terms, plus the float accumulation of a long sum, which is the direct loop's error
 * too. 4e-6 of that scale leaves room for both; a wrong tap, pad or tile shows at order 1e-1.
 */
class WinogradWeightsTest {
    private static final double TOL = 4e-6;
    /** F(3×3, 4×4): more terms, coefficients up to 8 and 1/24 (see WinogradErrorTest for the measured worst). */
    static final double TOL4 = 4e-5;

    private record Case(WindowGeometry g, int n, int c, int f, boolean bias) {
        @Override
        public String toString() {
            return "n=" + n + " h=" + g.h() + " w=" + g.w() + " c=" + c + " f=" + f + " pads=(" + g.padTop() + ","
                    + g.padLeft() + ") out=(" + g.oh() + "," + g.ow() + ") bias=" + bias;
        }
    }

    /** dW in double and Σ|x·dy| per element: the reference and the scale of its rounding error. */
    private static double[][] reference(float[] x, float[] dy, Case t) {
        WindowGeometry g = t.g;
        double[] w = new double[9 * t.c * t.f];
        double[] s = new double[w.length];
        for (int b = 0; b < t.n; b++) {
            for (int oy = 0; oy < g.oh(); oy++) {
                for (int ox = 0; ox < g.ow(); ox++) {
                    for (int ky = 0; ky < 3; ky++) {
                        for (int kx = 0; kx < 3; kx++) {
                            int iy = oy - g.padTop() + ky;
                            int ix = ox - g.padLeft() + kx;
                            if (iy < 0 || iy >= g.h() || ix < 0 || ix >= g.w()) {
                                continue;
                            }
                            for (int ch = 0; ch < t.c; ch++) {
                                double xv = x[((b * g.h() + iy) * g.w() + ix) * t.c + ch];
                                for (int o = 0; o < t.f; o++) {
                                    double p = xv * dy[((b * g.oh() + oy) * g.ow() + ox) * t.f + o];
                                    int i = ((ky * 3 + kx) * t.c + ch) * t.f + o;
                                    w[i] += p;
                                    s[i] += Math.abs(p);
                                }
                            }
                        }
                    }
                }
            }
        }
        return new double[][]{w, s};
    }

    private static void assertWithin(double[] expected, double[] scale, float[] start, float[] actual, String what,
                                     double tol) {
        for (int i = 0; i < expected.length; i++) {
            double want = start[i] + expected[i];
            if (!(Math.abs(want - actual[i]) <= tol * (scale[i] + Math.abs(start[i])) + 1e-30)) {
                throw new AssertionError(what + " [" + i + "]: expected " + want + ", received " + actual[i]
                        + " (allowed " + tol * scale[i] + ")");
            }
        }
    }

    private static void check(Rng r, Case t) {
        for (int m : new int[]{2, 4}) {
            check(r, t, m);
        }
    }

    private static void check(Rng r, Case t, int m) {
        double tol = m == 2 ? TOL : TOL4;
        WindowGeometry g = t.g;
        float[] x = ConvolutionTest.random(r, t.n * g.h() * g.w() * t.c);
        float[] dy = ConvolutionTest.random(r, t.n * g.oh() * g.ow() * t.f);
        float[] start = ConvolutionTest.random(r, 9 * t.c * t.f);
        float[] biasStart = ConvolutionTest.random(r, t.f);
        double[][] ref = reference(x, dy, t);

        float[] fast = start.clone();
        float[] fastBias = t.bias ? biasStart.clone() : null;
        WinogradWeights.backwardWeights(x, dy, fast, fastBias, g, t.n, t.c, t.f, m);
        float[] scalar = start.clone();
        float[] scalarBias = t.bias ? biasStart.clone() : null;
        WinogradWeights.backwardWeightsScalar(x, dy, scalar, scalarBias, g, t.n, t.c, t.f, m);
        float[] direct = start.clone();
        Convolution.backwardWeightsScalar(x, dy, direct, null, g, t.n, t.c, t.f);

        String what = "F(3x3," + m + "x" + m + ") ";
        assertWithin(ref[0], ref[1], start, fast, what + "weight gradient vs double, " + t, tol);
        assertWithin(ref[0], ref[1], start, scalar, what + "scalar twin vs double, " + t, tol);
        assertWithin(ref[0], ref[1], start, direct, "direct loop vs double (the tolerance's own check), " + t, TOL);
        if (t.bias) {
            for (int o = 0; o < t.f; o++) {
                double sum = biasStart[o];
                double scale = Math.abs(biasStart[o]);
                for (int i = 0; i < t.n * g.oh() * g.ow(); i++) {
                    sum += dy[i * t.f + o];
                    scale += Math.abs(dy[i * t.f + o]);
                }
                assertEquals(sum, fastBias[o], 1e-6 * scale, "dbias[" + o + "], " + t);
                assertEquals(sum, scalarBias[o], 1e-6 * scale, "scalar dbias[" + o + "], " + t);
            }
        }
    }

    @Test
    void matchesSumsInDoubleOverOddShapes() {
        Rng r = new Rng(31);
        for (int i = 0; i < 40; i++) {
            int h = 3 + r.nextInt(9);
            int w = 3 + r.nextInt(9);
            int mode = i % 3;
            WindowGeometry g = mode == 0 ? WindowGeometry.valid(h, w, 3, 3, 1, 1)
                    : mode == 1 ? WindowGeometry.same(h, w, 3, 3, 1, 1) : WindowGeometry.full(h, w, 3, 3, 1, 1);
            check(r, new Case(g, 1 + r.nextInt(3), 1 + r.nextInt(21), 1 + r.nextInt(41), r.nextInt(2) == 0));
        }
    }

    @Test
    void matchesSumsInDoubleAcrossChunksAndPanels() {
        Rng r = new Rng(32);
        // Several chunks of tiles (chunk() is at least 32 tiles), F past one panel and not a
        // multiple of any vector width, C not a multiple of the tile rows.
        check(r, new Case(WindowGeometry.same(15, 13, 3, 3, 1, 1), 9, 19, 53, true));
        check(r, new Case(WindowGeometry.valid(12, 17, 3, 3, 1, 1), 6, 37, 21, false));
        check(r, new Case(WindowGeometry.same(7, 7, 3, 3, 1, 1), 40, 64, 70, true));
    }

    @Test
    void aSinglePixelOfDyCopiesItsWindowByHand() {
        // x = 1..16 on a 4×4 image, one channel, `valid` 3×3: out 2×2. dy = 1 at (1,0) only, so
        // dW[ky,kx] = x[1 + ky, kx]: rows 2..4 of x, columns 1..3.
        float[] x = new float[16];
        for (int i = 0; i < 16; i++) {
            x[i] = i + 1;
        }
        float[] dy = {0, 0, 1, 0};
        float[] dw = new float[9];
        float[] db = {0.25f};
        WinogradWeights.backwardWeights(x, dy, dw, db, WindowGeometry.valid(4, 4, 3, 3, 1, 1), 1, 1, 1, 2);
        assertArrayEquals(new float[]{5, 6, 7, 9, 10, 11, 13, 14, 15}, dw);
        assertArrayEquals(new float[]{1.25f}, db);
        // F(3×3, 4×4) rounds its sixths: the same within a few ulps.
        float[] dw4 = new float[9];
        WinogradWeights.backwardWeights(x, dy, dw4, null, WindowGeometry.valid(4, 4, 3, 3, 1, 1), 1, 1, 1, 4);
        assertArrayEquals(new float[]{5, 6, 7, 9, 10, 11, 13, 14, 15}, dw4, 1e-4f);
    }

    @Test
    void sameBitsAtOneAndTwoThreadsAndThroughConv2d() {
        Rng r = new Rng(33);
        WindowGeometry g = WindowGeometry.same(11, 11, 3, 3, 1, 1);
        int n = 20;
        int c = Tunables.WINOGRAD_MIN_CHANNELS + 3;
        int f = 45;
        float[] x = ConvolutionTest.random(r, n * 121 * c);
        float[] dy = ConvolutionTest.random(r, n * 121 * f);
        int before = Parallel.threads();
        try {
            Parallel.setThreads(1);
            float[] one = new float[9 * c * f];
            float[] oneBias = new float[f];
            WinogradWeights.backwardWeights(x, dy, one, oneBias, g, n, c, f);
            Parallel.setThreads(2);
            float[] two = new float[9 * c * f];
            float[] twoBias = new float[f];
            WinogradWeights.backwardWeights(x, dy, two, twoBias, g, n, c, f);
            assertArrayEquals(one, two);
            assertArrayEquals(oneBias, twoBias);
            float[] routed = new float[9 * c * f];
            float[] routedBias = new float[f];
            Convolution.backwardWeights(x, dy, routed, routedBias, new float[Convolution.workspaceSize(g, n, c)], g, n,
                    c, f);
            assertArrayEquals(one, routed, "Convolution routes this shape to WinogradWeights");
            assertArrayEquals(oneBias, routedBias);
        } finally {
            Parallel.setThreads(before);
        }
    }
}
