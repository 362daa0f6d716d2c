package dev.fovea.kernel.gemm;

import dev.fovea.kernel.gemm.generated.GemmKernels;
import dev.fovea.kernel.gemm.generated.GemmKernelsStrided;
import dev.fovea.kernel.Tunables;

import static dev.fovea.kernel.gemm.generated.GemmKernels.MR;
import static dev.fovea.kernel.gemm.generated.GemmKernels.NV;
import static dev.fovea.kernel.gemm.generated.GemmKernels.VL;

import dev.fovea.tensor.Parallel;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;
import jdk.incubator.vector.FloatVector;

/**
 * Single-precision matrix product {@code C (m×n) (= or +=) op(A) (m×k) · op(B) (k×n)}.
 *
 * <p>Argument order, as in every kernel: inputs, then outputs, then dimensions and settings.
 * All matrices are row-major with explicit leading strides. {@code op(A)} is A itself (A is m×k,
 * element (i,p) at {@code a[aOff + i·lda + p]}) or, when {@code transA}, Aᵀ of a k×m A (element
 * (i,p) at {@code a[aOff + p·lda + i]}); likewise for B.
 *
 * <p>The fast path is the classic Goto/BLIS loop nest: op(B) is packed, block by block
 * (KC × NC, {@link Tunables}), into contiguous panels of up to {@link GemmKernels#NV} vectors' width; op(A) into
 * {@link GemmKernels#MR}-row panels of MC-row blocks, or read in place when C is narrow
 * ({@link GemmKernelsStrided}); {@link GemmKernels} multiplies one panel pair in registers.
 * Work is split over disjoint (row block × group of B panels) blocks of C, and every C element
 * is summed over K in the same order (K blocks in turn, each block's terms in turn) whichever
 * thread computes it and whichever kernel reads its A, so results are bit-identical at any
 * thread count. They differ from {@link #gemmScalar} by float reassociation (fused
 * multiply-adds, K blocking). Packing buffers are reused per thread; a call allocates nothing
 * once they have grown. Products below {@link Tunables#GEMM_SMALL} multiply-adds run the
 * scalar loop; products of a few rows by an untransposed B stream B instead of packing it.
 */
public final class Gemm {
    private static final int KC = Tunables.GEMM_KC;
    private static final int MC = Tunables.GEMM_MC / MR * MR;
    private static final int NC = Math.max(1, Tunables.GEMM_NC / (NV * VL)) * NV * VL;
    private static final AtomicLong STAMPS = new AtomicLong();
    private static final ThreadLocal<Driver> DRIVERS = ThreadLocal.withInitial(Driver::new);
    private static final ThreadLocal<Worker> WORKERS = ThreadLocal.withInitial(Worker::new);

    private Gemm() {
    }

    /**
     * @param a read
     * @param b read
     * @param c written (accumulates (+=) when {@code accumulate}); must not overlap a or b
     */
    public static void gemm(float[] a, int aOff, int lda, boolean transA,
                            float[] b, int bOff, int ldb, boolean transB,
                            float[] c, int cOff, int ldc,
                            int m, int n, int k, boolean accumulate) {
        if (m <= 0 || n <= 0) {
            return;
        }
        if (k <= 0) {
            if (!accumulate) {
                for (int i = 0; i < m; i++) {
                    Arrays.fill(c, cOff + i * ldc, cOff + i * ldc + n, 0f);
                }
            }
            return;
        }
        if ((long) m * n * k < Tunables.GEMM_SMALL) {
            gemmScalar(a, aOff, lda, transA, b, bOff, ldb, transB, c, cOff, ldc, m, n, k, accumulate);
            return;
        }
        DRIVERS.get().run(a, aOff, lda, transA, b, bOff, ldb, transB, c, cOff, ldc, m, n, k, accumulate);
    }

    /** Plain triple loop; the reference every faster variant is tested against. */
    public static void gemmScalar(float[] a, int aOff, int lda, boolean transA,
                                  float[] b, int bOff, int ldb, boolean transB,
                                  float[] c, int cOff, int ldc,
                                  int m, int n, int k, boolean accumulate) {
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                float s = 0f;
                for (int p = 0; p < k; p++) {
                    float av = transA ? a[aOff + p * lda + i] : a[aOff + i * lda + p];
                    float bv = transB ? b[bOff + j * ldb + p] : b[bOff + p * ldb + j];
                    s += av * bv;
                }
                int ci = cOff + i * ldc + j;
                c[ci] = accumulate ? c[ci] + s : s;
            }
        }
    }

    /**
     * One calling thread's state for a product in progress: the arguments, the packed B block
     * (shared read-only with the workers) and the panel layout. Reused across calls, so a call
     * allocates nothing in steady state; per thread, so concurrent products (a GEMM inside
     * another parallel task) never share it.
     */
    private static final class Driver {
        float[] a;
        float[] b;
        float[] c;
        int aOff;
        int lda;
        int bOff;
        int ldb;
        int cOff;
        int ldc;
        boolean transA;
        boolean transB;
        int m;
        /** Rows per block of C: MC, or fewer when that leaves threads idle. */
        int mc;
        int jc;
        int nc;
        int pc;
        int kc;
        boolean first;
        long stamp;
        int groups;
        int panels;
        /**
         * Panel q covers columns [jc + panelCol[q], + panelVecs[q]·VL) and, as panels are packed
         * side by side, starts at packedB[kc·panelCol[q]].
         */
        final int[] panelCol = new int[NC / VL + 2];
        final int[] panelVecs = new int[NC / VL + 2];
        float[] packedB = new float[0];
        final Parallel.Body packBody = this::packBPanel;
        final Parallel.Body computeBody = this::compute;
        /** The streaming path's extra arguments, partials and bodies (see {@link #thinSegment}). */
        int n;
        int k;
        boolean accumulate;
        int segments;
        float[] partials = new float[0];
        final Parallel.Body thinBody = this::thinSegment;
        final Parallel.Body thinSumBody = this::thinSum;

        void run(float[] a, int aOff, int lda, boolean transA, float[] b, int bOff, int ldb, boolean transB,
                 float[] c, int cOff, int ldc, int m, int n, int k, boolean accumulate) {
            this.a = a;
            this.aOff = aOff;
            this.lda = lda;
            this.transA = transA;
            this.b = b;
            this.bOff = bOff;
            this.ldb = ldb;
            this.transB = transB;
            this.c = c;
            this.cOff = cOff;
            this.ldc = ldc;
            this.m = m;
            if (m <= Tunables.GEMM_THIN_ROWS && !transB) {
                this.n = n;
                this.k = k;
                this.accumulate = accumulate;
                segments = Math.max(1, Math.min(Tunables.GEMM_THIN_MAX_SEGMENTS, k / Tunables.GEMM_THIN_SEGMENT_ROWS));
                if (partials.length < segments * m * n) {
                    partials = new float[segments * m * n];
                }
                try {
                    Parallel.forEach(segments, thinBody);
                    Parallel.forEach((n + Tunables.GEMM_THIN_COLS - 1) / Tunables.GEMM_THIN_COLS, thinSumBody);
                } finally {
                    this.a = null;
                    this.b = null;
                    this.c = null;
                }
                return;
            }
            // Enough blocks to keep every thread busy: smaller row blocks first, then column
            // groups. The split only decides who computes a tile, never how, so unlike KC it may
            // depend on the thread count.
            int threads = Parallel.threads();
            mc = MC;
            if (threads > 1 && (m + MC - 1) / MC < 4 * threads) {
                int rows = (m + 4 * threads - 1) / (4 * threads);
                mc = Math.max(MR, (rows + MR - 1) / MR * MR);
            }
            int mBlocks = (m + mc - 1) / mc;
            try {
                for (jc = 0; jc < n; jc += NC) {
                    nc = Math.min(NC, n - jc);
                    panels = Panels.layout(nc, panelCol, panelVecs);
                    groups = threads == 1 || mBlocks >= 2 * threads ? 1
                            : Math.min(panels, (4 * threads + mBlocks - 1) / mBlocks);
                    for (pc = 0; pc < k; pc += KC) {
                        kc = Math.min(KC, k - pc);
                        first = pc == 0 && !accumulate;
                        stamp = STAMPS.incrementAndGet();
                        int need = kc * panelCol[panels];
                        if (packedB.length < need) {
                            packedB = new float[need];
                        }
                        if (kc * nc >= Tunables.GEMM_PARALLEL_PACK_FLOATS) {
                            Parallel.forEach(panels, packBody);
                        } else {
                            for (int q = 0; q < panels; q++) {
                                packBPanel(q);
                            }
                        }
                        Parallel.forEach(mBlocks * groups, computeBody);
                    }
                }
            } finally {
                this.a = null;
                this.b = null;
                this.c = null;
            }
        }

        /**
         * The streaming path for a few rows ({@link Tunables#GEMM_THIN_ROWS}) by an untransposed
         * B, K segment sg: partial(sg)(i, j) = fma chain over the segment's rows p of B(p, j)·op(A)(i, p),
         * from zero. Each task reads its rows of B whole, one contiguous run of memory (a dense
         * layer's weights at batch 1 are read once per call, and a task that read a column block
         * of every row instead jumped a page per row and defeated the prefetcher). The segments
         * are fixed by K alone and summed in order ({@link #thinSum}), so results do not depend on
         * the thread count.
         */
        private void thinSegment(int sg) {
            int p0 = (int) ((long) k * sg / segments);
            int p1 = (int) ((long) k * (sg + 1) / segments);
            int base = sg * m * n;
            float[] part = partials;
            java.util.Arrays.fill(part, base, base + m * n, 0f);
            int vecEnd = n / VL * VL;
            for (int p = p0; p < p1; p++) {
                int bRow = bOff + p * ldb;
                for (int i = 0; i < m; i++) {
                    float av = transA ? a[aOff + p * lda + i] : a[aOff + i * lda + p];
                    FloatVector avec = FloatVector.broadcast(GemmKernels.S, av);
                    int row = base + i * n;
                    int j = 0;
                    for (; j < vecEnd; j += VL) {
                        FloatVector.fromArray(GemmKernels.S, b, bRow + j)
                                .fma(avec, FloatVector.fromArray(GemmKernels.S, part, row + j))
                                .intoArray(part, row + j);
                    }
                    for (; j < n; j++) {
                        part[row + j] = Math.fma(b[bRow + j], av, part[row + j]);
                    }
                }
            }
        }

        /** Columns [q·THIN_COLS, +THIN_COLS) of C (= or +=) the segments' partials, added in segment order. */
        private void thinSum(int q) {
            int j0 = q * Tunables.GEMM_THIN_COLS;
            int j1 = Math.min(n, j0 + Tunables.GEMM_THIN_COLS);
            float[] part = partials;
            for (int i = 0; i < m; i++) {
                int cRow = cOff + i * ldc;
                for (int j = j0; j < j1; j++) {
                    float sum = part[i * n + j];
                    for (int sg = 1; sg < segments; sg++) {
                        sum += part[(sg * m + i) * n + j];
                    }
                    c[cRow + j] = accumulate ? c[cRow + j] + sum : sum;
                }
            }
        }

        /** Packs op(B)[pc.., jc + panelCol[q]..] into kc rows of panelVecs[q]·VL floats, zero-padded. */
        private void packBPanel(int q) {
            int width = panelVecs[q] * VL;
            int j0 = jc + panelCol[q];
            int valid = Math.min(width, jc + nc - j0);
            int base = kc * panelCol[q];
            float[] dst = packedB;
            if (!transB) {
                for (int p = 0; p < kc; p++) {
                    int d = base + p * width;
                    System.arraycopy(b, bOff + (pc + p) * ldb + j0, dst, d, valid);
                    if (valid < width) {
                        Arrays.fill(dst, d + valid, d + width, 0f);
                    }
                }
            } else {
                for (int jj = 0; jj < valid; jj++) {
                    int s = bOff + (j0 + jj) * ldb + pc;
                    for (int p = 0; p < kc; p++) {
                        dst[base + p * width + jj] = b[s + p];
                    }
                }
                if (valid < width) {
                    for (int p = 0; p < kc; p++) {
                        Arrays.fill(dst, base + p * width + valid, base + (p + 1) * width, 0f);
                    }
                }
            }
        }

        /** One block of C: mc rows (task / groups) × one contiguous group of B panels (task % groups). */
        private void compute(int task) {
            int ib = task / groups;
            int g = task % groups;
            int ic = ib * this.mc;
            int mc = Math.min(this.mc, m - ic);
            Worker w = WORKERS.get();
            int q0 = g * panels / groups;
            int q1 = (g + 1) * panels / groups;
            if (q1 - q0 <= Tunables.GEMM_DIRECT_A_PANELS) {
                computeDirect(w, ic, mc, q0, q1);
                return;
            }
            if (w.stamp != stamp || w.ic != ic) {
                w.packA(a, aOff, lda, transA, ic, mc, pc, kc);
                w.stamp = stamp;
                w.ic = ic;
            }
            float[] pa = w.packedA;
            float[] pb = packedB;
            float[] tile = w.tile;
            for (int q = q0; q < q1; q++) {
                int vecs = panelVecs[q];
                int j0 = jc + panelCol[q];
                int cols = Math.min(vecs * VL, jc + nc - j0);
                int bo = kc * panelCol[q];
                for (int ir = 0; ir < mc; ir += MR) {
                    int rows = Math.min(MR, mc - ir);
                    int ao = ir * kc;
                    int co = cOff + (ic + ir) * ldc + j0;
                    GemmKernels.kernel(vecs, pa, ao, pb, bo, kc, c, co, ldc, rows, cols, first, tile);
                }
            }
        }

        /** As {@link #compute} with A read in place; only a last partial row panel is packed. */
        private void computeDirect(Worker w, int ic, int mc, int q0, int q1) {
            int aps = transA ? lda : 1;
            int ars = transA ? 1 : lda;
            int fullRows = mc / MR * MR;
            float[] pb = packedB;
            float[] tile = w.tile;
            if (fullRows < mc) {
                w.packA(a, aOff, lda, transA, ic + fullRows, mc - fullRows, pc, kc);
                w.stamp = -1;
            }
            for (int q = q0; q < q1; q++) {
                int vecs = panelVecs[q];
                int j0 = jc + panelCol[q];
                int cols = Math.min(vecs * VL, jc + nc - j0);
                int bo = kc * panelCol[q];
                for (int ir = 0; ir < fullRows; ir += MR) {
                    int ao = aOff + (transA ? pc * lda + ic + ir : (ic + ir) * lda + pc);
                    int co = cOff + (ic + ir) * ldc + j0;
                    GemmKernelsStrided.kernel(vecs, a, ao, aps, ars, pb, bo, kc, c, co, ldc, MR, cols, first, tile);
                }
                if (fullRows < mc) {
                    int rows = mc - fullRows;
                    int co = cOff + (ic + fullRows) * ldc + j0;
                    GemmKernels.kernel(vecs, w.packedA, 0, pb, bo, kc, c, co, ldc, rows, cols, first, tile);
                }
            }
        }
    }

    /**
     * One executing thread's packed A block and edge tile. The stamp (unique per K block of a
     * call) and row offset say which block the buffer holds, so consecutive tasks on the same
     * rows skip repacking.
     */
    private static final class Worker {
        float[] packedA = new float[MC * KC];
        final float[] tile = new float[MR * NV * VL];
        long stamp = -1;
        int ic = -1;

        /** op(A)[ic.., pc..] as ceil(mc/MR) panels of kc × MR floats, rows past mc zeroed. */
        void packA(float[] a, int aOff, int lda, boolean transA, int ic, int mc, int pc, int kc) {
            float[] dst = packedA;
            for (int ir = 0; ir < mc; ir += MR) {
                int rows = Math.min(MR, mc - ir);
                int base = ir * kc;
                if (!transA) {
                    for (int r = 0; r < rows; r++) {
                        int s = aOff + (ic + ir + r) * lda + pc;
                        for (int p = 0; p < kc; p++) {
                            dst[base + p * MR + r] = a[s + p];
                        }
                    }
                } else {
                    for (int p = 0; p < kc; p++) {
                        System.arraycopy(a, aOff + (pc + p) * lda + ic + ir, dst, base + p * MR, rows);
                    }
                }
                if (rows < MR) {
                    for (int p = 0; p < kc; p++) {
                        Arrays.fill(dst, base + p * MR + rows, base + (p + 1) * MR, 0f);
                    }
                }
            }
        }
    }
}
