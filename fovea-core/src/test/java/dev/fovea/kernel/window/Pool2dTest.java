package dev.fovea.kernel.window;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.fovea.nn.Padding;
import dev.fovea.tensor.Parallel;
import dev.fovea.tensor.Rng;
import org.junit.jupiter.api.Test;

class Pool2dTest {
    private static final int[] CHANNELS = {1, 3, 17, 64};
    /* {kh, kw, sh, sw} */
    private static final int[][] WINDOWS = {{1, 1, 1, 1}, {2, 2, 2, 2}, {3, 3, 2, 2}, {2, 3, 1, 2}, {3, 2, 3, 1}};

    @Test
    void vectorEqualsScalarOnOddShapes() {
        Rng rng = new Rng(7);
        for (int c : CHANNELS) {
            for (int[] hw : new int[][]{{1, 1}, {5, 7}, {4, 4}, {6, 3}}) {
                for (int[] win : WINDOWS) {
                    for (Padding pad : new Padding[]{Padding.VALID, Padding.SAME}) {
                        int n = 1 + rng.nextInt(3);
                        if (pad.outSize(hw[0], win[0], win[2]) >= 1 && pad.outSize(hw[1], win[1], win[3]) >= 1) {
                            assertTwinsAgree(new Case(pad.geometry(hw[0], hw[1], win[0], win[1], win[2], win[3]),
                                    n, c), rng);
                        }
                    }
                }
            }
        }
    }

    @Test
    void globalVectorEqualsScalar() {
        Rng rng = new Rng(8);
        for (int c : CHANNELS) {
            for (int[] hw : new int[][]{{1, 1}, {5, 7}, {3, 3}}) {
                assertTwinsAgree(new Case(WindowGeometry.global(hw[0], hw[1]), 2, c), rng);
            }
        }
    }

    @Test
    void globalPoolingReducesEachChannelOverTheWholeImage() {
        // 2×3 image, 2 channels: channel 0 holds 1..6; channel 1 holds 6, 6, 2, 3, 3, 1 (a tie
        // for the maximum at positions 0 and 1; the first wins). Both sum to 21.
        float[] x = {1, 6, 2, 6, 3, 2, 4, 3, 5, 3, 6, 1};
        WindowGeometry g = WindowGeometry.global(2, 3);
        float[] y = new float[2];
        int[] arg = new int[2];
        Pool2d.maxForward(x, y, arg, g, 1, 2);
        assertArrayEquals(new float[]{6f, 6f}, y);
        assertArrayEquals(new int[]{5, 0}, arg);
        Pool2d.avgForward(x, y, g, 1, 2);
        assertArrayEquals(new float[]{3.5f, 3.5f}, y);
        float[] dx = new float[12];
        Pool2d.avgBackward(new float[]{6, 12}, dx, g, 1, 2);
        assertArrayEquals(new float[]{1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2}, dx);
    }

    @Test
    void sameAveragingDividesByValidElementsAndMaxIgnoresPadding() {
        // 3×3 image 1..9, pool 2, stride 2, SAME: out 2×2, total pad 1, all of it after.
        float[] x = {1, 2, 3, 4, 5, 6, 7, 8, 9};
        WindowGeometry g = WindowGeometry.same(3, 3, 2, 2, 2, 2);
        float[] y = new float[4];
        Pool2d.avgForward(x, y, g, 1, 1);
        assertArrayEquals(new float[]{3f, 4.5f, 7.5f, 9f}, y);
        float[] dx = new float[9];
        Pool2d.avgBackward(new float[]{1, 1, 1, 1}, dx, g, 1, 1);
        assertArrayEquals(new float[]{.25f, .25f, .5f, .25f, .25f, .5f, .5f, .5f, 1f}, dx);
        // Negative values: a padded zero must never win.
        float[] neg = {-1, -2, -3, -4, -5, -6, -7, -8, -9};
        int[] arg = new int[4];
        Pool2d.maxForward(neg, y, arg, g, 1, 1);
        assertArrayEquals(new float[]{-1f, -3f, -7f, -9f}, y);
        assertArrayEquals(new int[]{0, 2, 6, 8}, arg);
    }

    @Test
    void maxTiesGoToTheFirstElementInWindowOrder() {
        float[] x = new float[4 * 4 * 17];
        java.util.Arrays.fill(x, 3f);
        float[] y = new float[2 * 2 * 17];
        int[] arg = new int[y.length];
        WindowGeometry g = WindowGeometry.valid(4, 4, 2, 2, 2, 2);
        Pool2d.maxForward(x, y, arg, g, 1, 17);
        float[] dx = new float[x.length];
        float[] dy = new float[y.length];
        java.util.Arrays.fill(dy, 1f);
        Pool2d.maxBackward(dy, arg, dx, g, 1, 17);
        for (int ch = 0; ch < 17; ch++) {
            assertArrayEquals(new int[]{0, 2, 8, 10}, new int[]{arg[ch], arg[17 + ch], arg[34 + ch], arg[51 + ch]});
            for (int pos = 0; pos < 16; pos++) {
                float want = pos == 0 || pos == 2 || pos == 8 || pos == 10 ? 1f : 0f;
                org.junit.jupiter.api.Assertions.assertEquals(want, dx[pos * 17 + ch]);
            }
        }
    }

    @Test
    void resultsAreBitIdenticalAtOneAndTwoThreads() {
        Rng rng = new Rng(9);
        Case g = new Case(WindowGeometry.same(9, 7, 3, 3, 2, 2), 5, 19);
        float[] x = random(rng, g.inSize(), true);
        float[] dy = random(rng, g.outSize(), false);
        int prev = Parallel.threads();
        try {
            Parallel.setThreads(1);
            float[][] one = g.runAll(x, dy);
            Parallel.setThreads(2);
            float[][] two = g.runAll(x, dy);
            for (int i = 0; i < one.length; i++) {
                assertArrayEquals(one[i], two[i]);
            }
        } finally {
            Parallel.setThreads(prev);
        }
    }

    private static void assertTwinsAgree(Case k, Rng rng) {
        WindowGeometry g = k.g();
        float[] x = random(rng, k.inSize(), true);
        float[] dy = random(rng, k.outSize(), false);
        float[] y1 = new float[k.outSize()];
        float[] y2 = new float[k.outSize()];
        int[] a1 = new int[k.outSize()];
        int[] a2 = new int[k.outSize()];
        Pool2d.maxForward(x, y1, a1, g, k.n(), k.c());
        Pool2d.maxForwardScalar(x, y2, a2, g, k.n(), k.c());
        assertArrayEquals(y2, y1, k.toString());
        assertArrayEquals(a2, a1, k.toString());
        float[] dx1 = random(rng, x.length, false); // stale contents must be overwritten
        float[] dx2 = new float[x.length];
        Pool2d.maxBackward(dy, a1, dx1, g, k.n(), k.c());
        Pool2d.maxBackwardScalar(dy, a2, dx2, g, k.n(), k.c());
        assertArrayEquals(dx2, dx1, k.toString());
        Pool2d.avgForward(x, y1, g, k.n(), k.c());
        Pool2d.avgForwardScalar(x, y2, g, k.n(), k.c());
        assertArrayEquals(y2, y1, k.toString());
        Pool2d.avgBackward(dy, dx1, g, k.n(), k.c());
        Pool2d.avgBackwardScalar(dy, dx2, g, k.n(), k.c());
        assertArrayEquals(dx2, dx1, k.toString());
    }

    /** Random values; {@code ties} draws from 5 levels so equal maxima are common. */
    static float[] random(Rng rng, int n, boolean ties) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = ties ? rng.nextInt(5) - 2f : rng.nextFloat() * 2f - 1f;
        }
        return a;
    }

    /** A pooling window with its batch size n and channels c. */
    private record Case(WindowGeometry g, int n, int c) {
        int inSize() {
            return n * g.h() * g.w() * c;
        }

        int outSize() {
            return n * g.oh() * g.ow() * c;
        }

        float[][] runAll(float[] x, float[] dy) {
            float[] ym = new float[outSize()];
            int[] arg = new int[outSize()];
            float[] dxm = new float[x.length];
            float[] ya = new float[outSize()];
            float[] dxa = new float[x.length];
            Pool2d.maxForward(x, ym, arg, g, n, c);
            Pool2d.maxBackward(dy, arg, dxm, g, n, c);
            Pool2d.avgForward(x, ya, g, n, c);
            Pool2d.avgBackward(dy, dxa, g, n, c);
            return new float[][]{ym, dxm, ya, dxa};
        }
    }
}
