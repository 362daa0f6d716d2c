package dev.fovea.kernel.conv;

import dev.fovea.kernel.window.WindowGeometry;

import static dev.fovea.kernel.gemm.generated.GemmKernels.S;
import static dev.fovea.kernel.gemm.generated.GemmKernels.VL;

import java.util.Arrays;
import jdk.incubator.vector.FloatVector;

/**
 * The per-tile transforms of Winograd's F(4×4, 3×3) (Lavin and Gray 2015, points 0, ±1, ±2, ∞):
 * 6×6 input patches into the 36 product positions (Bᵀ d B), the 36 products back into 4×4
 * output pixels (Aᵀ m A, bias, fused ReLU), the kernel (G g Gᵀ), and for the weight gradient,
 * F(3×3, 4×4), a 4×4 block of dy spread over the positions (A E Aᵀ) and the positions folded
 * back to 3×3 (Gᵀ M G). The same interface as {@link WinogradTiles} (F(2×2, 3×3)), for the same
 * drivers; vectorized over channels or filters through a scratch {@code tmp} of 36 vectors, in
 * two passes (columns, then rows) so that no compiled method holds more than a few dozen vector
 * operations (VECTOR-API.md's boxing cliff). Each pass's scalar tail computes a lane's
 * expressions in the same order, so a channel gets the same bits whichever loop handles it; where
 * writing twice is harmless the last vector instead starts at C − VL, overlapping the one before.
 *
 * <pre>
 * Bᵀ = [4  0 −5  0  1  0;  0 −4 −4  1  1  0;  0  4 −4 −1  1  0;
 *       0 −2 −1  2  1  0;  0  2 −1 −2  1  0;  0  4  0 −5  0  1]
 * G  = [1/4 0 0; −1/6 −1/6 −1/6; −1/6 1/6 −1/6; 1/24 1/12 1/6; 1/24 −1/12 1/6; 0 0 1]
 * Aᵀ = [1 1 1 1 1 0;  0 1 −1 2 −2 0;  0 1 1 4 4 0;  0 1 −1 8 −8 1]
 * </pre>
 * Machinery of {@link Winograd} and {@link WinogradWeights}; their scalar twins compute from
 * these matrices ({@link #BT}, {@link #G}, {@link #AT}).
 */
final class WinogradTiles4 {
    static final float[][] BT = {
        {4, 0, -5, 0, 1, 0}, {0, -4, -4, 1, 1, 0}, {0, 4, -4, -1, 1, 0},
        {0, -2, -1, 2, 1, 0}, {0, 2, -1, -2, 1, 0}, {0, 4, 0, -5, 0, 1}};
    static final float[][] G = {
        {1 / 4f, 0, 0}, {-1 / 6f, -1 / 6f, -1 / 6f}, {-1 / 6f, 1 / 6f, -1 / 6f},
        {1 / 24f, 1 / 12f, 1 / 6f}, {1 / 24f, -1 / 12f, 1 / 6f}, {0, 0, 1}};
    static final float[][] AT = {{1, 1, 1, 1, 1, 0}, {0, 1, -1, 2, -2, 0}, {0, 1, 1, 4, 4, 0}, {0, 1, -1, 8, -8, 1}};

    private static final float SIXTH = 1 / 6f;
    private static final float TWELFTH = 1 / 12f;
    private static final float TWENTYFOURTH = 1 / 24f;
    /* Constant vectors for the fused multiply-adds (fma takes vectors). */
    private static final FloatVector M5 = FloatVector.broadcast(S, -5f);
    private static final FloatVector M4 = FloatVector.broadcast(S, -4f);
    private static final FloatVector TWO = FloatVector.broadcast(S, 2f);
    private static final FloatVector FOUR = FloatVector.broadcast(S, 4f);
    private static final FloatVector EIGHT = FloatVector.broadcast(S, 8f);
    /* Where scalar tails keep a row of at most 6 floats in tmp: past the 36 they use for a tile's values (tmp has 36·VL). */
    private static final int SCRATCH = 72;

    private WinogradTiles4() {
    }

    // ---- input: V = Bᵀ d B ------------------------------------------------------------------

    /*
     * V_ξ[i, ·] = (Bᵀ d B)[ξ] for tile `tile`'s 6×6 input patch d (zeros outside the image), into
     * row i of each position's block of v (blocks vs floats apart, rows C floats apart). A tile's
     * patch starts 4 rows and 4 columns after the previous tile's. Border patches are copied into
     * `patch` (36·C floats) with their zeros first, so one loop reads both kinds.
     */
    static void transformInput(float[] x, float[] v, float[] patch, float[] tmp, int tile, int i, int vs,
                               WindowGeometry g, int th, int tw, int c) {
        int h = g.h();
        int w = g.w();
        int img = tile / (th * tw);
        int rest = tile - img * th * tw;
        int iy0 = rest / tw * 4 - g.padTop();
        int ix0 = rest % tw * 4 - g.padLeft();
        float[] src;
        int base;
        int rowStride;
        if (iy0 >= 0 && ix0 >= 0 && iy0 + 6 <= h && ix0 + 6 <= w) {
            src = x;
            base = ((img * h + iy0) * w + ix0) * c;
            rowStride = w * c;
        } else {
            Arrays.fill(patch, 0, 36 * c, 0f);
            int cx0 = Math.max(0, -ix0);
            int cx1 = Math.min(6, w - ix0);
            for (int r = 0; r < 6; r++) {
                int iy = iy0 + r;
                if (iy >= 0 && iy < h && cx1 > cx0) {
                    System.arraycopy(x, ((img * h + iy) * w + ix0 + cx0) * c, patch, (r * 6 + cx0) * c, (cx1 - cx0) * c);
                }
            }
            src = patch;
            base = 0;
            rowStride = 6 * c;
        }
        int out = i * c;
        int ch0 = 0;
        for (int last = c - VL; last >= 0; ch0 += VL) {
            int ch = Math.min(ch0, last);
            inputColumns(src, base + ch, rowStride, c, tmp);
            inputRows(tmp, v, out + ch, vs);
            if (ch == last) {
                ch0 = c;
                break;
            }
        }
        for (int ch = ch0; ch < c; ch++) {
            inputColumnsScalar(src, base + ch, rowStride, c, tmp);
            inputRowsScalar(tmp, v, out + ch, vs);
        }
    }

    /* tmp[k·6 + j] = (Bᵀ d)[k][j]: column j of d is src[o + r·rowStride + j·c], r = 0..5. */
    private static void inputColumns(float[] src, int o, int rowStride, int c, float[] tmp) {
        for (int j = 0; j < 6; j++) {
            int oj = o + j * c;
            FloatVector d0 = FloatVector.fromArray(S, src, oj);
            FloatVector d1 = FloatVector.fromArray(S, src, oj + rowStride);
            FloatVector d2 = FloatVector.fromArray(S, src, oj + 2 * rowStride);
            FloatVector d3 = FloatVector.fromArray(S, src, oj + 3 * rowStride);
            FloatVector d4 = FloatVector.fromArray(S, src, oj + 4 * rowStride);
            FloatVector d5 = FloatVector.fromArray(S, src, oj + 5 * rowStride);
            d2.fma(M5, d4).add(d0.mul(4f)).intoArray(tmp, j * VL);
            FloatVector t1 = d2.fma(M4, d4);
            FloatVector t2 = d1.fma(M4, d3);
            t1.add(t2).intoArray(tmp, (6 + j) * VL);
            t1.sub(t2).intoArray(tmp, (12 + j) * VL);
            FloatVector t3 = d4.sub(d2);
            FloatVector t4 = d3.sub(d1).mul(2f);
            t3.add(t4).intoArray(tmp, (18 + j) * VL);
            t3.sub(t4).intoArray(tmp, (24 + j) * VL);
            d3.fma(M5, d5).add(d1.mul(4f)).intoArray(tmp, (30 + j) * VL);
        }
    }

    /* V[k·6 + l] = (row k of tmp) · B, into positions ξ = k·6 + l at e + ξ·vs. */
    private static void inputRows(float[] tmp, float[] v, int e, int vs) {
        for (int k = 0; k < 6; k++) {
            int t = 6 * k * VL;
            FloatVector d0 = FloatVector.fromArray(S, tmp, t);
            FloatVector d1 = FloatVector.fromArray(S, tmp, t + VL);
            FloatVector d2 = FloatVector.fromArray(S, tmp, t + 2 * VL);
            FloatVector d3 = FloatVector.fromArray(S, tmp, t + 3 * VL);
            FloatVector d4 = FloatVector.fromArray(S, tmp, t + 4 * VL);
            FloatVector d5 = FloatVector.fromArray(S, tmp, t + 5 * VL);
            int at = e + 6 * k * vs;
            d2.fma(M5, d4).add(d0.mul(4f)).intoArray(v, at);
            FloatVector t1 = d2.fma(M4, d4);
            FloatVector t2 = d1.fma(M4, d3);
            t1.add(t2).intoArray(v, at + vs);
            t1.sub(t2).intoArray(v, at + 2 * vs);
            FloatVector t3 = d4.sub(d2);
            FloatVector t4 = d3.sub(d1).mul(2f);
            t3.add(t4).intoArray(v, at + 3 * vs);
            t3.sub(t4).intoArray(v, at + 4 * vs);
            d3.fma(M5, d5).add(d1.mul(4f)).intoArray(v, at + 5 * vs);
        }
    }

    /* One lane of inputColumns: the same operations, tmp[k·6 + j]. */
    private static void inputColumnsScalar(float[] src, int o, int rowStride, int c, float[] tmp) {
        for (int j = 0; j < 6; j++) {
            int oj = o + j * c;
            bt(src[oj], src[oj + rowStride], src[oj + 2 * rowStride], src[oj + 3 * rowStride], src[oj + 4 * rowStride],
                    src[oj + 5 * rowStride], tmp, j, 6);
        }
    }

    /* One lane of inputRows. */
    private static void inputRowsScalar(float[] tmp, float[] v, int e, int vs) {
        for (int k = 0; k < 6; k++) {
            int t = 6 * k;
            bt(tmp[t], tmp[t + 1], tmp[t + 2], tmp[t + 3], tmp[t + 4], tmp[t + 5], tmp, SCRATCH, 1);
            for (int l = 0; l < 6; l++) {
                v[e + (6 * k + l) * vs] = tmp[SCRATCH + l];
            }
        }
    }

    /* out[at + k·step] = (Bᵀ d)[k], the lane expressions of inputColumns/inputRows in order. */
    private static void bt(float d0, float d1, float d2, float d3, float d4, float d5, float[] out, int at, int step) {
        out[at] = Math.fma(d2, -5f, d4) + d0 * 4f;
        float t1 = Math.fma(d2, -4f, d4);
        float t2 = Math.fma(d1, -4f, d3);
        out[at + step] = t1 + t2;
        out[at + 2 * step] = t1 - t2;
        float t3 = d4 - d2;
        float t4 = (d3 - d1) * 2f;
        out[at + 3 * step] = t3 + t4;
        out[at + 4 * step] = t3 - t4;
        out[at + 5 * step] = Math.fma(d3, -5f, d5) + d1 * 4f;
    }

    // ---- output: Y = Aᵀ m A + bias ------------------------------------------------------------

    /*
     * y's 4×4 outputs of tile `tile` = Aᵀ m A + bias (F, zeros for none) from the row at offset
     * `in` of each position's block of m (blocks ms floats apart), and relu = max(y, 0); rows and
     * columns past the output's edge are skipped.
     */
    static void transformOutput(float[] m, float[] bias, float[] y, float[] relu, float[] tmp, int tile, int in, int ms,
                                WindowGeometry g, int th, int tw, int f) {
        int oh = g.oh();
        int ow = g.ow();
        int img = tile / (th * tw);
        int rest = tile - img * th * tw;
        int oy = rest / tw * 4;
        int ox = rest % tw * 4;
        int rows = Math.min(4, oh - oy);
        int cols = Math.min(4, ow - ox);
        int y00 = ((img * oh + oy) * ow + ox) * f;
        int o0 = 0;
        for (int last = f - VL; last >= 0; o0 += VL) {
            int o = Math.min(o0, last);
            outputColumns(m, in + o, ms, tmp);
            outputRows(tmp, bias, o, y, relu, y00 + o, ow * f, f, rows, cols);
            if (o == last) {
                o0 = f;
                break;
            }
        }
        for (int o = o0; o < f; o++) {
            int e = in + o;
            for (int j = 0; j < 6; j++) {
                at(m[e + j * ms], m[e + (6 + j) * ms], m[e + (12 + j) * ms], m[e + (18 + j) * ms], m[e + (24 + j) * ms],
                        m[e + (30 + j) * ms], tmp, j, 6);
            }
            for (int r = 0; r < rows; r++) {
                int t = 6 * r;
                at(tmp[t], tmp[t + 1], tmp[t + 2], tmp[t + 3], tmp[t + 4], tmp[t + 5], tmp, SCRATCH, 1);
                for (int cc = 0; cc < cols; cc++) {
                    WinogradTiles.store(y, relu, y00 + (r * ow + cc) * f + o, tmp[SCRATCH + cc] + bias[o]);
                }
            }
        }
    }

    /* tmp[r·6 + j] = (Aᵀ m)[r][j] for r = 0..3, column j of the positions at e + (6k + j)·ms. */
    private static void outputColumns(float[] m, int e, int ms, float[] tmp) {
        for (int j = 0; j < 6; j++) {
            FloatVector m0 = FloatVector.fromArray(S, m, e + j * ms);
            FloatVector m1 = FloatVector.fromArray(S, m, e + (6 + j) * ms);
            FloatVector m2 = FloatVector.fromArray(S, m, e + (12 + j) * ms);
            FloatVector m3 = FloatVector.fromArray(S, m, e + (18 + j) * ms);
            FloatVector m4 = FloatVector.fromArray(S, m, e + (24 + j) * ms);
            FloatVector m5 = FloatVector.fromArray(S, m, e + (30 + j) * ms);
            FloatVector a = m1.add(m2);
            FloatVector b = m1.sub(m2);
            FloatVector c = m3.add(m4);
            FloatVector d = m3.sub(m4);
            m0.add(a).add(c).intoArray(tmp, j * VL);
            d.fma(TWO, b).intoArray(tmp, (6 + j) * VL);
            c.fma(FOUR, a).intoArray(tmp, (12 + j) * VL);
            d.fma(EIGHT, b).add(m5).intoArray(tmp, (18 + j) * VL);
        }
    }

    /* Row r of the tile: (row r of tmp) · A + bias, stored for the valid rows and columns. */
    private static void outputRows(float[] tmp, float[] bias, int o, float[] y, float[] relu, int at, int rowStep,
                                   int f, int rows, int cols) {
        FloatVector bv = FloatVector.fromArray(S, bias, o);
        for (int r = 0; r < rows; r++) {
            int t = 6 * r * VL;
            FloatVector m0 = FloatVector.fromArray(S, tmp, t);
            FloatVector m1 = FloatVector.fromArray(S, tmp, t + VL);
            FloatVector m2 = FloatVector.fromArray(S, tmp, t + 2 * VL);
            FloatVector m3 = FloatVector.fromArray(S, tmp, t + 3 * VL);
            FloatVector m4 = FloatVector.fromArray(S, tmp, t + 4 * VL);
            FloatVector m5 = FloatVector.fromArray(S, tmp, t + 5 * VL);
            FloatVector a = m1.add(m2);
            FloatVector b = m1.sub(m2);
            FloatVector c = m3.add(m4);
            FloatVector d = m3.sub(m4);
            int p = at + r * rowStep;
            FloatVector q = m0.add(a).add(c).add(bv);
            q.intoArray(y, p);
            if (relu != null) {
                q.max(0f).intoArray(relu, p);
            }
            if (cols > 1) {
                q = d.fma(TWO, b).add(bv);
                q.intoArray(y, p + f);
                if (relu != null) {
                    q.max(0f).intoArray(relu, p + f);
                }
            }
            if (cols > 2) {
                q = c.fma(FOUR, a).add(bv);
                q.intoArray(y, p + 2 * f);
                if (relu != null) {
                    q.max(0f).intoArray(relu, p + 2 * f);
                }
            }
            if (cols > 3) {
                q = d.fma(EIGHT, b).add(m5).add(bv);
                q.intoArray(y, p + 3 * f);
                if (relu != null) {
                    q.max(0f).intoArray(relu, p + 3 * f);
                }
            }
        }
    }

    /* out[at + r·step] = (Aᵀ m)[r], the lane expressions of outputColumns/outputRows in order (bias apart). */
    private static void at(float m0, float m1, float m2, float m3, float m4, float m5, float[] out, int at, int step) {
        float a = m1 + m2;
        float b = m1 - m2;
        float c = m3 + m4;
        float d = m3 - m4;
        out[at] = m0 + a + c;
        out[at + step] = Math.fma(d, 2f, b);
        out[at + 2 * step] = Math.fma(c, 4f, a);
        out[at + 3 * step] = Math.fma(d, 8f, b) + m5;
    }

    // ---- kernel: U = G g Gᵀ -------------------------------------------------------------------

    /*
     * U_ξ[ch, o] = (G g Gᵀ)[ξ] for the 3×3 g = kernel[·, ·, ch, o] and every filter o, into the
     * packed panels of every position ξ (position ξ from ξ·uStride, K block pc from pc·fPad, panel
     * q within it from kc·panelCol[q], row ch − pc), with the panels' padding columns zeroed.
     */
    static void transformKernel(float[] kernel, float[] u, float[] tmp, int ch, int uStride, int c, int f, int kc0,
                                int panels, int[] panelCol, int[] panelVecs, int fPad) {
        int pc = ch / kc0 * kc0;
        int kc = Math.min(kc0, c - pc);
        int kstep = c * f;
        int g0 = ch * f;
        for (int q = 0; q < panels; q++) {
            int width = panelVecs[q] * VL;
            int j0 = panelCol[q];
            int valid = Math.min(width, f - j0);
            int d = pc * fPad + kc * j0 + (ch - pc) * width;
            int j = 0;
            for (; j + VL <= valid; j += VL) {
                kernelColumns(kernel, g0 + j0 + j, kstep, tmp);
                kernelRows(tmp, u, d + j, uStride);
            }
            for (; j < valid; j++) {
                int o = g0 + j0 + j;
                for (int kx = 0; kx < 3; kx++) {
                    gcol(kernel[o + kx * kstep], kernel[o + (3 + kx) * kstep], kernel[o + (6 + kx) * kstep], tmp, kx, 3);
                }
                for (int r = 0; r < 6; r++) {
                    gcol(tmp[3 * r], tmp[3 * r + 1], tmp[3 * r + 2], tmp, SCRATCH, 1);
                    for (int l = 0; l < 6; l++) {
                        u[d + j + (6 * r + l) * uStride] = tmp[SCRATCH + l];
                    }
                }
            }
            for (int xi = 0; xi < 36; xi++) {
                Arrays.fill(u, xi * uStride + d + valid, xi * uStride + d + width, 0f);
            }
        }
    }

    /* tmp[r·3 + kx] = (G g)[r][kx], columns kx of the 3×3 taps at o + (3ky + kx)·kstep. */
    private static void kernelColumns(float[] kernel, int o, int kstep, float[] tmp) {
        for (int kx = 0; kx < 3; kx++) {
            FloatVector g0 = FloatVector.fromArray(S, kernel, o + kx * kstep);
            FloatVector g1 = FloatVector.fromArray(S, kernel, o + (3 + kx) * kstep);
            FloatVector g2 = FloatVector.fromArray(S, kernel, o + (6 + kx) * kstep);
            FloatVector s = g0.add(g2);
            g0.mul(0.25f).intoArray(tmp, kx * VL);
            s.add(g1).mul(-SIXTH).intoArray(tmp, (3 + kx) * VL);
            s.sub(g1).mul(-SIXTH).intoArray(tmp, (6 + kx) * VL);
            FloatVector p = g0.mul(TWENTYFOURTH).add(g2.mul(SIXTH));
            FloatVector h = g1.mul(TWELFTH);
            p.add(h).intoArray(tmp, (9 + kx) * VL);
            p.sub(h).intoArray(tmp, (12 + kx) * VL);
            g2.intoArray(tmp, (15 + kx) * VL);
        }
    }

    /* U[r·6 + l] = (row r of G g) · Gᵀ, into positions at e + ξ·uStride. */
    private static void kernelRows(float[] tmp, float[] u, int e, int uStride) {
        for (int r = 0; r < 6; r++) {
            FloatVector g0 = FloatVector.fromArray(S, tmp, 3 * r * VL);
            FloatVector g1 = FloatVector.fromArray(S, tmp, (3 * r + 1) * VL);
            FloatVector g2 = FloatVector.fromArray(S, tmp, (3 * r + 2) * VL);
            int at = e + 6 * r * uStride;
            FloatVector s = g0.add(g2);
            g0.mul(0.25f).intoArray(u, at);
            s.add(g1).mul(-SIXTH).intoArray(u, at + uStride);
            s.sub(g1).mul(-SIXTH).intoArray(u, at + 2 * uStride);
            FloatVector p = g0.mul(TWENTYFOURTH).add(g2.mul(SIXTH));
            FloatVector h = g1.mul(TWELFTH);
            p.add(h).intoArray(u, at + 3 * uStride);
            p.sub(h).intoArray(u, at + 4 * uStride);
            g2.intoArray(u, at + 5 * uStride);
        }
    }

    /* out[at + r·step] = (G g)[r] for the column (g0, g1, g2): the lane expressions above, in order. */
    private static void gcol(float g0, float g1, float g2, float[] out, int at, int step) {
        float s = g0 + g2;
        out[at] = g0 * 0.25f;
        out[at + step] = (s + g1) * -SIXTH;
        out[at + 2 * step] = (s - g1) * -SIXTH;
        float p = g0 * TWENTYFOURTH + g2 * SIXTH;
        float h = g1 * TWELFTH;
        out[at + 3 * step] = p + h;
        out[at + 4 * step] = p - h;
        out[at + 5 * step] = g2;
    }

    // ---- weight gradient: E' = A E Aᵀ and dW = Gᵀ M G ---------------------------------------

    /*
     * E_ξ = (A E Aᵀ)[ξ] for tile `tile`'s 4×4 block E of dy (zeros past the output's edge), into
     * row i of each position's packed panels of e: panel q of position ξ starts at ξ·es +
     * chunk·panelCol[q], its rows are panelVecs[q]·VL floats; padding columns are 0. An edge
     * tile's block is first copied into `patch` (16·F floats) with its zeros.
     */
    static void transformDy(float[] dy, float[] e, float[] patch, float[] tmp, int tile, int i, int chunk, int es,
                            WindowGeometry g, int th, int tw, int f, int panels, int[] panelCol, int[] panelVecs) {
        int oh = g.oh();
        int ow = g.ow();
        int img = tile / (th * tw);
        int rest = tile - img * th * tw;
        int oy = rest / tw * 4;
        int ox = rest % tw * 4;
        float[] src = dy;
        int p00 = ((img * oh + oy) * ow + ox) * f;
        int rowStep = ow * f;
        if (oy + 4 > oh || ox + 4 > ow) {
            Arrays.fill(patch, 0, 16 * f, 0f);
            int cols = Math.min(4, ow - ox);
            for (int r = 0; r < 4 && oy + r < oh; r++) {
                System.arraycopy(dy, p00 + r * rowStep, patch, r * 4 * f, cols * f);
            }
            src = patch;
            p00 = 0;
            rowStep = 4 * f;
        }
        for (int q = 0; q < panels; q++) {
            int width = panelVecs[q] * VL;
            int j0 = panelCol[q];
            int valid = Math.min(width, f - j0);
            int base = chunk * j0 + i * width;
            int jv = 0;
            for (int lastJ = valid - VL; lastJ >= 0; jv += VL) {
                int j = Math.min(jv, lastJ);
                dyColumns(src, p00 + j0 + j, rowStep, f, tmp);
                dyRows(tmp, e, base + j, es);
                if (j == lastJ) {
                    jv = valid;
                    break;
                }
            }
            for (int j = jv; j < valid; j++) {
                int o = p00 + j0 + j;
                for (int cc = 0; cc < 4; cc++) {
                    acol(src[o + cc * f], src[o + rowStep + cc * f], src[o + 2 * rowStep + cc * f],
                            src[o + 3 * rowStep + cc * f], tmp, cc, 4);
                }
                for (int r = 0; r < 6; r++) {
                    acol(tmp[4 * r], tmp[4 * r + 1], tmp[4 * r + 2], tmp[4 * r + 3], tmp, SCRATCH, 1);
                    for (int l = 0; l < 6; l++) {
                        e[base + j + (6 * r + l) * es] = tmp[SCRATCH + l];
                    }
                }
            }
            if (valid < width) {
                for (int xi = 0; xi < 36; xi++) {
                    Arrays.fill(e, xi * es + base + valid, xi * es + base + width, 0f);
                }
            }
        }
    }

    /* tmp[r·4 + col] = (A E)[r][col]: column col of E is src[o + row·rowStep + col·f]. */
    private static void dyColumns(float[] src, int o, int rowStep, int f, float[] tmp) {
        for (int col = 0; col < 4; col++) {
            int oc = o + col * f;
            FloatVector e0 = FloatVector.fromArray(S, src, oc);
            FloatVector e1 = FloatVector.fromArray(S, src, oc + rowStep);
            FloatVector e2 = FloatVector.fromArray(S, src, oc + 2 * rowStep);
            FloatVector e3 = FloatVector.fromArray(S, src, oc + 3 * rowStep);
            FloatVector p = e0.add(e2);
            FloatVector qv = e1.add(e3);
            FloatVector r = e2.fma(FOUR, e0);
            FloatVector s = e3.mul(8f).add(e1.mul(2f));
            e0.intoArray(tmp, col * VL);
            p.add(qv).intoArray(tmp, (4 + col) * VL);
            p.sub(qv).intoArray(tmp, (8 + col) * VL);
            r.add(s).intoArray(tmp, (12 + col) * VL);
            r.sub(s).intoArray(tmp, (16 + col) * VL);
            e3.intoArray(tmp, (20 + col) * VL);
        }
    }

    /* E'[r·6 + l] = (row r of A E) · Aᵀ, into positions at e + ξ·es. */
    private static void dyRows(float[] tmp, float[] e, int at0, int es) {
        for (int r = 0; r < 6; r++) {
            int t = 4 * r * VL;
            FloatVector e0 = FloatVector.fromArray(S, tmp, t);
            FloatVector e1 = FloatVector.fromArray(S, tmp, t + VL);
            FloatVector e2 = FloatVector.fromArray(S, tmp, t + 2 * VL);
            FloatVector e3 = FloatVector.fromArray(S, tmp, t + 3 * VL);
            FloatVector p = e0.add(e2);
            FloatVector qv = e1.add(e3);
            FloatVector rr = e2.fma(FOUR, e0);
            FloatVector s = e3.mul(8f).add(e1.mul(2f));
            int at = at0 + 6 * r * es;
            e0.intoArray(e, at);
            p.add(qv).intoArray(e, at + es);
            p.sub(qv).intoArray(e, at + 2 * es);
            rr.add(s).intoArray(e, at + 3 * es);
            rr.sub(s).intoArray(e, at + 4 * es);
            e3.intoArray(e, at + 5 * es);
        }
    }

    /* out[at + r·step] = (A e)[r] for the column (e0..e3): the lane expressions above, in order. */
    private static void acol(float e0, float e1, float e2, float e3, float[] out, int at, int step) {
        float p = e0 + e2;
        float qv = e1 + e3;
        float r = Math.fma(e2, 4f, e0);
        float s = e3 * 8f + e1 * 2f;
        out[at] = e0;
        out[at + step] = p + qv;
        out[at + 2 * step] = p - qv;
        out[at + 3 * step] = r + s;
        out[at + 4 * step] = r - s;
        out[at + 5 * step] = e3;
    }

    /*
     * dkernel[ky, kx, ch, o] += (Gᵀ M G)[ky, kx] for every filter o, M = m[ξ, ch, o] (position ξ at
     * ξ·ms, rows fPad apart). Each column (and then row) [m0..m5] becomes
     * [m0/4 − (m1 + m2)/6 + (m3 + m4)/24, −(m1 − m2)/6 + (m3 − m4)/12, −(m1 + m2)/6 + (m3 + m4)/6 + m5].
     * Accumulates, so the tail is scalar rather than an overlapping vector.
     */
    static void transformGradOutput(float[] m, float[] dkernel, float[] tmp, int ch, int c, int f, int fPad, int ms) {
        int row = ch * fPad;
        int ks = c * f;
        int k0 = ch * f;
        int o = 0;
        for (int vb = S.loopBound(f); o < vb; o += VL) {
            gradColumns(m, row + o, ms, tmp);
            gradRows(tmp, dkernel, k0 + o, ks);
        }
        for (; o < f; o++) {
            for (int j = 0; j < 6; j++) {
                gtcol(m[row + o + j * ms], m[row + o + (6 + j) * ms], m[row + o + (12 + j) * ms],
                        m[row + o + (18 + j) * ms], m[row + o + (24 + j) * ms], m[row + o + (30 + j) * ms], tmp, j, 6);
            }
            for (int r = 0; r < 3; r++) {
                int t = 6 * r;
                gtcol(tmp[t], tmp[t + 1], tmp[t + 2], tmp[t + 3], tmp[t + 4], tmp[t + 5], tmp, SCRATCH, 1);
                int d = k0 + o + 3 * r * ks;
                dkernel[d] += tmp[SCRATCH];
                dkernel[d + ks] += tmp[SCRATCH + 1];
                dkernel[d + 2 * ks] += tmp[SCRATCH + 2];
            }
        }
    }

    /* tmp[r·6 + j] = (Gᵀ M)[r][j] for r = 0..2, column j of the positions at e + (6k + j)·ms. */
    private static void gradColumns(float[] m, int e, int ms, float[] tmp) {
        for (int j = 0; j < 6; j++) {
            FloatVector m0 = FloatVector.fromArray(S, m, e + j * ms);
            FloatVector m1 = FloatVector.fromArray(S, m, e + (6 + j) * ms);
            FloatVector m2 = FloatVector.fromArray(S, m, e + (12 + j) * ms);
            FloatVector m3 = FloatVector.fromArray(S, m, e + (18 + j) * ms);
            FloatVector m4 = FloatVector.fromArray(S, m, e + (24 + j) * ms);
            FloatVector m5 = FloatVector.fromArray(S, m, e + (30 + j) * ms);
            FloatVector a = m1.add(m2).mul(SIXTH);
            FloatVector c = m3.add(m4);
            m0.mul(0.25f).sub(a).add(c.mul(TWENTYFOURTH)).intoArray(tmp, j * VL);
            m3.sub(m4).mul(TWELFTH).sub(m1.sub(m2).mul(SIXTH)).intoArray(tmp, (6 + j) * VL);
            c.mul(SIXTH).sub(a).add(m5).intoArray(tmp, (12 + j) * VL);
        }
    }

    /* dkernel row r (three taps) += (row r of Gᵀ M) · G. */
    private static void gradRows(float[] tmp, float[] dkernel, int k0, int ks) {
        for (int r = 0; r < 3; r++) {
            int t = 6 * r * VL;
            FloatVector m0 = FloatVector.fromArray(S, tmp, t);
            FloatVector m1 = FloatVector.fromArray(S, tmp, t + VL);
            FloatVector m2 = FloatVector.fromArray(S, tmp, t + 2 * VL);
            FloatVector m3 = FloatVector.fromArray(S, tmp, t + 3 * VL);
            FloatVector m4 = FloatVector.fromArray(S, tmp, t + 4 * VL);
            FloatVector m5 = FloatVector.fromArray(S, tmp, t + 5 * VL);
            FloatVector a = m1.add(m2).mul(SIXTH);
            FloatVector c = m3.add(m4);
            int d = k0 + 3 * r * ks;
            FloatVector.fromArray(S, dkernel, d).add(m0.mul(0.25f).sub(a).add(c.mul(TWENTYFOURTH)))
                    .intoArray(dkernel, d);
            FloatVector.fromArray(S, dkernel, d + ks).add(m3.sub(m4).mul(TWELFTH).sub(m1.sub(m2).mul(SIXTH)))
                    .intoArray(dkernel, d + ks);
            FloatVector.fromArray(S, dkernel, d + 2 * ks).add(c.mul(SIXTH).sub(a).add(m5)).intoArray(dkernel, d + 2 * ks);
        }
    }

    /* out[at + r·step] = (Gᵀ m)[r] for the column m0..m5: the lane expressions above, in order. */
    private static void gtcol(float m0, float m1, float m2, float m3, float m4, float m5, float[] out, int at, int step) {
        float a = (m1 + m2) * SIXTH;
        float c = m3 + m4;
        out[at] = m0 * 0.25f - a + c * TWENTYFOURTH;
        out[at + step] = (m3 - m4) * TWELFTH - (m1 - m2) * SIXTH;
        out[at + 2 * step] = c * SIXTH - a + m5;
    }
}
