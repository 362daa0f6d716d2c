package dev.fovea.kernel.conv;

import dev.fovea.kernel.Activations;
import dev.fovea.kernel.Tunables;
import dev.fovea.kernel.window.WindowGeometry;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fovea.tensor.Parallel;
import dev.fovea.tensor.Rng;
import org.junit.jupiter.api.Test;

/**
 * Winograd F(2×2, 3×3) forward against the direct convolution, against its own scalar twin, by
 * hand, and across thread counts.
 *
 * <p>Tolerance: Winograd regroups each output's sum Σ x·k. Its transforms have coefficients
 * 0, ±½, ±1 (exact scalings) and add at most 4 input values, 3 × 3 kernel taps and 9 products
 * per output before and after the channel sum, so its rounding error is a small multiple of
 * float epsilon (6e-8) times Σ|x·k| over the window (plus |bias|), not times |y|: cancellation
 * can make y itself tiny. Against sums in double, on inputs in [−1, 1), the worst error seen was
 * 1.5e-7 of that sum for Winograd and 2.3e-7 for the direct loop (C from 7 to 261), so 2e-6
 * leaves room of about 6× for their difference, while a wrong tap, pad or tile offset shows up
 * at order 1e-1.
 */
class WinogradTest {
    private static final double TOL = 2e-6;
    /**
     * F(4×4, 3×3)'s tolerance, of the same Σ|x·k| scale: its transforms scale terms by up to 5 and
     * 1/24 and add more of them. Measured worst over the cases here and in WinogradErrorTest:
     * see {@link #TOL4_MEASURED}.
     */
    static final double TOL4 = 2e-5;
    /** The worst error ratio seen for F(4×4, 3×3), recorded here when the tolerance was set. */
    static final String TOL4_MEASURED = "see WinogradErrorTest";

    /** One case: geometry, batch, channels, filters, bias, relu. */
    private record Case(WindowGeometry g, int n, int c, int f, boolean bias, boolean relu) {
        @Override
        public String toString() {
            return "n=" + n + " h=" + g.h() + " w=" + g.w() + " c=" + c + " f=" + f + " pads=(" + g.padTop() + ","
                    + g.padLeft() + ") out=(" + g.oh() + "," + g.ow() + ") bias=" + bias + " relu=" + relu;
        }
    }

    private static Case randomCase(Rng r, int mode) {
        int h = 3 + r.nextInt(8);
        int w = 3 + r.nextInt(8);
        WindowGeometry g = mode == 0 ? WindowGeometry.valid(h, w, 3, 3, 1, 1)
                : mode == 1 ? WindowGeometry.same(h, w, 3, 3, 1, 1) : WindowGeometry.full(h, w, 3, 3, 1, 1);
        return new Case(g, 1 + r.nextInt(3), 1 + r.nextInt(7), 1 + r.nextInt(37), r.nextInt(2) == 0,
                r.nextInt(2) == 0);
    }

    /**
     * Σ over each output's window of |x·k|, plus |bias|, then the largest of these over the m×m
     * tile the output belongs to: the scale of its rounding error (double). The tile's maximum,
     * because Winograd forms a tile's outputs together in the transform domain, where the terms
     * of every output of the tile meet (an edge output whose own window holds little can carry
     * the rounding of a neighbour's large terms); with m = 1 each output's own window.
     */
    private static double[] errorScale(float[] x, float[] k, float[] bias, Case t) {
        return errorScale(x, k, bias, t, 1);
    }

    private static double[] errorScale(float[] x, float[] k, float[] bias, Case t, int m) {
        WindowGeometry g = t.g;
        int c = t.c;
        int f = t.f;
        double[] s = new double[t.n * g.oh() * g.ow() * f];
        for (int b = 0; b < t.n; b++) {
            for (int oy = 0; oy < g.oh(); oy++) {
                for (int ox = 0; ox < g.ow(); ox++) {
                    for (int o = 0; o < f; o++) {
                        double sum = bias == null ? 0 : Math.abs(bias[o]);
                        for (int ky = 0; ky < 3; ky++) {
                            for (int kx = 0; kx < 3; kx++) {
                                int iy = oy - g.padTop() + ky;
                                int ix = ox - g.padLeft() + kx;
                                if (iy < 0 || iy >= g.h() || ix < 0 || ix >= g.w()) {
                                    continue;
                                }
                                for (int ch = 0; ch < c; ch++) {
                                    sum += Math.abs((double) x[((b * g.h() + iy) * g.w() + ix) * c + ch]
                                            * k[((ky * 3 + kx) * c + ch) * f + o]);
                                }
                            }
                        }
                        s[((b * g.oh() + oy) * g.ow() + ox) * f + o] = sum;
                    }
                }
            }
        }
        if (m > 1) {
            int oh = g.oh();
            int ow = g.ow();
            double[] tiled = new double[s.length];
            for (int b = 0; b < t.n; b++) {
                for (int ty = 0; ty < oh; ty += m) {
                    for (int tx = 0; tx < ow; tx += m) {
                        for (int o = 0; o < f; o++) {
                            double max = 0;
                            for (int dy = 0; dy < m && ty + dy < oh; dy++) {
                                for (int dx = 0; dx < m && tx + dx < ow; dx++) {
                                    max = Math.max(max, s[((b * oh + ty + dy) * ow + tx + dx) * f + o]);
                                }
                            }
                            for (int dy = 0; dy < m && ty + dy < oh; dy++) {
                                for (int dx = 0; dx < m && tx + dx < ow; dx++) {
                                    tiled[((b * oh + ty + dy) * ow + tx + dx) * f + o] = max;
                                }
                            }
                        }
                    }
                }
            }
            return tiled;
        }
        return s;
    }

    private static void assertWithin(float[] expected, float[] actual, double[] scale, String what) {
        assertWithin(expected, actual, scale, what, TOL);
    }

    private static void assertWithin(float[] expected, float[] actual, double[] scale, String what, double tol) {
        assertEquals(expected.length, actual.length, what);
        for (int i = 0; i < expected.length; i++) {
            if (!(Math.abs(expected[i] - actual[i]) <= tol * scale[i] + 1e-30)) {
                throw new AssertionError(what + " [" + i + "]: expected " + expected[i] + ", received " + actual[i]
                        + " (allowed " + tol * scale[i] + ")");
            }
        }
    }

    /** Runs the fast and scalar Winograd at both tile sizes and the direct convolution on t; asserts all agree. */
    private static void check(Rng r, Case t) {
        for (int m : new int[]{2, 4}) {
            check(r, t, m);
        }
    }

    private static void check(Rng r, Case t, int m) {
        double tol = m == 2 ? TOL : TOL4;
        WindowGeometry g = t.g;
        float[] x = ConvolutionTest.random(r, t.n * g.h() * g.w() * t.c);
        float[] k = ConvolutionTest.random(r, 9 * t.c * t.f);
        float[] bias = t.bias ? ConvolutionTest.random(r, t.f) : null;
        int size = t.n * g.oh() * g.ow() * t.f;
        float[] direct = new float[size];
        Convolution.forwardScalar(x, k, bias, direct, g, t.n, t.c, t.f);
        float[] directRelu = new float[size];
        Activations.reluScalar(direct, directRelu, size);
        // NaN marks every element the kernels must write: none may survive.
        float[] fast = filled(size);
        float[] fastRelu = t.relu ? filled(size) : null;
        Winograd.forwardPacked(x, Winograd.pack(k, t.c, t.f, m, new Winograd.Packed()), bias, fast, fastRelu, null, g,
                t.n);
        float[] scalar = filled(size);
        float[] scalarRelu = t.relu ? filled(size) : null;
        Winograd.forwardScalar(x, k, bias, scalar, scalarRelu, g, t.n, t.c, t.f, m);
        double[] scale = errorScale(x, k, bias, t, m);
        String what = "F(" + m + "x" + m + ",3x3) ";
        assertWithin(direct, scalar, scale, what + "scalar twin vs direct, " + t, tol);
        assertWithin(direct, fast, scale, what + "vs direct, " + t, tol);
        assertWithin(scalar, fast, scale, what + "vs its scalar twin, " + t, tol);
        if (t.relu) {
            assertWithin(directRelu, scalarRelu, scale, what + "scalar relu, " + t, tol);
            assertWithin(directRelu, fastRelu, scale, what + "relu, " + t, tol);
        }
    }

    private static float[] filled(int n) {
        float[] a = new float[n];
        java.util.Arrays.fill(a, Float.NaN);
        return a;
    }

    @Test
    void matchesDirectConvolutionOverOddShapes() {
        Rng r = new Rng(11);
        for (int i = 0; i < 60; i++) {
            check(r, randomCase(r, i % 3));
        }
    }

    @Test
    void matchesDirectConvolutionAtWideAndKBlockedShapes() {
        Rng r = new Rng(12);
        // Routed sizes (several tile blocks and panels), F not a multiple of any vector width,
        // and C past one K block of Tunables.GEMM_KC.
        check(r, new Case(WindowGeometry.same(11, 9, 3, 3, 1, 1), 3, 19, 37, true, true));
        check(r, new Case(WindowGeometry.valid(20, 17, 3, 3, 1, 1), 2, 33, 21, false, true));
        check(r, new Case(WindowGeometry.same(5, 6, 3, 3, 1, 1), 1, Tunables.GEMM_KC + 5, 3, true, false));
    }

    @Test
    void allOnesKernelSumsEachWindowByHand() {
        // x = 1..16 on a 4×4 image, one channel; a 3×3 all-ones kernel sums each window.
        float[] x = new float[16];
        for (int i = 0; i < 16; i++) {
            x[i] = i + 1;
        }
        float[] k = {1, 1, 1, 1, 1, 1, 1, 1, 1};
        for (int m : new int[]{2, 4}) {
            // F(2×2, 3×3)'s coefficients are exact here; F(4×4, 3×3)'s sixths round.
            float tol = m == 2 ? 0f : 1e-4f;
            Winograd.Packed p = Winograd.pack(k, 1, 1, m, new Winograd.Packed());
            float[] y = new float[4];
            Winograd.forwardPacked(x, p, new float[]{0.5f}, y, null, null, WindowGeometry.valid(4, 4, 3, 3, 1, 1), 1);
            // Windows at (0,0): 1+2+3+5+6+7+9+10+11 = 54; each step right adds 3, down adds 12.
            assertArrayEquals(new float[]{54.5f, 63.5f, 90.5f, 99.5f}, y, tol, "m=" + m);
            float[] ySame = new float[16];
            float[] relu = new float[16];
            Winograd.forwardPacked(x, p, new float[]{-20f}, ySame, relu, null, WindowGeometry.same(4, 4, 3, 3, 1, 1), 1);
            // Corner (0,0) of `same`: 1+2+5+6 = 14, minus 20; its ReLU is 0. Centre (1,1) as above.
            assertEquals(-6f, ySame[0], tol, "m=" + m);
            assertEquals(0f, relu[0], tol, "m=" + m);
            assertEquals(34f, ySame[5], tol, "m=" + m);
            assertEquals(34f, relu[5], tol, "m=" + m);
        }
    }

    @Test
    void routedOnlyForWideThreeByThreeStrideOne() {
        int c = Tunables.WINOGRAD_MIN_CHANNELS;
        int f = Tunables.WINOGRAD_MIN_FILTERS;
        WindowGeometry g = WindowGeometry.same(8, 8, 3, 3, 1, 1);
        assertTrue(Winograd.pays(g, c, f));
        assertTrue(!Winograd.pays(WindowGeometry.same(8, 8, 3, 3, 2, 2), c, f));
        assertTrue(!Winograd.pays(WindowGeometry.same(8, 8, 5, 5, 1, 1), c, f));
        assertTrue(!Winograd.pays(g, c - 1, f));
        assertTrue(!Winograd.pays(g, c, f - 1));
        // The routed call through Convolution equals the direct convolution too.
        Rng r = new Rng(13);
        Case t = new Case(WindowGeometry.same(9, 7, 3, 3, 1, 1), 2, c, f + 3, true, true);
        assertTrue(Winograd.pays(t.g, c, t.f));
        float[] x = ConvolutionTest.random(r, t.n * 9 * 7 * c);
        float[] k = ConvolutionTest.random(r, 9 * c * t.f);
        float[] bias = ConvolutionTest.random(r, t.f);
        int size = t.n * 9 * 7 * t.f;
        float[] direct = new float[size];
        Convolution.forwardScalar(x, k, bias, direct, t.g, t.n, c, t.f);
        float[] y = new float[size];
        float[] relu = new float[size];
        Convolution.forward(x, k, bias, y, relu, new float[Convolution.workspaceSize(t.g, t.n, c)], t.g, t.n, c, t.f);
        double[] scale;
        double tol = Winograd.tile(t.g, t.n, c, t.f) == 2 ? TOL : TOL4;
        scale = errorScale(x, k, bias, t, Winograd.tile(t.g, t.n, c, t.f));
        assertWithin(direct, y, scale, "Convolution.forward routed to Winograd", tol);
        float[] directRelu = new float[size];
        Activations.reluScalar(direct, directRelu, size);
        assertWithin(directRelu, relu, scale, "Convolution.forward relu", tol);
    }

    @Test
    void strideOneBackwardDataTakesTheAdjointWinogradAndMatchesTheDirectLoop() {
        Rng r = new Rng(15);
        int n = 2;
        int c = Tunables.WINOGRAD_MIN_CHANNELS + 5;
        int f = Tunables.WINOGRAD_MIN_FILTERS + 3;
        for (WindowGeometry g : new WindowGeometry[]{WindowGeometry.same(9, 7, 3, 3, 1, 1),
                WindowGeometry.valid(10, 9, 3, 3, 1, 1)}) {
            // dx is the forward convolution of dy (F channels in, C out) with the flipped kernel
            // over the adjoint window; that convolution is what Winograd takes.
            WindowGeometry adjoint = g.stride1Adjoint();
            assertTrue(Winograd.pays(adjoint, f, c), "routed: " + adjoint);
            float[] dy = ConvolutionTest.random(r, n * g.oh() * g.ow() * f);
            float[] k = ConvolutionTest.random(r, 9 * c * f);
            float[] direct = new float[n * g.h() * g.w() * c];
            Convolution.backwardDataScalar(dy, k, direct, g, n, c, f);
            float[] dx = filled(direct.length);
            Convolution.backwardData(dy, k, dx, new float[Convolution.workspaceSize(g, n, c)], g, n, c, f);
            float[] flipped = new float[k.length];
            for (int ky = 0; ky < 3; ky++) {
                for (int kx = 0; kx < 3; kx++) {
                    for (int ch = 0; ch < c; ch++) {
                        for (int o = 0; o < f; o++) {
                            flipped[((ky * 3 + kx) * f + o) * c + ch] = k[(((2 - ky) * 3 + (2 - kx)) * c + ch) * f + o];
                        }
                    }
                }
            }
            double[] scale = errorScale(dy, flipped, null, new Case(adjoint, n, f, c, false, false),
                    Winograd.tile(adjoint, n, f, c));
            assertWithin(direct, dx, scale, "backward-data over " + g, Winograd.tile(adjoint, n, f, c) == 2 ? TOL : TOL4);
        }
    }

    @Test
    void bitIdenticalAtOneAndTwoThreads() {
        int saved = Parallel.threads();
        try {
            Rng r = new Rng(14);
            // 3 × 10 × 9 tiles = 270: several blocks of Tunables.WINOGRAD_TILE_BLOCK, a partial last one.
            WindowGeometry g = WindowGeometry.same(19, 17, 3, 3, 1, 1);
            int n = 3;
            int c = 24;
            int f = 40;
            float[] x = ConvolutionTest.random(r, n * 19 * 17 * c);
            float[] k = ConvolutionTest.random(r, 9 * c * f);
            float[] bias = ConvolutionTest.random(r, f);
            float[][] ys = new float[2][];
            for (int threads = 1; threads <= 2; threads++) {
                Parallel.setThreads(threads);
                float[] y = new float[n * 19 * 17 * f];
                float[] relu = new float[y.length];
                Winograd.forward(x, k, bias, y, relu, g, n, c, f);
                ys[threads - 1] = y;
            }
            assertArrayEquals(ys[0], ys[1]);
        } finally {
            Parallel.setThreads(saved);
        }
    }
}
