package dev.fovea.kernel.conv;

import dev.fovea.kernel.gemm.Panels;

import dev.fovea.kernel.gemm.generated.GemmKernels;
import dev.fovea.kernel.gemm.generated.GemmKernelsStrided;
import dev.fovea.kernel.Tunables;
import dev.fovea.kernel.window.WindowGeometry;

import static dev.fovea.kernel.gemm.generated.GemmKernels.S;
import static dev.fovea.kernel.gemm.generated.GemmKernels.VL;

import dev.fovea.tensor.Parallel;
import jdk.incubator.vector.FloatVector;
import java.util.Arrays;

/**
 * Forward 3×3 stride-1 convolution by Winograd's minimal filtering (Lavin and Gray, "Fast
 * Algorithms for Convolutional Neural Networks", 2015): each m×m block of output pixels ("tile")
 * comes from an (m+2)×(m+2) input patch d as Y = Aᵀ [Σ_c (G g Gᵀ) ⊙ (Bᵀ d B)] A. Two tile
 * sizes: F(2×2, 3×3), 16 multiplies per tile and channel pair instead of the direct 36 (4 per
 * output), and F(4×4, 3×3), 36 instead of 144 (2.25 per output). The sum over channels is
 * (m+2)² independent products (tiles × C) · (C × F), one per position ξ of the transformed tile,
 * run by the {@link GemmKernelsStrided} register kernels. The backward-data pass of a stride-1
 * convolution is itself such a convolution ({@link ConvGemm#adjoint}); the weight
 * gradient is {@link WinogradWeights}. Machinery of {@link Convolution}, which routes here
 * ({@link #pays}, tile size {@link #tile}).
 *
 * <p>Numerics: F(2×2, 3×3)'s transforms have coefficients 0, ±½, ±1, so every output is the
 * direct sum regrouped with a few extra roundings per term (WinogradTest holds 2e-6 of Σ|x·k|
 * over the window; the direct loop's own error is of the same size). F(4×4, 3×3)'s have
 * coefficients up to 5 and 1/24 and round more (WinogradTest measures both in float64 against
 * the direct convolution). Tiles never share a sum, and each product element sums its channels in
 * the same K order (blocks of {@link Tunables#GEMM_KC}) whichever task computes it, so results are
 * bit-identical at any thread count. Buffers are per thread and reused: no buffer is allocated per
 * call once they have grown. The per-tile transforms are in {@link WinogradTiles} (m = 2) and
 * {@link WinogradTiles4} (m = 4).
 */
public final class Winograd {
    private static final int KC = Tunables.GEMM_KC;
    private static final int NV = GemmKernels.NV;
    private static final int MR = GemmKernels.MR;
    private static final ThreadLocal<Caller> CALLERS = ThreadLocal.withInitial(Caller::new);
    private static final ThreadLocal<Task> TASKS = ThreadLocal.withInitial(Task::new);

    private Winograd() {
    }

    /**
     * A kernel's transform U = G g Gᵀ for tiles of m×m outputs, packed for the (m+2)² products:
     * position ξ's (C × F) matrix from ξ·uStride, K block pc of it from pc·fPad, panel q within the
     * block from kc·panelCol[q]. Valid while the kernel it came from is unchanged: training
     * transforms on every call, an inference plan once ({@link PreparedConv}).
     */
    static final class Packed {
        float[] u = new float[0];
        final int[] panelCol = new int[64];
        final int[] panelVecs = new int[64];
        int m;
        int c;
        int f;
        int panels;
        int fPad;
        int uStride;
        float[] kernel;
        final Parallel.Body kernelTask = ch -> {
            if (m == 2) {
                transformKernel(kernel, u, ch, uStride, c, f, panels, panelCol, panelVecs);
            } else {
                WinogradTiles4.transformKernel(kernel, u, TASKS.get().tmp, ch, uStride, c, f, KC, panels, panelCol,
                        panelVecs, fPad);
            }
        };

        /** Positions of the transformed tile, (m+2)². */
        int positions() {
            return (m + 2) * (m + 2);
        }
    }

    /**
     * Transforms and packs {@code kernel} (3,3,C,F) for tiles of m×m outputs (m = 2 or 4) into
     * {@code into} (its buffer grown if needed) and returns it. Parallel over channels.
     */
    static Packed pack(float[] kernel, int c, int f, int m, Packed into) {
        if (m != 2 && m != 4) {
            throw new IllegalArgumentException("Winograd tiles are 2x2 or 4x4 outputs, received " + m);
        }
        into.m = m;
        into.c = c;
        into.f = f;
        into.panels = Panels.layout(f, into.panelCol, into.panelVecs);
        into.fPad = into.panelCol[into.panels];
        into.uStride = WinogradTiles.positionStride(((c + KC - 1) / KC) * KC * into.fPad);
        int p = into.positions();
        if (into.u.length < p * into.uStride) {
            into.u = new float[p * into.uStride];
        }
        into.kernel = kernel;
        try {
            Parallel.forEach(c, into.kernelTask);
        } finally {
            into.kernel = null;
        }
        return into;
    }

    /**
     * Per calling thread: the training path's packed kernel and the call in progress, which the
     * task body (made once, so a call allocates no lambda) reads. {@link Parallel#forEach}
     * publishes the fields to the workers, as in {@code Gemm}'s driver.
     */
    private static final class Caller {
        final Packed packed = new Packed();
        float[] zeros = new float[0];
        float[] x;
        Packed p;
        float[] bias;
        float[] y;
        float[] relu;
        Epilogue epilogue;
        WindowGeometry g;
        int th;
        int tw;
        int tiles;
        int tb;
        final Parallel.Body tileTask = this::block;

        /* Tiles [blk·tb, +tb): input transform, the (m+2)² products, output transform, epilogue. */
        void block(int blk) {
            Task t = TASKS.get();
            int c = p.c;
            int f = p.f;
            int tm = p.m;
            int positions = p.positions();
            int vs = WinogradTiles.positionStride(tb * c);
            int fPad = p.fPad;
            // Products in rows of fPad floats, so every full register tile is stored straight
            // into m (the kernels' direct store) rather than through the scratch tile.
            int ms = WinogradTiles.positionStride(tb * fPad);
            if (t.v.length < positions * vs) {
                t.v = new float[positions * vs];
            }
            if (t.m.length < positions * ms) {
                t.m = new float[positions * ms];
            }
            if (t.patch.length < positions * c) {
                t.patch = new float[positions * c];
            }
            float[] v = t.v;
            float[] m = t.m;
            float[] u = p.u;
            int uStride = p.uStride;
            int t0 = blk * tb;
            int nt = Math.min(tb, tiles - t0);
            for (int i = 0; i < nt; i++) {
                if (tm == 2) {
                    WinogradTiles.transformInput(x, v, t.patch, t.tmp, t0 + i, i, vs, g, th, tw, c);
                } else {
                    WinogradTiles4.transformInput(x, v, t.patch, t.tmp, t0 + i, i, vs, g, th, tw, c);
                }
            }
            for (int xi = 0; xi < positions; xi++) {
                for (int pc = 0; pc < c; pc += KC) {
                    int kc = Math.min(KC, c - pc);
                    boolean first = pc == 0;
                    for (int q = 0; q < p.panels; q++) {
                        int vecs = p.panelVecs[q];
                        int j0 = p.panelCol[q];
                        int cols = vecs * VL;
                        int bo = xi * uStride + pc * fPad + kc * j0;
                        for (int ir = 0; ir < nt; ir += MR) {
                            int mr = Math.min(MR, nt - ir);
                            int ao = xi * vs + ir * c + pc;
                            int co = xi * ms + ir * fPad + j0;
                            GemmKernelsStrided.kernel(vecs, v, ao, 1, c, u, bo, kc, m, co, fPad, mr, cols, first, t.tile);
                        }
                    }
                }
            }
            for (int i = 0; i < nt; i++) {
                if (tm == 2) {
                    WinogradTiles.transformOutput(m, bias, y, relu, t.tmp, t0 + i, i * fPad, ms, g, th, tw, f);
                } else {
                    WinogradTiles4.transformOutput(m, bias, y, relu, t.tmp, t0 + i, i * fPad, ms, g, th, tw, f);
                }
            }
            if (epilogue != null) {
                int oh = g.oh();
                int ow = g.ow();
                for (int i = 0; i < nt; i++) {
                    int tile = t0 + i;
                    int img = tile / (th * tw);
                    int rest = tile - img * th * tw;
                    int oy = rest / tw * tm;
                    int ox = rest % tw * tm;
                    int run = Math.min(tm, ow - ox) * f;
                    for (int r = 0; r < tm && oy + r < oh; r++) {
                        int from = ((img * oh + oy + r) * ow + ox) * f;
                        epilogue.apply(y, from, from + run, f);
                    }
                }
            }
        }
    }

    /**
     * Per executing thread: transformed input tiles, products, a border patch, the transforms'
     * scratch of 36 vectors, an edge tile.
     */
    private static final class Task {
        float[] v = new float[0];
        float[] m = new float[0];
        float[] patch = new float[0];
        final float[] tmp = new float[36 * VL];
        final float[] tile = new float[MR * NV * VL];
    }

    /**
     * True when this route was measured faster than {@link ConvGemm}: a 3×3 stride-1 window over
     * enough channels and filters (see {@link Tunables#WINOGRAD_MIN_CHANNELS}).
     */
    static boolean pays(WindowGeometry g, int c, int f) {
        return g.kh() == 3 && g.kw() == 3 && g.sh() == 1 && g.sw() == 1
                && c >= Tunables.WINOGRAD_MIN_CHANNELS && f >= Tunables.WINOGRAD_MIN_FILTERS && ConvGemm.fits(f);
    }

    /**
     * Tiles per task: {@link Tunables#WINOGRAD_TILE_BLOCK}, fewer (in whole register tiles) when
     * that leaves fewer than four tasks, so small images still spread over the cores. Depends on
     * the shape only; no sum crosses tiles, so it could not change results anyway.
     */
    static int tileBlock(int tiles) {
        int quarter = (tiles + 3) / 4;
        return Math.max(MR, Math.min(Tunables.WINOGRAD_TILE_BLOCK / MR * MR, (quarter + MR - 1) / MR * MR));
    }

    /**
     * y = conv(x, kernel) + bias and, when relu is given, relu = max(y, 0).
     *
     * @param x      read, x (N,H,W,C)
     * @param kernel read, kernel (3,3,C,F)
     * @param bias   read, bias (F), or null
     * @param y      written, y (N,OH,OW,F)
     * @param relu   written, relu (N,OH,OW,F), or null
     */
    static void forward(float[] x, float[] kernel, float[] bias, float[] y, float[] relu, WindowGeometry g, int n,
                        int c, int f) {
        Caller cl = CALLERS.get();
        forwardPacked(x, pack(kernel, c, f, tile(g, n, c, f), cl.packed), bias, y, relu, null, g, n);
    }

    /**
     * The output tile, 2 or 4 pixels a side, for a convolution of a batch of n that {@link #pays}:
     * 4 (2.25 multiplies per output instead of 4) unless the batch makes fewer than
     * {@link Tunables#WINOGRAD_MIN_TILES4} such tiles, when the 2×2 tiles' four times as many
     * tasks keep both cores busy (an 8×8 image at batch 1 is 4 tiles of 4×4: one task), or when
     * {@link Tunables#WINOGRAD_TILE} is 2. From the shape alone, so a batch always takes the same
     * route; the same image may round differently in batches of other sizes.
     */
    static int tile(WindowGeometry g, int n, int c, int f) {
        if (Tunables.WINOGRAD_TILE == 2) {
            return 2;
        }
        long tiles4 = (long) n * ((g.oh() + 3) / 4) * ((g.ow() + 3) / 4);
        return tiles4 >= Tunables.WINOGRAD_MIN_TILES4 ? 4 : 2;
    }

    /**
     * {@link #forward} with the kernel already transformed, and an epilogue applied in place to y
     * while each tile is in cache (instead of {@code relu}).
     *
     * @param epilogue applied to y, or null
     */
    static void forwardPacked(float[] x, Packed packed, float[] bias, float[] y, float[] relu, Epilogue epilogue,
                              WindowGeometry g, int n) {
        Caller cl = CALLERS.get();
        int f = packed.f;
        if (bias == null && cl.zeros.length < f) {
            cl.zeros = new float[f];
        }
        int tm = packed.m;
        int th = (g.oh() + tm - 1) / tm;
        int tw = (g.ow() + tm - 1) / tm;
        cl.x = x;
        cl.p = packed;
        cl.bias = bias != null ? bias : cl.zeros;
        cl.y = y;
        cl.relu = relu;
        cl.epilogue = epilogue == null || epilogue.isIdentity() ? null : epilogue;
        cl.g = g;
        cl.th = th;
        cl.tw = tw;
        cl.tiles = n * th * tw;
        cl.tb = tileBlock(cl.tiles);
        try {
            Parallel.forEach((cl.tiles + cl.tb - 1) / cl.tb, cl.tileTask);
        } finally {
            // The caller's arrays are not kept alive past the call.
            cl.x = null;
            cl.p = null;
            cl.bias = null;
            cl.y = null;
            cl.relu = null;
            cl.epilogue = null;
        }
    }

    /*
     * U_ξ[ch, o] = (G g Gᵀ)[ξ] for the 3×3 g = kernel[·, ·, ch, o], written into the packed panels
     * of every position ξ, with the panels' padding columns zeroed. G = [1 0 0; ½ ½ ½; ½ −½ ½; 0 0 1].
     * Vector lanes and the scalar tail compute the same expression, so every lane is exact-equal to
     * transformKernelScalar's order of operations.
     */
    private static void transformKernel(float[] kernel, float[] u, int ch, int uStride, int c, int f, int panels,
                                        int[] panelCol, int[] panelVecs) {
        int pc = ch / KC * KC;
        int kc = Math.min(KC, c - pc);
        int kstep = c * f;
        int g0 = ch * f;
        for (int q = 0; q < panels; q++) {
            int width = panelVecs[q] * VL;
            int j0 = panelCol[q];
            int valid = Math.min(width, f - j0);
            // Panel q's row ch: packed[xi·uStride + pc·fPad + kc·j0 + (ch − pc)·width + j].
            int d = pc * fPad(panelCol, panels) + kc * j0 + (ch - pc) * width;
            int j = 0;
            float[] tmp = TASKS.get().tmp;
            // G g by columns into tmp, then · Gᵀ by rows: two short passes, so no vector is boxed
            // (see WinogradTiles.transformInput).
            for (; j + VL <= valid; j += VL) {
                int o = g0 + j0 + j;
                for (int kx = 0; kx < 3; kx++) {
                    FloatVector k0 = FloatVector.fromArray(S, kernel, o + kx * kstep);
                    FloatVector k1 = FloatVector.fromArray(S, kernel, o + (3 + kx) * kstep);
                    FloatVector k2 = FloatVector.fromArray(S, kernel, o + (6 + kx) * kstep);
                    k0.intoArray(tmp, kx * VL);
                    k0.add(k1).add(k2).mul(0.5f).intoArray(tmp, (3 + kx) * VL);
                    k0.sub(k1).add(k2).mul(0.5f).intoArray(tmp, (6 + kx) * VL);
                    k2.intoArray(tmp, (9 + kx) * VL);
                }
                for (int r = 0; r < 4; r++) {
                    FloatVector a0 = FloatVector.fromArray(S, tmp, 3 * r * VL);
                    FloatVector a1 = FloatVector.fromArray(S, tmp, (3 * r + 1) * VL);
                    FloatVector a2 = FloatVector.fromArray(S, tmp, (3 * r + 2) * VL);
                    int e = d + j + 4 * r * uStride;
                    a0.intoArray(u, e);
                    a0.add(a1).add(a2).mul(0.5f).intoArray(u, e + uStride);
                    a0.sub(a1).add(a2).mul(0.5f).intoArray(u, e + 2 * uStride);
                    a2.intoArray(u, e + 3 * uStride);
                }
            }
            for (; j < valid; j++) {
                transformKernelScalar(kernel, g0 + j0 + j, kstep, u, d + j, uStride);
            }
            for (int xi = 0; xi < 16; xi++) {
                Arrays.fill(u, xi * uStride + d + valid, xi * uStride + d + width, 0f);
            }
        }
    }

    private static int fPad(int[] panelCol, int panels) {
        return panelCol[panels];
    }

    /* One (ch, o) of transformKernel: kernel taps at o + (3ky+kx)·kstep, outputs at e + ξ·uStride. */
    private static void transformKernelScalar(float[] kernel, int o, int kstep, float[] u, int e, int uStride) {
        float k00 = kernel[o];
        float k01 = kernel[o + kstep];
        float k02 = kernel[o + 2 * kstep];
        float k10 = kernel[o + 3 * kstep];
        float k11 = kernel[o + 4 * kstep];
        float k12 = kernel[o + 5 * kstep];
        float k20 = kernel[o + 6 * kstep];
        float k21 = kernel[o + 7 * kstep];
        float k22 = kernel[o + 8 * kstep];
        float a10 = (k00 + k10 + k20) * 0.5f;
        float a11 = (k01 + k11 + k21) * 0.5f;
        float a12 = (k02 + k12 + k22) * 0.5f;
        float a20 = (k00 - k10 + k20) * 0.5f;
        float a21 = (k01 - k11 + k21) * 0.5f;
        float a22 = (k02 - k12 + k22) * 0.5f;
        u[e] = k00;
        u[e + uStride] = (k00 + k01 + k02) * 0.5f;
        u[e + 2 * uStride] = (k00 - k01 + k02) * 0.5f;
        u[e + 3 * uStride] = k02;
        u[e + 4 * uStride] = a10;
        u[e + 5 * uStride] = (a10 + a11 + a12) * 0.5f;
        u[e + 6 * uStride] = (a10 - a11 + a12) * 0.5f;
        u[e + 7 * uStride] = a12;
        u[e + 8 * uStride] = a20;
        u[e + 9 * uStride] = (a20 + a21 + a22) * 0.5f;
        u[e + 10 * uStride] = (a20 - a21 + a22) * 0.5f;
        u[e + 11 * uStride] = a22;
        u[e + 12 * uStride] = k20;
        u[e + 13 * uStride] = (k20 + k21 + k22) * 0.5f;
        u[e + 14 * uStride] = (k20 - k21 + k22) * 0.5f;
        u[e + 15 * uStride] = k22;
    }

    private static final float[][] G = {{1, 0, 0}, {0.5f, 0.5f, 0.5f}, {0.5f, -0.5f, 0.5f}, {0, 0, 1}};
    private static final float[][] BT = {{1, 0, -1, 0}, {0, 1, 1, 0}, {0, -1, 1, 0}, {0, 1, 0, -1}};
    private static final float[][] AT = {{1, 1, 1, 0}, {0, 1, -1, -1}};

    /** {@link #forwardScalar(float[], float[], float[], float[], float[], WindowGeometry, int, int, int, int)} with 2×2 tiles. */
    static void forwardScalar(float[] x, float[] kernel, float[] bias, float[] y, float[] relu, WindowGeometry g,
                              int n, int c, int f) {
        forwardScalar(x, kernel, bias, y, relu, g, n, c, f, 2);
    }

    /**
     * The scalar twin of {@link #forward} with m×m output tiles, written from the definitions with
     * the matrices G, Bᵀ and Aᵀ spelled out ({@link WinogradTiles4} has F(4×4, 3×3)'s): U = G g Gᵀ,
     * V = Bᵀ d B, M = Σ_c U ⊙ V, Y = Aᵀ M A (+ bias). Same contract; allocates, so it is for tests
     * only.
     */
    static void forwardScalar(float[] x, float[] kernel, float[] bias, float[] y, float[] relu, WindowGeometry g,
                              int n, int c, int f, int m) {
        float[][] G = m == 2 ? Winograd.G : WinogradTiles4.G;
        float[][] BT = m == 2 ? Winograd.BT : WinogradTiles4.BT;
        float[][] AT = m == 2 ? Winograd.AT : WinogradTiles4.AT;
        int alpha = m + 2;
        float[][][][] u = new float[c][f][][];
        for (int ch = 0; ch < c; ch++) {
            for (int o = 0; o < f; o++) {
                float[][] k = new float[3][3];
                for (int ky = 0; ky < 3; ky++) {
                    for (int kx = 0; kx < 3; kx++) {
                        k[ky][kx] = kernel[((ky * 3 + kx) * c + ch) * f + o];
                    }
                }
                u[ch][o] = times(times(G, k), transpose(G));
            }
        }
        int oh = g.oh();
        int ow = g.ow();
        float[][] a = transpose(AT);
        float[][] b = transpose(BT);
        for (int img = 0; img < n; img++) {
            for (int oy = 0; oy < oh; oy += m) {
                for (int ox = 0; ox < ow; ox += m) {
                    float[][][] v = new float[c][][];
                    for (int ch = 0; ch < c; ch++) {
                        float[][] d = new float[alpha][alpha];
                        for (int i = 0; i < alpha; i++) {
                            for (int j = 0; j < alpha; j++) {
                                int iy = oy - g.padTop() + i;
                                int ix = ox - g.padLeft() + j;
                                if (iy >= 0 && iy < g.h() && ix >= 0 && ix < g.w()) {
                                    d[i][j] = x[((img * g.h() + iy) * g.w() + ix) * c + ch];
                                }
                            }
                        }
                        v[ch] = times(times(BT, d), b);
                    }
                    for (int o = 0; o < f; o++) {
                        float[][] mm = new float[alpha][alpha];
                        for (int ch = 0; ch < c; ch++) {
                            for (int i = 0; i < alpha; i++) {
                                for (int j = 0; j < alpha; j++) {
                                    mm[i][j] += u[ch][o][i][j] * v[ch][i][j];
                                }
                            }
                        }
                        float[][] out = times(times(AT, mm), a);
                        for (int i = 0; i < m && oy + i < oh; i++) {
                            for (int j = 0; j < m && ox + j < ow; j++) {
                                float value = out[i][j] + (bias == null ? 0f : bias[o]);
                                WinogradTiles.store(y, relu, ((img * oh + oy + i) * ow + ox + j) * f + o, value);
                            }
                        }
                    }
                }
            }
        }
    }

    /** p·q of small float matrices, in the scalar twins' summation order (also {@link WinogradWeights}'). */
    static float[][] times(float[][] p, float[][] q) {
        float[][] r = new float[p.length][q[0].length];
        for (int i = 0; i < p.length; i++) {
            for (int j = 0; j < q[0].length; j++) {
                float s = 0f;
                for (int k = 0; k < q.length; k++) {
                    s += p[i][k] * q[k][j];
                }
                r[i][j] = s;
            }
        }
        return r;
    }

    static float[][] transpose(float[][] p) {
        float[][] r = new float[p[0].length][p.length];
        for (int i = 0; i < p.length; i++) {
            for (int j = 0; j < p[0].length; j++) {
                r[j][i] = p[i][j];
            }
        }
        return r;
    }
}
