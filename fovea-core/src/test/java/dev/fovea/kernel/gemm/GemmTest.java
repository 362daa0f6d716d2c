package dev.fovea.kernel.gemm;

import dev.fovea.kernel.gemm.generated.GemmKernels;
import dev.fovea.kernel.Tunables;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.fovea.tensor.Parallel;
import dev.fovea.tensor.Rng;
import org.junit.jupiter.api.Test;

/** The packed Vector API GEMM against the scalar triple loop, and against itself across thread counts. */
class GemmTest {
    private static final int[] SIZES = {1, 2, 7, 15, 16, 17, 33, 48, 49, 100, 300};

    private static float[] random(Rng r, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = r.nextFloat() * 2f - 1f;
        }
        return a;
    }

    /** One product with random offsets and padded leading dimensions; C's padding must stay untouched. */
    private static void check(Rng r, int m, int n, int k, boolean ta, boolean tb, boolean acc) {
        int aRows = ta ? k : m;
        int aCols = ta ? m : k;
        int bRows = tb ? n : k;
        int bCols = tb ? k : n;
        int lda = aCols + r.nextInt(5);
        int ldb = bCols + r.nextInt(5);
        int ldc = n + r.nextInt(5);
        int aOff = r.nextInt(9);
        int bOff = r.nextInt(9);
        int cOff = r.nextInt(9);
        float[] a = random(r, aOff + aRows * lda);
        float[] b = random(r, bOff + bRows * ldb);
        float[] c0 = random(r, cOff + m * ldc + 3);
        float[] expected = c0.clone();
        float[] actual = c0.clone();
        Gemm.gemmScalar(a, aOff, lda, ta, b, bOff, ldb, tb, expected, cOff, ldc, m, n, k, acc);
        Gemm.gemm(a, aOff, lda, ta, b, bOff, ldb, tb, actual, cOff, ldc, m, n, k, acc);
        String what = "m=" + m + " n=" + n + " k=" + k + " transA=" + ta + " transB=" + tb + " accumulate=" + acc;
        double tol = 1e-5 * k;
        for (int i = 0; i < c0.length; i++) {
            int row = (i - cOff) / ldc;
            int col = (i - cOff) % ldc;
            boolean inside = i >= cOff && row < m && col < n;
            if (!inside) {
                assertEquals(c0[i], actual[i], what + ": wrote outside C at " + i);
            } else if (Math.abs(expected[i] - actual[i]) > tol * (1 + Math.abs(expected[i]))) {
                throw new AssertionError(what + ": C(" + row + "," + col + ") expected " + expected[i]
                        + ", got " + actual[i]);
            }
        }
    }

    /**
     * At 1 thread wide products run on packed A panels; at 3 they are split into narrow column
     * groups that read A in place: both paths are checked.
     */
    @Test
    void fastMatchesScalarOnManyShapes() {
        int saved = Parallel.threads();
        try {
            for (int threads : new int[]{1, 3}) {
                Parallel.setThreads(threads);
                Rng r = new Rng(42 + threads);
                int cases = 0;
                for (int m : SIZES) {
                    for (int n : SIZES) {
                        // Every (m, n) pair with a k from the list, cycling so all k values occur.
                        int k = SIZES[(cases * 7 + m + n) % SIZES.length];
                        for (int t = 0; t < 4; t++) {
                            check(r, m, n, k, (t & 1) != 0, (t & 2) != 0, (cases + t) % 2 == 0);
                        }
                        cases++;
                    }
                }
            }
        } finally {
            Parallel.setThreads(saved);
        }
    }

    @Test
    void blockBoundariesOfKMAndN() {
        Rng r = new Rng(43);
        int kc = Tunables.GEMM_KC;
        int[][] shapes = {
            {Tunables.GEMM_MC + 9, 2 * GemmKernels.VL + 5, kc + 1},
            {17, Tunables.GEMM_NC + GemmKernels.VL + 3, 19},
            {2 * Tunables.GEMM_MC, 64, 2 * kc + 37},
            {300, 32, 300},
            {49, 100, 1},
            {8, 10, 1100},
        };
        for (int[] s : shapes) {
            for (int t = 0; t < 4; t++) {
                check(r, s[0], s[1], s[2], (t & 1) != 0, (t & 2) != 0, t % 3 == 0);
            }
        }
    }

    @Test
    void zeroKWritesZerosOrLeavesC() {
        float[] c = {5f, 6f};
        Gemm.gemm(new float[0], 0, 1, false, new float[0], 0, 2, false, c, 0, 2, 1, 2, 0, true);
        assertArrayEquals(new float[]{5f, 6f}, c);
        Gemm.gemm(new float[0], 0, 1, false, new float[0], 0, 2, false, c, 0, 2, 1, 2, 0, false);
        assertArrayEquals(new float[]{0f, 0f}, c);
    }

    @Test
    void bitIdenticalAtOneTwoAndThreeThreads() {
        int saved = Parallel.threads();
        try {
            Rng r = new Rng(44);
            int[][] shapes = {{300, 100, 300}, {33, 1600, 70}, {1000, 17, 9}, {129, 64, 600}};
            for (int[] s : shapes) {
                int m = s[0];
                int n = s[1];
                int k = s[2];
                for (int t = 0; t < 4; t++) {
                    boolean ta = (t & 1) != 0;
                    boolean tb = (t & 2) != 0;
                    float[] a = random(r, m * k);
                    float[] b = random(r, k * n);
                    float[] c0 = random(r, m * n);
                    float[] first = null;
                    for (int threads : new int[]{1, 2, 3}) {
                        Parallel.setThreads(threads);
                        float[] c = c0.clone();
                        Gemm.gemm(a, 0, ta ? m : k, ta, b, 0, tb ? k : n, tb, c, 0, n, m, n, k, t == 1);
                        if (first == null) {
                            first = c;
                        } else {
                            assertArrayEquals(first, c, "m=" + m + " n=" + n + " k=" + k + " t=" + t
                                    + " at " + threads + " threads");
                        }
                    }
                }
            }
        } finally {
            Parallel.setThreads(saved);
        }
    }

    /** A few rows by an untransposed B (a dense layer at batch 1–4) take the streaming path. */
    @Test
    void fewRowsStreamBAndMatchTheScalarProductAtAnyThreadCount() {
        int saved = Parallel.threads();
        try {
            Rng r = new Rng(46);
            for (int m = 1; m <= Tunables.GEMM_THIN_ROWS; m++) {
                // 1037 columns: two full column blocks, a partial one and a vector tail; 7: tail only.
                for (int[] nk : new int[][]{{1037, 300}, {7, 2048}, {1024, 64}}) {
                    for (int t = 0; t < 4; t++) {
                        check(r, m, nk[0], nk[1], (t & 1) != 0, false, (t & 2) != 0);
                    }
                }
                float[] a = random(r, m * 300);
                float[] b = random(r, 300 * 1037);
                float[] c0 = random(r, m * 1037);
                float[] first = null;
                for (int threads : new int[]{1, 2, 3}) {
                    Parallel.setThreads(threads);
                    float[] c = c0.clone();
                    Gemm.gemm(a, 0, 300, false, b, 0, 1037, false, c, 0, 1037, m, 1037, 300, true);
                    if (first == null) {
                        first = c;
                    } else {
                        assertArrayEquals(first, c, "m=" + m + " at " + threads + " threads");
                    }
                }
            }
        } finally {
            Parallel.setThreads(saved);
        }
    }

    /** VECTOR-API.md's cliff: a kernel that boxes vectors allocates; this one must not, once warm. */
    @Test
    void steadyStateCallsAllocateNothing() {
        int saved = Parallel.threads();
        try {
            Parallel.setThreads(1);
            Rng r = new Rng(45);
            int m = 41;
            int n = 200;
            int k = 70;
            float[] a = random(r, m * k);
            float[] b = random(r, k * n);
            float[] c = new float[m * n];
            var mx = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
            long tid = Thread.currentThread().getId();
            long used = Long.MAX_VALUE;
            // Until C2 has compiled the kernels, the Vector API runs boxed and allocates; wait for
            // a clean round (a few hundred small calls on an idle machine), at most 6 s.
            long deadline = System.nanoTime() + 6_000_000_000L;
            while (used > 0 && System.nanoTime() < deadline) {
                long before = mx.getThreadAllocatedBytes(tid);
                for (int t = 0; t < 4; t++) {
                    Gemm.gemm(a, 0, (t & 1) != 0 ? m : k, (t & 1) != 0, b, 0, (t & 2) != 0 ? k : n, (t & 2) != 0,
                            c, 0, n, m, n, k, false);
                }
                Gemm.gemm(a, 0, k, false, b, 0, n, false, c, 0, n, 2, n, k, false); // the streaming path
                used = mx.getThreadAllocatedBytes(tid) - before;
            }
            assertEquals(0, used, "bytes allocated by four warm GEMM calls");
        } finally {
            Parallel.setThreads(saved);
        }
    }
}
