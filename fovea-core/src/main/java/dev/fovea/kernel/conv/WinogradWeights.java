package dev.fovea.kernel.conv;

import dev.fovea.kernel.gemm.Panels;

import dev.fovea.kernel.BatchNorm;
import dev.fovea.kernel.gemm.generated.GemmKernels;
import dev.fovea.kernel.gemm.generated.GemmKernelsStrided;
import dev.fovea.kernel.Tunables;
import dev.fovea.kernel.window.WindowGeometry;

import static dev.fovea.kernel.gemm.generated.GemmKernels.MR;
import static dev.fovea.kernel.gemm.generated.GemmKernels.S;
import static dev.fovea.kernel.gemm.generated.GemmKernels.VL;

import dev.fovea.tensor.Parallel;
import java.util.Arrays;
import jdk.incubator.vector.FloatVector;

/**
 * The weight gradient of a 3×3 stride-1 convolution by Winograd's F(3×3, 2×2), the transpose of
 * the forward's F(2×2, 3×3) ({@link Winograd}). Cut the output into 2×2 tiles as the forward
 * does; tile t contributes to dkernel the 3×3 correlation of its 4×4 input patch D with its 2×2
 * block E of dy. By the transposition principle (Lavin and Gray 2015, §4; the trilinear form
 * Σ e·y is the same whichever factor is left out) that correlation is
 * <pre>  dW_t = Gᵀ [(A E Aᵀ) ⊙ (Bᵀ D B)] G</pre>
 * with the forward's own matrices: Bᵀ D B is exactly the forward's input transform, A E Aᵀ
 * spreads the 2×2 block over the 16 positions, and Gᵀ · G folds the 4×4 sum back to 3×3. The
 * sum over tiles moves inside: M_ξ = Σ_t V_ξ[t, c] · E_ξ[t, f] is 16 products (C × T)·(T × F)
 * with the reduction over the N·H·W tiles as K — 16 multiply-adds per tile and channel pair
 * instead of the direct 36.
 *
 * <p>The tiles are cut into segments, a number fixed by the shape ({@link #segments}); one task
 * takes a whole segment, block by block of {@link #block} tiles: it transforms the block into
 * buffers of its own that stay in its core's L2, then runs the 16 products over them with the
 * register kernels (the block's tiles are each kernel's K), adding into the segment's partial M.
 * The partials are added in segment order at the end, then folded back to 3×3. So every M
 * element is summed in an order that depends only on the shape: results are bit-identical at any
 * thread count. Numerics: the transforms' coefficients are 0, ±½ and ±1, so each dW element is
 * the direct sum regrouped with a few extra roundings per term ({@code WinogradWeightsTest}
 * bounds it in float64). Machinery of {@link Convolution}; the scalar twin is
 * {@link #backwardWeightsScalar}.
 */
final class WinogradWeights {
    private static final ThreadLocal<Caller> CALLERS = ThreadLocal.withInitial(Caller::new);
    private static final ThreadLocal<Task> TASKS = ThreadLocal.withInitial(Task::new);

    private WinogradWeights() {
    }

    /** True for the windows this route computes: 3×3, stride 1, with pads inside the kernel. */
    static boolean applies(WindowGeometry g) {
        return g.kh() == 3 && g.kw() == 3 && g.sh() == 1 && g.sw() == 1;
    }

    /**
     * Segments of the tiles: one per {@link Tunables#WINOGRAD_GRAD_SEGMENT_TILES}, at most
     * {@link Tunables#CONV_MAX_SEGMENTS}, at least one. From the shape alone: it decides where the
     * sums over tiles are rounded.
     */
    static int segments(int tiles) {
        return Math.max(1, Math.min(Tunables.CONV_MAX_SEGMENTS, tiles / Tunables.WINOGRAD_GRAD_SEGMENT_TILES));
    }

    /**
     * Tiles per block: its transformed input and dy (positions · block · (C + F) floats) fill about
     * {@link Tunables#WINOGRAD_GRAD_BLOCK_FLOATS}, 32 to 256 tiles, a multiple of 16. From the shape alone.
     */
    static int block(int c, int f, int positions) {
        int t = Tunables.WINOGRAD_GRAD_BLOCK_FLOATS / (positions * (c + f));
        return Math.max(32, Math.min(256, t)) / 16 * 16;
    }

    /** Per calling thread: the segments' partial sums and the call in progress. */
    private static final class Caller {
        float[] partials = new float[0];
        double[] biasPartials = new double[0];
        double[] biasSums = new double[0];
        final int[] panelCol = new int[64];
        final int[] panelVecs = new int[64];
        float[] x;
        float[] dy;
        float[] dkernel;
        WindowGeometry g;
        int c;
        int f;
        int fPad;
        int panels;
        int th;
        int tw;
        int tiles;
        int segments;
        int block;
        int ms;
        int m;
        int positions;
        final Parallel.Body segmentTask = this::segment;
        final Parallel.Body outputTask = this::output;

        /* Segment s: block by block, transform then M_partial(s) (= or +=) V_ξᵀ · E_ξ. */
        void segment(int s) {
            Task t = TASKS.get();
            int kb = block;
            int vs = WinogradTiles.positionStride(kb * c);
            int es = WinogradTiles.positionStride(kb * fPad);
            t.ensure(positions * vs + MR, positions * es, positions * c, m * m * f);
            float[] v = t.v;
            float[] e = t.e;
            float[] tile = t.tile;
            int s0 = (int) ((long) tiles * s / segments);
            int s1 = (int) ((long) tiles * (s + 1) / segments);
            int po = s * positions * ms;
            for (int b0 = s0; b0 < s1; b0 += kb) {
                int nt = Math.min(kb, s1 - b0);
                for (int i = 0; i < nt; i++) {
                    if (m == 2) {
                        WinogradTiles.transformInput(x, v, t.patch, t.tmp, b0 + i, i, vs, g, th, tw, c);
                        transformDy(dy, e, t.dyPatch, b0 + i, i, kb, es, g, th, tw, f, panels, panelCol, panelVecs);
                    } else {
                        WinogradTiles4.transformInput(x, v, t.patch, t.tmp, b0 + i, i, vs, g, th, tw, c);
                        WinogradTiles4.transformDy(dy, e, t.dyPatch, t.tmp, b0 + i, i, kb, es, g, th, tw, f, panels,
                                panelCol, panelVecs);
                    }
                }
                boolean first = b0 == s0;
                for (int xi = 0; xi < positions; xi++) {
                    for (int q = 0; q < panels; q++) {
                        int vecs = panelVecs[q];
                        int j0 = panelCol[q];
                        int bo = xi * es + kb * j0;
                        for (int i0 = 0; i0 < c; i0 += MR) {
                            GemmKernelsStrided.kernel(vecs, v, xi * vs + i0, c, 1, e, bo, nt, partials,
                                    po + xi * ms + i0 * fPad + j0, fPad, Math.min(MR, c - i0), vecs * VL, first, tile);
                        }
                    }
                }
            }
        }

        /* Channel ch: M = Σ_s partial(s) in segment order into segment 0's rows, then dkernel += Gᵀ M G. */
        void output(int ch) {
            int seg = positions * ms;
            for (int xi = 0; xi < positions; xi++) {
                int row = xi * ms + ch * fPad;
                for (int s = 1; s < segments; s++) {
                    int src = s * seg + row;
                    int j = 0;
                    for (int vb = S.loopBound(fPad); j < vb; j += VL) {
                        FloatVector.fromArray(S, partials, row + j).add(FloatVector.fromArray(S, partials, src + j))
                                .intoArray(partials, row + j);
                    }
                    for (; j < fPad; j++) {
                        partials[row + j] += partials[src + j];
                    }
                }
            }
            if (m == 2) {
                transformOutput(partials, dkernel, TASKS.get().tmp, ch, c, f, fPad, ms);
            } else {
                WinogradTiles4.transformGradOutput(partials, dkernel, TASKS.get().tmp, ch, c, f, fPad, ms);
            }
        }
    }

    /** Per executing thread: a block's transforms, border patches, a transform scratch, an edge tile. */
    private static final class Task {
        float[] v = new float[0];
        float[] e = new float[0];
        float[] patch = new float[0];
        float[] dyPatch = new float[0];
        final float[] tmp = new float[36 * VL];
        final float[] tile = new float[MR * GemmKernels.NV * VL];

        void ensure(int vSize, int eSize, int patchSize, int dyPatchSize) {
            if (v.length < vSize) {
                v = new float[vSize];
            }
            if (e.length < eSize) {
                e = new float[eSize];
            }
            if (patch.length < patchSize) {
                patch = new float[patchSize];
            }
            if (dyPatch.length < dyPatchSize) {
                dyPatch = new float[dyPatchSize];
            }
        }
    }

    /**
     * dkernel += the weight gradient, dbias += Σ dy over (N, OH, OW).
     *
     * @param x       read, x (N,H,W,C)
     * @param dy      read, dy (N,OH,OW,F)
     * @param dkernel accumulates (+=), dkernel (3,3,C,F)
     * @param dbias   accumulates (+=), dbias (F), or null
     */
    static void backwardWeights(float[] x, float[] dy, float[] dkernel, float[] dbias, WindowGeometry g, int n,
                                int c, int f) {
        backwardWeights(x, dy, dkernel, dbias, g, n, c, f, Winograd.tile(g, n, c, f));
    }

    /**
     * {@link #backwardWeights(float[], float[], float[], float[], WindowGeometry, int, int, int)}
     * with tiles of m×m outputs: F(3×3, 2×2) for m = 2, F(3×3, 4×4) for m = 4.
     */
    static void backwardWeights(float[] x, float[] dy, float[] dkernel, float[] dbias, WindowGeometry g, int n,
                                int c, int f, int m) {
        Caller cl = CALLERS.get();
        int panels = Panels.layout(f, cl.panelCol, cl.panelVecs);
        int fPad = cl.panelCol[panels];
        int th = (g.oh() + m - 1) / m;
        int tw = (g.ow() + m - 1) / m;
        int tiles = n * th * tw;
        int positions = (m + 2) * (m + 2);
        int segments = segments(tiles);
        int ms = WinogradTiles.positionStride(c * fPad);
        if (cl.partials.length < segments * positions * ms) {
            cl.partials = new float[segments * positions * ms];
        }
        cl.m = m;
        cl.positions = positions;
        cl.x = x;
        cl.dy = dy;
        cl.dkernel = dkernel;
        cl.g = g;
        cl.c = c;
        cl.f = f;
        cl.fPad = fPad;
        cl.panels = panels;
        cl.th = th;
        cl.tw = tw;
        cl.tiles = tiles;
        cl.segments = segments;
        cl.block = block(c, f, positions);
        cl.ms = ms;
        try {
            Parallel.forEach(segments, cl.segmentTask);
            Parallel.forEach(c, cl.outputTask);
        } finally {
            cl.x = null;
            cl.dy = null;
            cl.dkernel = null;
        }
        if (dbias != null) {
            int rows = n * g.oh() * g.ow();
            int need = BatchNorm.partialsSize(rows, f);
            if (cl.biasPartials.length < need) {
                cl.biasPartials = new double[need];
            }
            if (cl.biasSums.length < f) {
                cl.biasSums = new double[f];
            }
            BatchNorm.channelSums(dy, null, cl.biasPartials, cl.biasSums, rows, f);
            for (int j = 0; j < f; j++) {
                dbias[j] += (float) cl.biasSums[j];
            }
        }
    }

    /*
     * E_ξ = (A E Aᵀ)[ξ] for tile `tile`'s 2×2 block E of dy (zeros past the output's edge), into
     * row i of each position's packed panels of e: panel q of position ξ starts at
     * ξ·es + chunk·panelCol[q], its rows are panelVecs[q]·VL floats; padding columns are 0.
     * A = [1 0; 1 1; 1 −1; 0 −1], so each row [a, b] of A E becomes [a, a + b, a − b, −b].
     * An edge tile's block is first copied into `patch` with its zeros, so one branch-free loop
     * reads both kinds (a vector chosen by a condition was boxed on the heap).
     */
    static void transformDy(float[] dy, float[] e, float[] patch, int tile, int i, int chunk, int es, WindowGeometry g,
                            int th, int tw, int f, int panels, int[] panelCol, int[] panelVecs) {
        int oh = g.oh();
        int ow = g.ow();
        int img = tile / (th * tw);
        int rest = tile - img * th * tw;
        int oy = rest / tw * 2;
        int ox = rest % tw * 2;
        float[] src = dy;
        int p00 = ((img * oh + oy) * ow + ox) * f;
        int colStep = f;
        int rowStep = ow * f;
        if (oy + 1 >= oh || ox + 1 >= ow) {
            Arrays.fill(patch, 0, 4 * f, 0f);
            int cols = ox + 1 < ow ? 2 : 1;
            System.arraycopy(dy, p00, patch, 0, cols * f);
            if (oy + 1 < oh) {
                System.arraycopy(dy, p00 + rowStep, patch, 2 * f, cols * f);
            }
            src = patch;
            p00 = 0;
            rowStep = 2 * f;
        }
        int p01 = p00 + colStep;
        int p10 = p00 + rowStep;
        int p11 = p10 + colStep;
        int xs = es;
        for (int q = 0; q < panels; q++) {
            int width = panelVecs[q] * VL;
            int j0 = panelCol[q];
            int valid = Math.min(width, f - j0);
            int base = chunk * j0 + i * width;
            // The last vector may start at valid − VL, overlapping the one before (same values).
            int jv = 0;
            for (int lastJ = valid - VL; lastJ >= 0; jv += VL) {
                int j = Math.min(jv, lastJ);
                int o = j0 + j;
                FloatVector e00 = FloatVector.fromArray(S, src, p00 + o);
                FloatVector e01 = FloatVector.fromArray(S, src, p01 + o);
                FloatVector e10 = FloatVector.fromArray(S, src, p10 + o);
                FloatVector e11 = FloatVector.fromArray(S, src, p11 + o);
                int at = base + j;
                FloatVector s0 = e00.add(e10);
                FloatVector s1 = e01.add(e11);
                FloatVector d0 = e00.sub(e10);
                FloatVector d1 = e01.sub(e11);
                FloatVector n0 = e10.neg();
                FloatVector n1 = e11.neg();
                e00.intoArray(e, at);
                e00.add(e01).intoArray(e, at + xs);
                e00.sub(e01).intoArray(e, at + 2 * xs);
                e01.neg().intoArray(e, at + 3 * xs);
                s0.intoArray(e, at + 4 * xs);
                s0.add(s1).intoArray(e, at + 5 * xs);
                s0.sub(s1).intoArray(e, at + 6 * xs);
                s1.neg().intoArray(e, at + 7 * xs);
                d0.intoArray(e, at + 8 * xs);
                d0.add(d1).intoArray(e, at + 9 * xs);
                d0.sub(d1).intoArray(e, at + 10 * xs);
                d1.neg().intoArray(e, at + 11 * xs);
                n0.intoArray(e, at + 12 * xs);
                n0.sub(e11).intoArray(e, at + 13 * xs);
                n0.add(e11).intoArray(e, at + 14 * xs);
                e11.intoArray(e, at + 15 * xs);
                if (j == lastJ) {
                    jv = valid;
                    break;
                }
            }
            for (int j = jv; j < valid; j++) {
                int o = j0 + j;
                float e00 = src[p00 + o];
                float e01 = src[p01 + o];
                float e10 = src[p10 + o];
                float e11 = src[p11 + o];
                int at = base + j;
                float s0 = e00 + e10;
                float s1 = e01 + e11;
                float d0 = e00 - e10;
                float d1 = e01 - e11;
                float n0 = -e10;
                e[at] = e00;
                e[at + xs] = e00 + e01;
                e[at + 2 * xs] = e00 - e01;
                e[at + 3 * xs] = -e01;
                e[at + 4 * xs] = s0;
                e[at + 5 * xs] = s0 + s1;
                e[at + 6 * xs] = s0 - s1;
                e[at + 7 * xs] = -s1;
                e[at + 8 * xs] = d0;
                e[at + 9 * xs] = d0 + d1;
                e[at + 10 * xs] = d0 - d1;
                e[at + 11 * xs] = -d1;
                e[at + 12 * xs] = n0;
                e[at + 13 * xs] = n0 - e11;
                e[at + 14 * xs] = n0 + e11;
                e[at + 15 * xs] = e11;
            }
            if (valid < width) {
                for (int xi = 0; xi < 16; xi++) {
                    Arrays.fill(e, xi * xs + base + valid, xi * xs + base + width, 0f);
                }
            }
        }
    }

    /*
     * dkernel[ky, kx, ch, o] += (Gᵀ M G)[ky, kx] for every filter o, M = m[ξ, ch, o] (position ξ at
     * ξ·ms, rows fPad apart). Gᵀ = [1 ½ ½ 0; 0 ½ −½ 0; 0 ½ ½ 1]: each row [a0..a3] becomes
     * [a0 + ½(a1 + a2), ½(a1 − a2), ½(a1 + a2) + a3]. Vector lanes and the scalar tail compute the
     * same expressions in the same order.
     */
    static void transformOutput(float[] m, float[] dkernel, float[] tmp, int ch, int c, int f, int fPad, int ms) {
        int row = ch * fPad;
        int ks = c * f;
        int k0 = ch * f;
        int o = 0;
        for (int vb = S.loopBound(f); o < vb; o += VL) {
            int at = row + o;
            // Gᵀ M by columns into tmp (3 rows × 4 columns), then each row · G.
            for (int j = 0; j < 4; j++) {
                FloatVector m0 = FloatVector.fromArray(S, m, at + j * ms);
                FloatVector m1 = FloatVector.fromArray(S, m, at + (4 + j) * ms);
                FloatVector m2 = FloatVector.fromArray(S, m, at + (8 + j) * ms);
                FloatVector m3 = FloatVector.fromArray(S, m, at + (12 + j) * ms);
                FloatVector sum = m1.add(m2).mul(0.5f);
                m0.add(sum).intoArray(tmp, j * VL);
                m1.sub(m2).mul(0.5f).intoArray(tmp, (4 + j) * VL);
                sum.add(m3).intoArray(tmp, (8 + j) * VL);
            }
            for (int r = 0; r < 3; r++) {
                FloatVector a0 = FloatVector.fromArray(S, tmp, 4 * r * VL);
                FloatVector a1 = FloatVector.fromArray(S, tmp, (4 * r + 1) * VL);
                FloatVector a2 = FloatVector.fromArray(S, tmp, (4 * r + 2) * VL);
                FloatVector a3 = FloatVector.fromArray(S, tmp, (4 * r + 3) * VL);
                FloatVector sum = a1.add(a2).mul(0.5f);
                int d = k0 + 3 * r * ks + o;
                FloatVector.fromArray(S, dkernel, d).add(a0.add(sum)).intoArray(dkernel, d);
                FloatVector.fromArray(S, dkernel, d + ks).add(a1.sub(a2).mul(0.5f)).intoArray(dkernel, d + ks);
                FloatVector.fromArray(S, dkernel, d + 2 * ks).add(sum.add(a3)).intoArray(dkernel, d + 2 * ks);
            }
        }
        for (; o < f; o++) {
            int at = row + o;
            for (int j = 0; j < 4; j++) {
                float m0 = m[at + j * ms];
                float m1 = m[at + (4 + j) * ms];
                float m2 = m[at + (8 + j) * ms];
                float m3 = m[at + (12 + j) * ms];
                float sum = (m1 + m2) * 0.5f;
                tmp[j] = m0 + sum;
                tmp[4 + j] = (m1 - m2) * 0.5f;
                tmp[8 + j] = sum + m3;
            }
            for (int r = 0; r < 3; r++) {
                float a0 = tmp[4 * r];
                float a1 = tmp[4 * r + 1];
                float a2 = tmp[4 * r + 2];
                float a3 = tmp[4 * r + 3];
                float sum = (a1 + a2) * 0.5f;
                int d = k0 + 3 * r * ks + o;
                dkernel[d] += a0 + sum;
                dkernel[d + ks] += (a1 - a2) * 0.5f;
                dkernel[d + 2 * ks] += sum + a3;
            }
        }
    }

    private static final float[][] GT = {{1, 0.5f, 0.5f, 0}, {0, 0.5f, -0.5f, 0}, {0, 0.5f, 0.5f, 1}};
    private static final float[][] BT = {{1, 0, -1, 0}, {0, 1, 1, 0}, {0, -1, 1, 0}, {0, 1, 0, -1}};
    private static final float[][] A = {{1, 0}, {1, 1}, {1, -1}, {0, -1}};

    /**
     * The scalar twin of {@link #backwardWeights}, from the definitions with the matrices spelled
     * out: per tile V = Bᵀ D B and E' = A E Aᵀ, M = Σ_tiles V ⊙ E' (in tile order), dW = Gᵀ M G.
     * Same contract; allocates, so it is for tests only.
     */
    static void backwardWeightsScalar(float[] x, float[] dy, float[] dkernel, float[] dbias, WindowGeometry g,
                                      int n, int c, int f) {
        backwardWeightsScalar(x, dy, dkernel, dbias, g, n, c, f, 2);
    }

    /**
     * The scalar twin with m×m tiles: per tile V = Bᵀ D B, E' = A E Aᵀ, M = Σ_tiles V ⊙ E' (in
     * tile order), dW = Gᵀ M G, with F(2×2, 3×3)'s matrices for m = 2 and F(4×4, 3×3)'s
     * ({@link WinogradTiles4}) for m = 4, A being Aᵀ transposed.
     */
    static void backwardWeightsScalar(float[] x, float[] dy, float[] dkernel, float[] dbias, WindowGeometry g,
                                      int n, int c, int f, int m) {
        int oh = g.oh();
        int ow = g.ow();
        int alpha = m + 2;
        float[][] bt = m == 2 ? BT : WinogradTiles4.BT;
        float[][] a = m == 2 ? A : Winograd.transpose(WinogradTiles4.AT);
        float[][] gt = m == 2 ? GT : Winograd.transpose(WinogradTiles4.G);
        float[][] b = Winograd.transpose(bt);
        float[][] at = Winograd.transpose(a);
        float[][] gm = Winograd.transpose(gt);
        float[][][][] mm = new float[c][f][alpha][alpha];
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
                        v[ch] = Winograd.times(Winograd.times(bt, d), b);
                    }
                    for (int o = 0; o < f; o++) {
                        float[][] e = new float[m][m];
                        for (int i = 0; i < m && oy + i < oh; i++) {
                            for (int j = 0; j < m && ox + j < ow; j++) {
                                e[i][j] = dy[((img * oh + oy + i) * ow + ox + j) * f + o];
                            }
                        }
                        float[][] et = Winograd.times(Winograd.times(a, e), at);
                        for (int ch = 0; ch < c; ch++) {
                            for (int i = 0; i < alpha; i++) {
                                for (int j = 0; j < alpha; j++) {
                                    mm[ch][o][i][j] += v[ch][i][j] * et[i][j];
                                }
                            }
                        }
                    }
                }
            }
        }
        for (int ch = 0; ch < c; ch++) {
            for (int o = 0; o < f; o++) {
                float[][] w = Winograd.times(Winograd.times(gt, mm[ch][o]), gm);
                for (int ky = 0; ky < 3; ky++) {
                    for (int kx = 0; kx < 3; kx++) {
                        dkernel[((ky * 3 + kx) * c + ch) * f + o] += w[ky][kx];
                    }
                }
            }
        }
        if (dbias != null) {
            for (int o = 0; o < f; o++) {
                double sum = 0;
                for (int r = 0; r < n * oh * ow; r++) {
                    sum += dy[r * f + o];
                }
                dbias[o] += (float) sum;
            }
        }
    }

}
