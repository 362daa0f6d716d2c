package dev.fovea.kernel.conv;

import dev.fovea.kernel.window.WindowGeometry;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.fovea.tensor.Parallel;
import dev.fovea.tensor.Rng;
import org.junit.jupiter.api.Test;

/**
 * The convolution's routes (implicit GEMM, direct, pointwise, and for strided backward-data the
 * im2col fallback) against the direct seven-loop one; {@link ConvolutionFallbackTest} forces the
 * fallback for every pass.
 */
class ConvolutionTest {
    /** One convolution: its window, batch n, input channels c, filters f. */
    record Case(WindowGeometry g, int n, int c, int f) {
        static Case of(int n, int h, int w, int c, int kh, int kw, int f, int sh, int sw, int padTop, int padLeft,
                       int oh, int ow) {
            return new Case(new WindowGeometry(h, w, kh, kw, sh, sw, padTop, padLeft, oh, ow), n, c, f);
        }

        int xSize() {
            return n * g.h() * g.w() * c;
        }

        int ySize() {
            return n * g.oh() * g.ow() * f;
        }

        int kernelSize() {
            return g.kh() * g.kw() * c * f;
        }

        int window() {
            return g.kh() * g.kw() * c;
        }
    }

    private static WindowGeometry geometry(int mode, int h, int w, int kh, int kw, int sh, int sw) {
        return switch (mode) {
            case 0 -> WindowGeometry.valid(h, w, kh, kw, sh, sw);
            case 1 -> WindowGeometry.same(h, w, kh, kw, sh, sw);
            default -> WindowGeometry.full(h, w, kh, kw, sh, sw);
        };
    }

    static float[] random(Rng r, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = r.nextFloat() * 2f - 1f;
        }
        return a;
    }

    static void assertClose(float[] expected, float[] actual, double tol, String what) {
        assertEquals(expected.length, actual.length, what);
        for (int i = 0; i < expected.length; i++) {
            double e = expected[i];
            if (Math.abs(e - actual[i]) > tol * (1 + Math.abs(e))) {
                throw new AssertionError(what + " [" + i + "]: expected " + e + ", got " + actual[i]);
            }
        }
    }

    @Test
    void fastMatchesDirectConvolution() {
        Rng r = new Rng(7);
        int cases = 0;
        for (int mode = 0; mode < 3; mode++) {
            for (int s = 1; s <= 3; s++) {
                for (int k = 1; k <= 5; k++) {
                    int n = 1 + r.nextInt(3);
                    int h = 1 + r.nextInt(9);
                    int w = 1 + r.nextInt(9);
                    int c = 1 + r.nextInt(5);
                    int f = 1 + r.nextInt(7);
                    int kh = k;
                    int kw = 1 + r.nextInt(5);
                    int sw = 1 + r.nextInt(3);
                    if (mode == 0 && (h < kh || w < kw)) {
                        continue;
                    }
                    check(new Case(geometry(mode, h, w, kh, kw, s, sw), n, c, f), r, (k + s) % 2 == 0);
                    cases++;
                }
            }
        }
        assertEquals(true, cases > 30, "too few valid cases: " + cases);
    }

    @Test
    void pointwiseAndSizeOneCases() {
        Rng r = new Rng(3);
        check(Case.of(3, 5, 4, 7, 1, 1, 9, 1, 1, 0, 0, 5, 4), r, true);
        check(Case.of(1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 1, 1), r, false);
        check(Case.of(2, 1, 1, 3, 3, 3, 2, 1, 1, 1, 1, 1, 1), r, true);
        // A 576-long window (3×3×64) with 17 filters: too long for the direct forward, so the
        // blocked implicit GEMM (K in KC blocks); backward-data is the same route with 64 outputs.
        check(Case.of(2, 32, 32, 64, 3, 3, 17, 1, 1, 1, 1, 32, 32), r, true);
        // 32 filters: the direct (padded-input) forward and backward-data kernels, and 2304 rows:
        // a weight gradient summed over two segments; 5x5 valid with 40 filters: the im2col blocks.
        check(Case.of(4, 24, 24, 16, 3, 3, 32, 1, 1, 1, 1, 24, 24), r, true);
        check(Case.of(3, 13, 11, 8, 5, 5, 40, 1, 1, 0, 0, 9, 7), r, false);
    }

    private static void check(Case k, Rng r, boolean withBias) {
        WindowGeometry g = k.g();
        int n = k.n();
        int c = k.c();
        int f = k.f();
        float[] x = random(r, k.xSize());
        float[] kernel = random(r, k.kernelSize());
        float[] bias = withBias ? random(r, f) : null;
        float[] dy = random(r, k.ySize());
        float[] work = new float[Convolution.workspaceSize(g, n, c)];
        String what = k + " bias=" + withBias;
        double tol = 2e-6 * k.window();

        float[] yRef = new float[dy.length];
        float[] y = new float[dy.length];
        Convolution.forwardScalar(x, kernel, bias, yRef, g, n, c, f);
        Convolution.forward(x, kernel, bias, y, work, g, n, c, f);
        assertClose(yRef, y, tol, "forward " + what);

        float[] dxRef = new float[x.length];
        float[] dx = random(r, x.length); // garbage: backward-data must overwrite it
        Convolution.backwardDataScalar(dy, kernel, dxRef, g, n, c, f);
        Convolution.backwardData(dy, kernel, dx, work, g, n, c, f);
        assertClose(dxRef, dx, 2e-6 * f * g.kh() * g.kw(), "backward data " + what);

        float[] dkRef = random(new Rng(1), kernel.length);
        float[] dk = dkRef.clone();
        float[] dbRef = withBias ? random(new Rng(2), f) : null;
        float[] db = withBias ? dbRef.clone() : null;
        Convolution.backwardWeightsScalar(x, dy, dkRef, dbRef, g, n, c, f);
        Convolution.backwardWeights(x, dy, dk, db, work, g, n, c, f);
        double rows = (double) n * g.oh() * g.ow();
        assertClose(dkRef, dk, 2e-6 * rows, "backward weights " + what);
        if (withBias) {
            assertClose(dbRef, db, 2e-6 * rows, "backward bias " + what);
        }
    }

    @Test
    void bitIdenticalAtAnyThreadCount() {
        int saved = Parallel.threads();
        try {
            Rng r = new Rng(5);
            Case k = Case.of(5, 20, 20, 24, 3, 3, 40, 1, 1, 1, 1, 20, 20);
            WindowGeometry g = k.g();
            float[] x = random(r, k.xSize());
            float[] kernel = random(r, k.kernelSize());
            float[] dy = random(r, k.ySize());
            float[][] first = null;
            for (int t : new int[]{1, 2, 3}) {
                Parallel.setThreads(t);
                float[] work = new float[Convolution.workspaceSize(g, k.n(), k.c())];
                float[] y = new float[dy.length];
                float[] dx = new float[x.length];
                float[] dk = new float[kernel.length];
                Convolution.forward(x, kernel, null, y, work, g, k.n(), k.c(), k.f());
                Convolution.backwardData(dy, kernel, dx, work, g, k.n(), k.c(), k.f());
                Convolution.backwardWeights(x, dy, dk, null, work, g, k.n(), k.c(), k.f());
                float[][] now = {y, dx, dk};
                if (first == null) {
                    first = now;
                } else {
                    for (int i = 0; i < 3; i++) {
                        assertArrayEquals(first[i], now[i], "output " + i + " at " + t + " threads");
                    }
                }
            }
        } finally {
            Parallel.setThreads(saved);
        }
    }
}
