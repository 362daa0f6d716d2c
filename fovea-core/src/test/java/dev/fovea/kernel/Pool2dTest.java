package dev.fovea.kernel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.fovea.nn.Padding;
import dev.fovea.tensor.Parallel;
import dev.fovea.tensor.Rng;
import org.junit.jupiter.api.Test;

class Pool2dTest {
    private static final int[] CHANNELS = {1, 3, 17, 64};
    /* {ph, pw, sh, sw} */
    private static final int[][] WINDOWS = {{1, 1, 1, 1}, {2, 2, 2, 2}, {3, 3, 2, 2}, {2, 3, 1, 2}, {3, 2, 3, 1}};

    @Test
    void vectorEqualsScalarOnOddShapes() {
        Rng rng = new Rng(7);
        for (int c : CHANNELS) {
            for (int[] hw : new int[][]{{1, 1}, {5, 7}, {4, 4}, {6, 3}}) {
                for (int[] win : WINDOWS) {
                    for (Padding pad : new Padding[]{Padding.VALID, Padding.SAME}) {
                        int n = 1 + rng.nextInt(3);
                        Geometry g = Geometry.of(n, hw[0], hw[1], c, win, pad);
                        if (g != null) {
                            assertTwinsAgree(g, rng);
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
                int n = 2;
                int h = hw[0];
                int w = hw[1];
                float[] x = random(rng, n * h * w * c, true);
                float[] dy = random(rng, n * c, false);
                float[] y1 = new float[n * c];
                float[] y2 = new float[n * c];
                int[] a1 = new int[n * c];
                int[] a2 = new int[n * c];
                Pool2d.globalMaxForward(x, y1, a1, n, h, w, c);
                Pool2d.globalMaxForwardScalar(x, y2, a2, n, h, w, c);
                assertArrayEquals(y2, y1);
                assertArrayEquals(a2, a1);
                float[] dx1 = random(rng, x.length, false);
                float[] dx2 = new float[x.length];
                Pool2d.globalMaxBackward(dy, a1, dx1, n, h, w, c);
                Pool2d.globalMaxBackwardScalar(dy, a2, dx2, n, h, w, c);
                assertArrayEquals(dx2, dx1);
                Pool2d.globalAvgForward(x, y1, n, h, w, c);
                Pool2d.globalAvgForwardScalar(x, y2, n, h, w, c);
                assertArrayEquals(y2, y1);
                Pool2d.globalAvgBackward(dy, dx1, n, h, w, c);
                Pool2d.globalAvgBackwardScalar(dy, dx2, n, h, w, c);
                assertArrayEquals(dx2, dx1);
            }
        }
    }

    @Test
    void sameAveragingDividesByValidElementsAndMaxIgnoresPadding() {
        // 3×3 image 1..9, pool 2, stride 2, SAME: out 2×2, total pad 1, all of it after.
        float[] x = {1, 2, 3, 4, 5, 6, 7, 8, 9};
        int pt = Padding.SAME.padBefore(3, 2, 2);
        float[] y = new float[4];
        Pool2d.avgForward(x, y, 1, 3, 3, 1, 2, 2, 2, 2, 2, 2, pt, pt);
        assertArrayEquals(new float[]{3f, 4.5f, 7.5f, 9f}, y);
        float[] dx = new float[9];
        Pool2d.avgBackward(new float[]{1, 1, 1, 1}, dx, 1, 3, 3, 1, 2, 2, 2, 2, 2, 2, pt, pt);
        assertArrayEquals(new float[]{.25f, .25f, .5f, .25f, .25f, .5f, .5f, .5f, 1f}, dx);
        // Negative values: a padded zero must never win.
        float[] neg = {-1, -2, -3, -4, -5, -6, -7, -8, -9};
        int[] arg = new int[4];
        Pool2d.maxForward(neg, y, arg, 1, 3, 3, 1, 2, 2, 2, 2, 2, 2, pt, pt);
        assertArrayEquals(new float[]{-1f, -3f, -7f, -9f}, y);
        assertArrayEquals(new int[]{0, 2, 6, 8}, arg);
    }

    @Test
    void maxTiesGoToTheFirstElementInWindowOrder() {
        float[] x = new float[4 * 4 * 17];
        java.util.Arrays.fill(x, 3f);
        float[] y = new float[2 * 2 * 17];
        int[] arg = new int[y.length];
        Pool2d.maxForward(x, y, arg, 1, 4, 4, 17, 2, 2, 2, 2, 2, 2, 0, 0);
        float[] dx = new float[x.length];
        float[] dy = new float[y.length];
        java.util.Arrays.fill(dy, 1f);
        Pool2d.maxBackward(dy, arg, dx, 1, 4, 4, 17, 2, 2, 2, 2, 2, 2, 0, 0);
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
        Geometry g = Geometry.of(5, 9, 7, 19, new int[]{3, 3, 2, 2}, Padding.SAME);
        float[] x = random(rng, g.n * g.h * g.w * g.c, true);
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

    private static void assertTwinsAgree(Geometry g, Rng rng) {
        float[] x = random(rng, g.n * g.h * g.w * g.c, true);
        float[] dy = random(rng, g.outSize(), false);
        float[] y1 = new float[g.outSize()];
        float[] y2 = new float[g.outSize()];
        int[] a1 = new int[g.outSize()];
        int[] a2 = new int[g.outSize()];
        Pool2d.maxForward(x, y1, a1, g.n, g.h, g.w, g.c, g.oh, g.ow, g.ph, g.pw, g.sh, g.sw, g.pt, g.pl);
        Pool2d.maxForwardScalar(x, y2, a2, g.n, g.h, g.w, g.c, g.oh, g.ow, g.ph, g.pw, g.sh, g.sw, g.pt, g.pl);
        assertArrayEquals(y2, y1, g.toString());
        assertArrayEquals(a2, a1, g.toString());
        float[] dx1 = random(rng, x.length, false); // stale contents must be overwritten
        float[] dx2 = new float[x.length];
        Pool2d.maxBackward(dy, a1, dx1, g.n, g.h, g.w, g.c, g.oh, g.ow, g.ph, g.pw, g.sh, g.sw, g.pt, g.pl);
        Pool2d.maxBackwardScalar(dy, a2, dx2, g.n, g.h, g.w, g.c, g.oh, g.ow, g.ph, g.pw, g.sh, g.sw, g.pt, g.pl);
        assertArrayEquals(dx2, dx1, g.toString());
        Pool2d.avgForward(x, y1, g.n, g.h, g.w, g.c, g.oh, g.ow, g.ph, g.pw, g.sh, g.sw, g.pt, g.pl);
        Pool2d.avgForwardScalar(x, y2, g.n, g.h, g.w, g.c, g.oh, g.ow, g.ph, g.pw, g.sh, g.sw, g.pt, g.pl);
        assertArrayEquals(y2, y1, g.toString());
        Pool2d.avgBackward(dy, dx1, g.n, g.h, g.w, g.c, g.oh, g.ow, g.ph, g.pw, g.sh, g.sw, g.pt, g.pl);
        Pool2d.avgBackwardScalar(dy, dx2, g.n, g.h, g.w, g.c, g.oh, g.ow, g.ph, g.pw, g.sh, g.sw, g.pt, g.pl);
        assertArrayEquals(dx2, dx1, g.toString());
    }

    /** Random values; {@code ties} draws from 5 levels so equal maxima are common. */
    static float[] random(Rng rng, int n, boolean ties) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = ties ? rng.nextInt(5) - 2f : rng.nextFloat() * 2f - 1f;
        }
        return a;
    }

    private record Geometry(int n, int h, int w, int c, int oh, int ow, int ph, int pw, int sh, int sw,
                            int pt, int pl) {
        static Geometry of(int n, int h, int w, int c, int[] win, Padding pad) {
            int oh = pad.outSize(h, win[0], win[2]);
            int ow = pad.outSize(w, win[1], win[3]);
            if (oh < 1 || ow < 1) {
                return null;
            }
            return new Geometry(n, h, w, c, oh, ow, win[0], win[1], win[2], win[3],
                    pad.padBefore(h, win[0], win[2]), pad.padBefore(w, win[1], win[3]));
        }

        int outSize() {
            return n * oh * ow * c;
        }

        float[][] runAll(float[] x, float[] dy) {
            float[] ym = new float[outSize()];
            int[] arg = new int[outSize()];
            float[] dxm = new float[x.length];
            float[] ya = new float[outSize()];
            float[] dxa = new float[x.length];
            Pool2d.maxForward(x, ym, arg, n, h, w, c, oh, ow, ph, pw, sh, sw, pt, pl);
            Pool2d.maxBackward(dy, arg, dxm, n, h, w, c, oh, ow, ph, pw, sh, sw, pt, pl);
            Pool2d.avgForward(x, ya, n, h, w, c, oh, ow, ph, pw, sh, sw, pt, pl);
            Pool2d.avgBackward(dy, dxa, n, h, w, c, oh, ow, ph, pw, sh, sw, pt, pl);
            return new float[][]{ym, dxm, ya, dxa};
        }
    }
}
