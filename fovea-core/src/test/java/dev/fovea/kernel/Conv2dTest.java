package dev.fovea.kernel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.fovea.tensor.Parallel;
import dev.fovea.tensor.Rng;
import org.junit.jupiter.api.Test;

/** The im2col + GEMM convolution against the direct seven-loop one. */
class Conv2dTest {
    /** Same before-pad arithmetic as {@code dev.fovea.nn.Padding}, restated so kernels test alone. */
    private static int[] outAndPad(int mode, int n, int k, int s) {
        return switch (mode) {
            case 0 -> new int[]{n >= k ? (n - k) / s + 1 : 0, 0};
            case 1 -> {
                int out = (n + s - 1) / s;
                yield new int[]{out, Math.max((out - 1) * s + k - n, 0) / 2};
            }
            default -> new int[]{(n + k - 2) / s + 1, k - 1};
        };
    }

    private static float[] random(Rng r, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = r.nextFloat() * 2f - 1f;
        }
        return a;
    }

    private static void assertClose(float[] expected, float[] actual, double tol, String what) {
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
                    int[] oy = outAndPad(mode, h, kh, s);
                    int[] ox = outAndPad(mode, w, kw, sw);
                    if (oy[0] < 1 || ox[0] < 1) {
                        continue;
                    }
                    Conv2d.Geometry g = new Conv2d.Geometry(n, h, w, c, kh, kw, f, s, sw, oy[1], ox[1], oy[0], ox[0]);
                    check(g, r, (k + s) % 2 == 0);
                    cases++;
                }
            }
        }
        assertEquals(true, cases > 30, "too few valid cases: " + cases);
    }

    @Test
    void pointwiseAndSizeOneCases() {
        Rng r = new Rng(3);
        check(new Conv2d.Geometry(3, 5, 4, 7, 1, 1, 9, 1, 1, 0, 0, 5, 4), r, true);
        check(new Conv2d.Geometry(1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 1, 1), r, false);
        check(new Conv2d.Geometry(2, 1, 1, 3, 3, 3, 2, 1, 1, 1, 1, 1, 1), r, true);
        // Larger than one chunk, so chunked dkernel accumulation is exercised.
        check(new Conv2d.Geometry(2, 32, 32, 64, 3, 3, 17, 1, 1, 1, 1, 32, 32), r, true);
        // 32 filters: the direct (padded-input) forward and backward-data kernels, and 2304 rows:
        // a weight gradient summed over two segments; 5x5 valid with 40 filters: the im2col blocks.
        check(new Conv2d.Geometry(4, 24, 24, 16, 3, 3, 32, 1, 1, 1, 1, 24, 24), r, true);
        check(new Conv2d.Geometry(3, 13, 11, 8, 5, 5, 40, 1, 1, 0, 0, 9, 7), r, false);
    }

    private static void check(Conv2d.Geometry g, Rng r, boolean withBias) {
        float[] x = random(r, g.n() * g.h() * g.w() * g.c());
        float[] kernel = random(r, g.kh() * g.kw() * g.c() * g.f());
        float[] bias = withBias ? random(r, g.f()) : null;
        float[] dy = random(r, g.n() * g.oh() * g.ow() * g.f());
        float[] work = new float[g.workspaceSize()];
        String what = g + " bias=" + withBias;
        double tol = 2e-6 * g.window();

        float[] yRef = new float[dy.length];
        float[] y = new float[dy.length];
        Conv2d.conv2dForwardScalar(x, kernel, bias, yRef, g);
        Conv2d.conv2dForward(x, kernel, bias, y, work, g);
        assertClose(yRef, y, tol, "forward " + what);

        float[] dxRef = new float[x.length];
        float[] dx = random(r, x.length); // garbage: backward-data must overwrite it
        Conv2d.conv2dBackwardDataScalar(dy, kernel, dxRef, g);
        Conv2d.conv2dBackwardData(dy, kernel, dx, work, g);
        assertClose(dxRef, dx, 2e-6 * g.f() * g.kh() * g.kw(), "backward data " + what);

        float[] dkRef = random(new Rng(1), kernel.length);
        float[] dk = dkRef.clone();
        float[] dbRef = withBias ? random(new Rng(2), g.f()) : null;
        float[] db = withBias ? dbRef.clone() : null;
        Conv2d.conv2dBackwardWeightsScalar(x, dy, dkRef, dbRef, g);
        Conv2d.conv2dBackwardWeights(x, dy, dk, db, work, g);
        double rows = (double) g.n() * g.oh() * g.ow();
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
            Conv2d.Geometry g = new Conv2d.Geometry(5, 20, 20, 24, 3, 3, 40, 1, 1, 1, 1, 20, 20);
            float[] x = random(r, g.n() * g.h() * g.w() * g.c());
            float[] kernel = random(r, g.window() * g.f());
            float[] dy = random(r, g.n() * g.oh() * g.ow() * g.f());
            float[][] first = null;
            for (int t : new int[]{1, 2, 3}) {
                Parallel.setThreads(t);
                float[] work = new float[g.workspaceSize()];
                float[] y = new float[dy.length];
                float[] dx = new float[x.length];
                float[] dk = new float[kernel.length];
                Conv2d.conv2dForward(x, kernel, null, y, work, g);
                Conv2d.conv2dBackwardData(dy, kernel, dx, work, g);
                Conv2d.conv2dBackwardWeights(x, dy, dk, null, work, g);
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

    @Test
    void geometryRejectsOutputsThatDoNotFit() {
        assertThrows(IllegalArgumentException.class,
                () -> new Conv2d.Geometry(1, 4, 4, 1, 3, 3, 1, 1, 1, 0, 0, 5, 2));
        assertThrows(IllegalArgumentException.class,
                () -> new Conv2d.Geometry(1, 4, 4, 0, 3, 3, 1, 1, 1, 0, 0, 2, 2));
    }
}
