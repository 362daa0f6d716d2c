package dev.fovea.kernel.conv;

import dev.fovea.kernel.window.WindowGeometry;

import static dev.fovea.kernel.gemm.generated.GemmKernels.S;
import static dev.fovea.kernel.gemm.generated.GemmKernels.VL;

import jdk.incubator.vector.FloatVector;
import java.util.Arrays;

/**
 * The per-tile transforms of {@link Winograd}: 4×4 input patches into the 16 product positions
 * (Bᵀ d B) and the 16 products back into 2×2 output pixels (Aᵀ m A, bias, fused ReLU), vectorized
 * over channels or filters, through a small scratch {@code tmp} of 16 vectors. The scalar tails
 * compute each lane's expression in the same order, so a channel gives the same bits whichever
 * loop handles it. Apart from {@link Winograd} only
 * for file size; the scalar twin of the whole route is {@link Winograd#forwardScalar}.
 */
final class WinogradTiles {
    private WinogradTiles() {
    }

    /**
     * The distance in floats between the blocks of two positions ξ in a buffer whose blocks hold
     * {@code floats} each: whole cache lines (16 floats), an odd number of them. A transform
     * touches all 16 or 36 positions at once; with a stride of an even number of lines, and worst
     * with a multiple of 4 KiB (a 32-tile block of 64 channels is 8 KiB), those accesses share sets
     * of the 8-way L1 and evict each other, while with an odd number of lines position ξ's line
     * falls in set ξ·lines mod 64, a different set for each of the first 64 positions.
     */
    static int positionStride(int floats) {
        int lines = (floats + 15) / 16;
        return (lines | 1) * 16;
    }

    /*
     * V_ξ[i, ·] = (Bᵀ d B)[ξ] for tile `tile`'s 4×4 input patch d (zeros outside the image), into
     * row i of each position's block of v, the blocks vs floats apart (rows C floats apart). Bᵀ = [1 0 −1 0; 0 1 1 0; 0 −1 1 0; 0 1 0 −1].
     * Border tiles are first copied into `patch` with their zeros, so one loop reads both kinds.
     */
    static void transformInput(float[] x, float[] v, float[] patch, float[] tmp, int tile, int i, int vs, WindowGeometry g,
                               int th, int tw, int c) {
        int h = g.h();
        int w = g.w();
        int img = tile / (th * tw);
        int rest = tile - img * th * tw;
        int iy0 = rest / tw * 2 - g.padTop();
        int ix0 = rest % tw * 2 - g.padLeft();
        float[] src;
        int base;
        int rowStride;
        if (iy0 >= 0 && ix0 >= 0 && iy0 + 4 <= h && ix0 + 4 <= w) {
            src = x;
            base = ((img * h + iy0) * w + ix0) * c;
            rowStride = w * c;
        } else {
            Arrays.fill(patch, 0, 16 * c, 0f);
            for (int r = 0; r < 4; r++) {
                int iy = iy0 + r;
                if (iy < 0 || iy >= h) {
                    continue;
                }
                int cx0 = Math.max(0, -ix0);
                int cx1 = Math.min(4, w - ix0);
                if (cx1 > cx0) {
                    System.arraycopy(x, ((img * h + iy) * w + ix0 + cx0) * c, patch, (r * 4 + cx0) * c, (cx1 - cx0) * c);
                }
            }
            src = patch;
            base = 0;
            rowStride = 4 * c;
        }
        int r1 = rowStride;
        int r2 = 2 * rowStride;
        int r3 = 3 * rowStride;
        int out = i * c;
        // Two passes through tmp, Bᵀ d by columns then (Bᵀ d) B by rows, keep each compiled method
        // to a few dozen vector operations: written out whole, the transform outgrew C2's inlining
        // budget and its last vectors were boxed on the heap (VECTOR-API.md, "Boxed vectors").
        // When C is not a multiple of VL the last vector starts at C − VL, overlapping the one
        // before: its lanes recompute the same values, which is cheaper than a scalar tail.
        int ch0 = 0;
        for (int last = c - VL; last >= 0; ch0 += VL) {
            int ch = Math.min(ch0, last);
            int o = base + ch;
            for (int j = 0; j < 4; j++) {
                int oj = o + j * c;
                FloatVector d0 = FloatVector.fromArray(S, src, oj);
                FloatVector d1 = FloatVector.fromArray(S, src, oj + r1);
                FloatVector d2 = FloatVector.fromArray(S, src, oj + r2);
                FloatVector d3 = FloatVector.fromArray(S, src, oj + r3);
                d0.sub(d2).intoArray(tmp, j * VL);
                d1.add(d2).intoArray(tmp, (4 + j) * VL);
                d2.sub(d1).intoArray(tmp, (8 + j) * VL);
                d1.sub(d3).intoArray(tmp, (12 + j) * VL);
            }
            for (int r = 0; r < 4; r++) {
                FloatVector t0 = FloatVector.fromArray(S, tmp, 4 * r * VL);
                FloatVector t1 = FloatVector.fromArray(S, tmp, (4 * r + 1) * VL);
                FloatVector t2 = FloatVector.fromArray(S, tmp, (4 * r + 2) * VL);
                FloatVector t3 = FloatVector.fromArray(S, tmp, (4 * r + 3) * VL);
                int e = out + ch + 4 * r * vs;
                t0.sub(t2).intoArray(v, e);
                t1.add(t2).intoArray(v, e + vs);
                t2.sub(t1).intoArray(v, e + 2 * vs);
                t1.sub(t3).intoArray(v, e + 3 * vs);
            }
            if (ch == last) {
                ch0 = c;
                break;
            }
        }
        for (int ch = ch0; ch < c; ch++) {
            int o = base + ch;
            for (int j = 0; j < 4; j++) {
                int oj = o + j * c;
                float d0 = src[oj];
                float d1 = src[oj + r1];
                float d2 = src[oj + r2];
                float d3 = src[oj + r3];
                tmp[j] = d0 - d2;
                tmp[4 + j] = d1 + d2;
                tmp[8 + j] = d2 - d1;
                tmp[12 + j] = d1 - d3;
            }
            for (int r = 0; r < 4; r++) {
                float t0 = tmp[4 * r];
                float t1 = tmp[4 * r + 1];
                float t2 = tmp[4 * r + 2];
                float t3 = tmp[4 * r + 3];
                int e = out + ch + 4 * r * vs;
                v[e] = t0 - t2;
                v[e + vs] = t1 + t2;
                v[e + 2 * vs] = t2 - t1;
                v[e + 3 * vs] = t1 - t3;
            }
        }
    }

    /*
     * y's 2×2 outputs of tile `tile` = Aᵀ m A + bias (F, zeros for none) from the row at offset
     * `in` of each position's block of m (blocks ms floats apart), and relu = max(y, 0); rows or
     * columns past the output's edge (odd OH, OW) are skipped.
     * Aᵀ = [1 1 1 0; 0 1 −1 −1].
     */
    static void transformOutput(float[] m, float[] bias, float[] y, float[] relu, float[] tmp, int tile, int in, int ms,
                                WindowGeometry g, int th, int tw, int f) {
        int oh = g.oh();
        int ow = g.ow();
        int img = tile / (th * tw);
        int rest = tile - img * th * tw;
        int oy = rest / tw * 2;
        int ox = rest % tw * 2;
        boolean row2 = oy + 1 < oh;
        boolean col2 = ox + 1 < ow;
        int y00 = ((img * oh + oy) * ow + ox) * f;
        int rows = row2 ? 2 : 1;
        // Aᵀ m by columns into tmp, then · A by rows: two short passes, as in transformInput; the
        // last vector may overlap the one before it (same values written twice), as there.
        int o0 = 0;
        for (int last = f - VL; last >= 0; o0 += VL) {
            int o = Math.min(o0, last);
            int e = in + o;
            for (int j = 0; j < 4; j++) {
                FloatVector m0 = FloatVector.fromArray(S, m, e + j * ms);
                FloatVector m1 = FloatVector.fromArray(S, m, e + (4 + j) * ms);
                FloatVector m2 = FloatVector.fromArray(S, m, e + (8 + j) * ms);
                FloatVector m3 = FloatVector.fromArray(S, m, e + (12 + j) * ms);
                m0.add(m1).add(m2).intoArray(tmp, j * VL);
                m1.sub(m2).sub(m3).intoArray(tmp, (4 + j) * VL);
            }
            FloatVector b = FloatVector.fromArray(S, bias, o);
            for (int r = 0; r < rows; r++) {
                FloatVector s0 = FloatVector.fromArray(S, tmp, 4 * r * VL);
                FloatVector s1 = FloatVector.fromArray(S, tmp, (4 * r + 1) * VL);
                FloatVector s2 = FloatVector.fromArray(S, tmp, (4 * r + 2) * VL);
                FloatVector s3 = FloatVector.fromArray(S, tmp, (4 * r + 3) * VL);
                int at = y00 + r * ow * f + o;
                FloatVector q0 = s0.add(s1).add(s2).add(b);
                q0.intoArray(y, at);
                if (relu != null) {
                    q0.max(0f).intoArray(relu, at);
                }
                if (col2) {
                    FloatVector q1 = s1.sub(s2).sub(s3).add(b);
                    q1.intoArray(y, at + f);
                    if (relu != null) {
                        q1.max(0f).intoArray(relu, at + f);
                    }
                }
            }
            if (o == last) {
                o0 = f;
                break;
            }
        }
        for (int o = o0; o < f; o++) {
            int e = in + o;
            for (int j = 0; j < 4; j++) {
                float m0 = m[e + j * ms];
                float m1 = m[e + (4 + j) * ms];
                float m2 = m[e + (8 + j) * ms];
                float m3 = m[e + (12 + j) * ms];
                tmp[j] = m0 + m1 + m2;
                tmp[4 + j] = m1 - m2 - m3;
            }
            float b = bias[o];
            for (int r = 0; r < rows; r++) {
                int at = y00 + r * ow * f + o;
                store(y, relu, at, tmp[4 * r] + tmp[4 * r + 1] + tmp[4 * r + 2] + b);
                if (col2) {
                    store(y, relu, at + f, tmp[4 * r + 1] - tmp[4 * r + 2] - tmp[4 * r + 3] + b);
                }
            }
        }
    }

    static void store(float[] y, float[] relu, int at, float value) {
        y[at] = value;
        if (relu != null) {
            relu[at] = Math.max(value, 0f);
        }
    }
}
