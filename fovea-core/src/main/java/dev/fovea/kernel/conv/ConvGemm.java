package dev.fovea.kernel.conv;

import dev.fovea.kernel.gemm.Panels;

import dev.fovea.kernel.gemm.generated.ConvKernels;
import dev.fovea.kernel.gemm.generated.GemmKernels;
import dev.fovea.kernel.gemm.generated.GemmKernelsStrided;
import dev.fovea.kernel.Tunables;
import dev.fovea.kernel.window.WindowGeometry;

import static dev.fovea.kernel.gemm.generated.GemmKernels.VL;

import dev.fovea.tensor.Parallel;
import jdk.incubator.vector.FloatVector;
import java.util.Arrays;

/**
 * Convolution as an implicit GEMM: each task lays out the im2col rows it needs in its own small
 * buffer (kept in L2) and multiplies them at once with the {@link GemmKernelsStrided} register
 * kernels, instead of writing the whole im2col matrix to memory and reading it back through
 * {@code Gemm}. Conv shapes have few columns (32–128 filters) and many rows, so packing and the
 * column matrix's round trip through memory cost about as much as the FMAs; here A is read in
 * place from the L2 buffer and only the small operand (the kernel, or a few rows of dy) is packed.
 *
 * <p>Machinery of {@link Convolution}, not an API. Two products:
 * <ul>
 * <li>{@link #forward}: y (rows, F) = im2col(x) · kernel (+ bias), split over fixed blocks of
 * {@link Tunables#CONV_ROW_BLOCK} output rows; also the backward-data pass of stride-1
 * convolutions, which is a forward convolution of dy with the flipped, transposed kernel.</li>
 * <li>{@link #backwardWeights}: dkernel += im2col(x)ᵀ · dy, the rows cut into a number of
 * segments that depends only on the geometry; each segment sums into its own partial, and the
 * partials are added in segment order, so results are bit-identical at any thread count.</li>
 * </ul>
 * Every output element sums over K in K blocks of {@link Tunables#GEMM_KC} (forward) or row
 * sub-blocks of {@link Tunables#CONV_SUB_ROWS} (weights), in order, whichever thread computes it.
 * The window arrives as a {@link WindowGeometry} with the batch size n, input channels c and
 * filters f.
 */
final class ConvGemm {
    /** Output rows per forward task: {@link Tunables#CONV_ROW_BLOCK} in whole register tiles. */
    private static final int ROW_BLOCK = Math.max(GemmKernels.MR, Tunables.CONV_ROW_BLOCK / GemmKernels.MR * GemmKernels.MR);
    private static final int SUB_ROWS = Tunables.CONV_SUB_ROWS;
    private static final int KC = Tunables.GEMM_KC;
    private static final int NV = GemmKernels.NV;
    private static final ThreadLocal<Caller> CALLERS = ThreadLocal.withInitial(Caller::new);
    private static final ThreadLocal<Task> TASKS = ThreadLocal.withInitial(Task::new);

    private ConvGemm() {
    }

    /**
     * Per calling thread: the packed kernel, a flipped kernel, the weight partials, the adjoint
     * windows of the geometries seen, and the arguments of the call in progress, which the task
     * bodies read from here (static methods, so a call allocates no lambda).
     */
    private static final class Caller {
        final Packed packedKernel = new Packed();
        final Adjoint adjoint = new Adjoint();
        float[] padded = new float[0];
        float[] partials = new float[0];
        double[] biasPartials = new double[0];
        final java.util.IdentityHashMap<WindowGeometry, WindowGeometry> adjoints = new java.util.IdentityHashMap<>();
        float[] x;
        float[] y;
        float[] dy;
        float[] dkernel;
        float[] bias;
        float[] relu;
        double[] dbiasPartials;
        Epilogue ep;
        Packed kp;
        WindowGeometry g;
        int c;
        int f;
        int rows;
        int hp;
        int wp;
        int rowsPerTask;
        int tasksPerImage;
        int kSegs;
        int segments;
        int wsize;

        void clear() {
            x = null;
            y = null;
            dy = null;
            dkernel = null;
            bias = null;
            relu = null;
            dbiasPartials = null;
            ep = null;
            kp = null;
        }

        /* g's stride-1 adjoint window, made once per geometry (a layer keeps its geometry). */
        WindowGeometry adjointWindow(WindowGeometry g) {
            WindowGeometry a = adjoints.get(g);
            if (a == null) {
                if (adjoints.size() >= 256) {
                    adjoints.clear();
                }
                a = g.stride1Adjoint();
                adjoints.put(g, a);
            }
            return a;
        }
    }

    /** Per executing thread: its im2col rows, packed dy rows and edge tile. */
    private static final class Task {
        float[] cols = new float[0];
        float[] packedDy = new float[0];
        final float[] tile = new float[GemmKernels.MR * NV * VL];
        final int[] panelCol = new int[64];
        final int[] panelVecs = new int[64];

        float[] cols(int n) {
            if (cols.length < n) {
                cols = new float[n];
            }
            return cols;
        }
    }


    /**
     * True when {@link #forwardDirect} beats {@link #forward}: one panel of at most 2 vectors
     * (f ≤ 32 at 512 bits) over a window short enough that the panel (win × 32 floats) stays in
     * L1 with K unblocked. Measured on 2 cores: 32→32 channels 3×3, 17.7 vs 20.9 ms at batch 128;
     * 3→32, 4.1 vs 5.6 ms; but 64→64 (two panels, win 576) 14.3 vs 12.9 and 128→128 16.5 vs 13.7.
     */
    static boolean directPays(int win, int f) {
        return f <= 2 * VL && win <= Tunables.CONV_DIRECT_MAX_WINDOW;
    }

    /** True when f is narrow enough for the panel tables. */
    static boolean fits(int f) {
        return (f + VL - 1) / VL < 60;
    }

    /**
     * A convolution kernel packed into B panels for {@link #forwardPacked} (K blocks of
     * {@link Tunables#GEMM_KC}: block pc from pc·fPad, panel q within it from kc·panelCol[q]) or
     * for {@link #forwardDirectPacked} (K whole: panel q from win·panelCol[q]). Valid while the kernel
     * is unchanged: training packs on every call, an inference plan once ({@link PreparedConv}).
     */
    static final class Packed {
        float[] b = new float[0];
        final int[] panelCol = new int[64];
        final int[] panelVecs = new int[64];
        int win;
        int f;
        int panels;
        int fPad;
        boolean direct;
    }

    /** Packs kernel (win, F) for {@link #forwardPacked} (or {@link #forwardDirectPacked} when {@code direct}). */
    static Packed pack(float[] kernel, int win, int f, boolean direct, Packed into) {
        int panels = Panels.layout(f, into.panelCol, into.panelVecs);
        int fPad = into.panelCol[panels];
        int need = direct ? win * fPad : ((win + KC - 1) / KC) * KC * fPad;
        if (into.b.length < need) {
            into.b = new float[need];
        }
        into.win = win;
        into.f = f;
        into.panels = panels;
        into.fPad = fPad;
        into.direct = direct;
        float[] packed = into.b;
        int kBlock = direct ? win : KC;
        for (int pc = 0; pc < win; pc += kBlock) {
            int kc = Math.min(kBlock, win - pc);
            for (int q = 0; q < panels; q++) {
                int width = into.panelVecs[q] * VL;
                int j0 = into.panelCol[q];
                int valid = Math.min(width, f - j0);
                int base = pc * fPad + kc * j0;
                for (int p = 0; p < kc; p++) {
                    int d = base + p * width;
                    System.arraycopy(kernel, (pc + p) * f + j0, packed, d, valid);
                    Arrays.fill(packed, d + valid, d + width, 0f);
                }
            }
        }
        return into;
    }

    /**
     * y = im2col(x) · kernel (+ bias), y (N·OH·OW, F) written.
     *
     * @param x      read, x (N,H,W,C)
     * @param kernel read, (KH·KW·C, F) row-major
     * @param bias   read, (F), or null
     * @param y      written, (N·OH·OW, F)
     * @param relu   written, max(y, 0) (N·OH·OW, F), or null: computed while the block is in cache
     */
    static void forward(float[] x, float[] kernel, float[] bias, float[] y, float[] relu, WindowGeometry g, int n,
                        int c, int f) {
        Caller cl = CALLERS.get();
        forwardPacked(x, pack(kernel, g.kh() * g.kw() * c, f, false, cl.packedKernel), bias, y, relu, null, g, n, c);
    }

    /**
     * {@link #forward} with the kernel already packed ({@link #pack}, not direct), and an epilogue
     * applied in place to each block of y while it is in cache.
     *
     * @param epilogue applied to y, or null
     */
    static void forwardPacked(float[] x, Packed kp, float[] bias, float[] y, float[] relu, Epilogue epilogue,
                              WindowGeometry g, int n, int c) {
        Caller cl = CALLERS.get();
        cl.x = x;
        cl.kp = kp;
        cl.bias = bias;
        cl.y = y;
        cl.relu = relu;
        cl.ep = epilogue == null || epilogue.isIdentity() ? null : epilogue;
        cl.g = g;
        cl.c = c;
        cl.rows = n * g.oh() * g.ow();
        try {
            Parallel.forEach((cl.rows + ROW_BLOCK - 1) / ROW_BLOCK, cl, ConvGemm::forwardBlock);
        } finally {
            cl.clear();
        }
    }

    /* Rows [blk·ROW_BLOCK, +ROW_BLOCK) of forwardPacked. */
    private static void forwardBlock(Caller k, int blk) {
        float[] x = k.x;
        float[] bias = k.bias;
        float[] y = k.y;
        float[] relu = k.relu;
        Epilogue ep = k.ep;
        WindowGeometry g = k.g;
        int c = k.c;
        int rows = k.rows;
        Packed kp = k.kp;
        int win = kp.win;
        int f = kp.f;
        int panels = kp.panels;
        int fPad = kp.fPad;
        float[] packed = kp.b;
        int[] panelCol = kp.panelCol;
        int[] panelVecs = kp.panelVecs;
        {
            Task t = TASKS.get();
            int r0 = blk * ROW_BLOCK;
            int nr = Math.min(ROW_BLOCK, rows - r0);
            float[] a = t.cols(ROW_BLOCK * win);
            Im2col.im2colRows(x, 0, a, 0, r0, nr, g, c);
            if (bias != null) {
                for (int r = 0; r < nr; r++) {
                    System.arraycopy(bias, 0, y, (r0 + r) * f, f);
                }
            }
            float[] tile = t.tile;
            for (int pc = 0; pc < win; pc += KC) {
                int kc = Math.min(KC, win - pc);
                boolean first = pc == 0 && bias == null;
                for (int q = 0; q < panels; q++) {
                    int vecs = panelVecs[q];
                    int j0 = panelCol[q];
                    int cols = Math.min(vecs * VL, f - j0);
                    int bo = pc * fPad + kc * j0;
                    for (int ir = 0; ir < nr; ir += GemmKernels.MR) {
                        int mr = Math.min(GemmKernels.MR, nr - ir);
                        int ao = ir * win + pc;
                        int co = (r0 + ir) * f + j0;
                        GemmKernelsStrided.kernel(vecs, a, ao, 1, win, packed, bo, kc, y, co, f, mr, cols, first, tile);
                    }
                }
            }
            if (relu != null) {
                reluRows(y, relu, r0 * f, (r0 + nr) * f);
            }
            if (ep != null) {
                ep.apply(y, r0 * f, (r0 + nr) * f, f);
            }
        }
    }

    /**
     * Stride-1 forward with no im2col at all: x is copied once into a zero-padded buffer, after
     * which the window of output pixel (oy, ox) is KH runs of KW·C contiguous floats, and MR
     * neighbouring pixels are MR rows C floats apart. The register kernels read that in place over
     * the whole window (K unblocked), so each output is one FMA chain over (ky, kx, ch).
     * Same contract as {@link #forward}; the window must have stride 1.
     */
    static void forwardDirect(float[] x, float[] kernel, float[] bias, float[] y, float[] relu, WindowGeometry g,
                              int n, int c, int f) {
        Caller cl = CALLERS.get();
        forwardDirectPacked(x, pack(kernel, g.kh() * g.kw() * c, f, true, cl.packedKernel), bias, y, relu, null, g,
                n, c);
    }

    /** {@link #forwardDirect} with the kernel already packed ({@link #pack}, direct), and an epilogue on y. */
    static void forwardDirectPacked(float[] x, Packed kp, float[] bias, float[] y, float[] relu, Epilogue epilogue,
                                    WindowGeometry g, int n, int c) {
        int kh = g.kh();
        int kw = g.kw();
        int oh = g.oh();
        int ow = g.ow();
        Caller cl = CALLERS.get();
        int win = kp.win;
        int panels = kp.panels;
        int[] panelVecs = kp.panelVecs;
        int hp = oh + kh - 1;
        int wp = ow + kw - 1;
        int image = hp * wp * c;
        // Edge tiles read up to MR − 1 pixels past a row's last window, hence the slack.
        int need = n * image + GemmKernels.MR * c;
        if (cl.padded.length < need) {
            cl.padded = new float[need];
        }
        cl.x = x;
        cl.kp = kp;
        cl.bias = bias;
        cl.y = y;
        cl.relu = relu;
        cl.ep = epilogue == null || epilogue.isIdentity() ? null : epilogue;
        cl.g = g;
        cl.c = c;
        cl.hp = hp;
        cl.wp = wp;
        // Tasks of whole output rows, about ROW_BLOCK pixels, so each block of B is reused by
        // several tiles; K is cut at kernel rows unless a whole panel stays in L1.
        cl.rowsPerTask = Math.max(1, Math.min(oh, ROW_BLOCK / ow));
        cl.tasksPerImage = (oh + cl.rowsPerTask - 1) / cl.rowsPerTask;
        int maxWidth = 0;
        for (int q = 0; q < panels; q++) {
            maxWidth = Math.max(maxWidth, panelVecs[q] * VL);
        }
        cl.kSegs = win * maxWidth <= Tunables.CONV_L1_PANEL_FLOATS ? kh : 1;
        try {
            Parallel.forEach(n, cl, (k, img) -> pad(k.x, k.padded, img, k.g, k.c, k.hp, k.wp));
            Parallel.forEach(n * cl.tasksPerImage, cl, ConvGemm::forwardDirectTask);
        } finally {
            cl.clear();
        }
    }

    /* Task `task` of forwardDirectPacked: rowsPerTask output rows of one image. */
    private static void forwardDirectTask(Caller k, int task) {
        float[] xp = k.padded;
        float[] bias = k.bias;
        float[] y = k.y;
        float[] relu = k.relu;
        Epilogue ep = k.ep;
        WindowGeometry g = k.g;
        int c = k.c;
        int kh = g.kh();
        int kw = g.kw();
        int oh = g.oh();
        int ow = g.ow();
        int hp = k.hp;
        int wp = k.wp;
        int rowsPerTask = k.rowsPerTask;
        int tasksPerImage = k.tasksPerImage;
        int kSegs = k.kSegs;
        Packed kp = k.kp;
        int win = kp.win;
        int f = kp.f;
        int panels = kp.panels;
        float[] packed = kp.b;
        int[] panelCol = kp.panelCol;
        int[] panelVecs = kp.panelVecs;
        {
            Task t = TASKS.get();
            float[] tile = t.tile;
            int img = task / tasksPerImage;
            int oy0 = (task - img * tasksPerImage) * rowsPerTask;
            int oy1 = Math.min(oh, oy0 + rowsPerTask);
            int yFrom = (img * oh + oy0) * ow * f;
            int yTo = (img * oh + oy1) * ow * f;
            if (bias != null) {
                for (int o = yFrom; o < yTo; o += f) {
                    System.arraycopy(bias, 0, y, o, f);
                }
            }
            int segLen = kw * c;
            for (int ky = 0; ky < kh; ky += kSegs) {
                boolean first = ky == 0 && bias == null;
                for (int q = 0; q < panels; q++) {
                    int vecs = panelVecs[q];
                    int j0 = panelCol[q];
                    int cols = Math.min(vecs * VL, f - j0);
                    int bo = win * j0 + ky * segLen * vecs * VL;
                    for (int oy = oy0; oy < oy1; oy++) {
                        int rowOff = (img * hp + oy + ky) * wp * c;
                        int yRow = (img * oh + oy) * ow * f;
                        for (int ox = 0; ox < ow; ox += GemmKernels.MR) {
                            int mr = Math.min(GemmKernels.MR, ow - ox);
                            int ao = rowOff + ox * c;
                            int co = yRow + ox * f + j0;
                            ConvKernels.kernel(vecs, xp, ao, kSegs, wp * c, segLen, c, packed, bo, y, co, f, mr, cols,
                                    first, tile);
                        }
                    }
                }
            }
            if (relu != null) {
                reluRows(y, relu, yFrom, yTo);
            }
            if (ep != null) {
                ep.apply(y, yFrom, yTo, f);
            }
        }
    }

    /* Image img of x (h, w, c) into xp (hp, wp, c) at offset (padTop, padLeft), zeros around it. */
    private static void pad(float[] x, float[] xp, int img, WindowGeometry g, int c, int hp, int wp) {
        int h = g.h();
        int w = g.w();
        int top = g.padTop();
        int left = g.padLeft();
        int base = img * hp * wp * c;
        int rowLen = wp * c;
        int cols = Math.min(w, wp - left);
        for (int r = 0; r < hp; r++) {
            int iy = r - top;
            int d = base + r * rowLen;
            if (iy < 0 || iy >= h) {
                Arrays.fill(xp, d, d + rowLen, 0f);
                continue;
            }
            Arrays.fill(xp, d, d + left * c, 0f);
            System.arraycopy(x, ((img * h + iy) * w) * c, xp, d + left * c, cols * c);
            Arrays.fill(xp, d + (left + cols) * c, d + rowLen, 0f);
        }
    }

    /* out[i] = max(y[i], 0) for i in [from, to): the vector path of Activations.relu, same values. */
    private static void reluRows(float[] y, float[] out, int from, int to) {
        int i = from;
        for (int end = from + GemmKernels.S.loopBound(to - from); i < end; i += VL) {
            FloatVector.fromArray(GemmKernels.S, y, i).max(0f).intoArray(out, i);
        }
        for (; i < to; i++) {
            out[i] = Math.max(y[i], 0f);
        }
    }

    /**
     * A stride-1 convolution's adjoint, for its backward-data pass: the kernel flipped in space and
     * transposed in channels, (KH, KW, F, C), and the adjoint window ({@link
     * WindowGeometry#stride1Adjoint}, dy as the input). dx[iy, ix, ch] = Σ dy[iy − pt' + ky',
     * ix − pl' + kx', o] · kernel[KH−1−ky', KW−1−kx', ch, o] with pt' = KH−1−padTop: a forward
     * convolution of dy, F channels in and C filters out. Per calling thread and reused: valid
     * until the next {@link #adjoint} on this thread.
     */
    static final class Adjoint {
        private float[] kernel = new float[0];
        private WindowGeometry window;

        float[] kernel() {
            return kernel;
        }

        WindowGeometry window() {
            return window;
        }
    }

    /** {@link WindowGeometry#stride1Adjoint} of g, made once per geometry per thread (a layer keeps its geometry). */
    static WindowGeometry adjointWindow(WindowGeometry g) {
        return CALLERS.get().adjointWindow(g);
    }

    /** The adjoint of a stride-1 convolution with this kernel (KH, KW, C, F) and window; see {@link Adjoint}. */
    static Adjoint adjoint(float[] kernel, WindowGeometry g, int c, int f) {
        int kh = g.kh();
        int kw = g.kw();
        Caller cl = CALLERS.get();
        Adjoint a = cl.adjoint;
        int size = kh * kw * c * f;
        if (a.kernel.length < size) {
            a.kernel = new float[size];
        }
        float[] flipped = a.kernel;
        for (int ky = 0; ky < kh; ky++) {
            for (int kx = 0; kx < kw; kx++) {
                int src = ((kh - 1 - ky) * kw + (kw - 1 - kx)) * c * f;
                int dst = (ky * kw + kx) * f * c;
                for (int ch = 0; ch < c; ch++) {
                    for (int o = 0; o < f; o++) {
                        flipped[dst + o * c + ch] = kernel[src + ch * f + o];
                    }
                }
            }
        }
        a.window = cl.adjointWindow(g);
        return a;
    }

    /**
     * dkernel += im2col(x)ᵀ · dy, and dbias += Σ dy over rows (summed per segment in double).
     *
     * @param x       read, x (N,H,W,C)
     * @param dy      read, dy (N·OH·OW, F)
     * @param dkernel accumulates (+=), (KH·KW·C, F)
     * @param dbias   accumulates (+=), (F), or null
     */
    static void backwardWeights(float[] x, float[] dy, float[] dkernel, float[] dbias, WindowGeometry g, int n, int c,
                                int f) {
        Caller cl = CALLERS.get();
        int win = g.kh() * g.kw() * c;
        int rows = n * g.oh() * g.ow();
        int segments = Math.max(1, Math.min(Tunables.CONV_MAX_SEGMENTS, rows / Tunables.CONV_SEGMENT_MIN_ROWS));
        int wsize = win * f;
        if (cl.partials.length < segments * wsize) {
            cl.partials = new float[segments * wsize];
        }
        if (cl.biasPartials.length < segments * f) {
            cl.biasPartials = new double[segments * f];
        }
        cl.x = x;
        cl.dy = dy;
        cl.dkernel = dkernel;
        cl.dbiasPartials = dbias == null ? null : cl.biasPartials;
        cl.g = g;
        cl.c = c;
        cl.f = f;
        cl.rows = rows;
        cl.segments = segments;
        cl.wsize = wsize;
        try {
            Parallel.forEach(segments, cl, ConvGemm::weightSegment);
            int reduce = Tunables.CONV_REDUCE_FLOATS;
            Parallel.forEach((wsize + reduce - 1) / reduce, cl, ConvGemm::weightReduce);
        } finally {
            cl.clear();
        }
        if (dbias != null) {
            double[] biasPartials = cl.biasPartials;
            for (int j = 0; j < f; j++) {
                double sum = 0;
                for (int s = 0; s < segments; s++) {
                    sum += biasPartials[s * f + j];
                }
                dbias[j] += (float) sum;
            }
        }
    }

    /* Segment s of backwardWeights: its rows' im2colᵀ · dy into its own partial. */
    private static void weightSegment(Caller k, int s) {
        float[] x = k.x;
        float[] dy = k.dy;
        double[] biasPartials = k.dbiasPartials;
        float[] partials = k.partials;
        WindowGeometry g = k.g;
        int c = k.c;
        int f = k.f;
        int rows = k.rows;
        int segments = k.segments;
        int wsize = k.wsize;
        int win = g.kh() * g.kw() * c;
        {
            Task t = TASKS.get();
            int panels = Panels.layout(f, t.panelCol, t.panelVecs);
            int fPad = t.panelCol[panels];
            // A = colsᵀ reads 8 consecutive window entries per K step; the last tile may run up
            // to 7 floats past the window, hence the slack.
            float[] a = t.cols(SUB_ROWS * win + GemmKernels.MR);
            if (t.packedDy.length < SUB_ROWS * fPad) {
                t.packedDy = new float[SUB_ROWS * fPad];
            }
            float[] pb = t.packedDy;
            float[] tile = t.tile;
            int s0 = (int) ((long) rows * s / segments);
            int s1 = (int) ((long) rows * (s + 1) / segments);
            int po = s * wsize;
            if (biasPartials != null) {
                int bo = s * f;
                Arrays.fill(biasPartials, bo, bo + f, 0.0);
                for (int r = s0; r < s1; r++) {
                    int o = r * f;
                    for (int j = 0; j < f; j++) {
                        biasPartials[bo + j] += dy[o + j];
                    }
                }
            }
            for (int r0 = s0; r0 < s1; r0 += SUB_ROWS) {
                int kc = Math.min(SUB_ROWS, s1 - r0);
                boolean first = r0 == s0;
                Im2col.im2colRows(x, 0, a, 0, r0, kc, g, c);
                for (int q = 0; q < panels; q++) {
                    int width = t.panelVecs[q] * VL;
                    int j0 = t.panelCol[q];
                    int valid = Math.min(width, f - j0);
                    int base = kc * j0;
                    for (int p = 0; p < kc; p++) {
                        int d = base + p * width;
                        System.arraycopy(dy, (r0 + p) * f + j0, pb, d, valid);
                        if (valid < width) {
                            Arrays.fill(pb, d + valid, d + width, 0f);
                        }
                    }
                }
                for (int q = 0; q < panels; q++) {
                    int vecs = t.panelVecs[q];
                    int j0 = t.panelCol[q];
                    int cols = Math.min(vecs * VL, f - j0);
                    int bo = kc * j0;
                    for (int i0 = 0; i0 < win; i0 += GemmKernels.MR) {
                        int mr = Math.min(GemmKernels.MR, win - i0);
                        int co = po + i0 * f + j0;
                        GemmKernelsStrided.kernel(vecs, a, i0, win, 1, pb, bo, kc, partials, co, f, mr, cols, first, tile);
                    }
                }
            }
        }
    }

    /* Chunk ch of dkernel += Σ_s partial(s), segments in order. */
    private static void weightReduce(Caller k, int ch) {
        int reduce = Tunables.CONV_REDUCE_FLOATS;
        int wsize = k.wsize;
        float[] dkernel = k.dkernel;
        float[] partials = k.partials;
        int i0 = ch * reduce;
        int i1 = Math.min(wsize, i0 + reduce);
        for (int s = 0; s < k.segments; s++) {
            int po = s * wsize;
            for (int i = i0; i < i1; i++) {
                dkernel[i] += partials[po + i];
            }
        }
    }
}
