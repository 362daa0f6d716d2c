package dev.fovea.kernel;

import static dev.fovea.kernel.GemmKernels.S;
import static dev.fovea.kernel.GemmKernels.VL;

import dev.fovea.tensor.Parallel;
import jdk.incubator.vector.FloatVector;
import java.util.Arrays;

/**
 * Forward 3×3 stride-1 convolution by Winograd's minimal filtering F(2×2, 3×3) (Lavin and Gray,
 * "Fast Algorithms for Convolutional Neural Networks", 2015): each 2×2 block of output pixels
 * ("tile") comes from a 4×4 input patch d as Y = Aᵀ [Σ_c (G g Gᵀ) ⊙ (Bᵀ d B)] A, 16 multiplies
 * per output tile and channel pair instead of 36. The sum over channels is 16 independent
 * products (tiles × C) · (C × F), one per position ξ of the 4×4 transformed tile, run by the
 * {@link GemmKernelsStrided} register kernels. Forward only; the backward passes stay with
 * {@link ConvGemm}. Machinery of {@link Conv2d}, which routes here ({@link #pays}).
 *
 * <p>Numerics: the transforms have coefficients 0, ±½, ±1, so every output is the direct
 * convolution's sum regrouped, with a few extra roundings per term; the error stays within a
 * small multiple of float epsilon times Σ|x·k| of the output's window (the tests hold 1e-5 of
 * that sum). Tiles never share a sum, and each product element sums its channels in the same
 * K order (blocks of {@link Tunables#GEMM_KC}) whichever task computes it, so results are
 * bit-identical at any thread count. Buffers are per thread and reused: a call allocates
 * nothing once they have grown.
 */
final class Winograd {
    private static final int KC = Tunables.GEMM_KC;
    private static final int NV = Tunables.GEMM_NV;
    private static final int MR = GemmKernels.MR;
    private static final ThreadLocal<Caller> CALLERS = ThreadLocal.withInitial(Caller::new);
    private static final ThreadLocal<Task> TASKS = ThreadLocal.withInitial(Task::new);

    private Winograd() {
    }

    /** Per calling thread: the transformed, packed kernel and its panel layout. */
    private static final class Caller {
        float[] packedU = new float[0];
        final int[] panelCol = new int[64];
        final int[] panelVecs = new int[64];
    }

    /** Per executing thread: transformed input tiles, products, a border patch, an edge tile. */
    private static final class Task {
        float[] v = new float[0];
        float[] m = new float[0];
        float[] patch = new float[0];
        final float[] tile = new float[MR * NV * VL];
    }

    /**
     * True when this route was measured faster than {@link ConvGemm}: a 3×3 stride-1 window over
     * enough channels, filters and output tiles (see {@link Tunables#WINOGRAD_MIN_CHANNELS}).
     */
    static boolean pays(WindowGeometry g, int n, int c, int f) {
        long tiles = (long) n * ((g.oh() + 1) / 2) * ((g.ow() + 1) / 2);
        return g.kh() == 3 && g.kw() == 3 && g.sh() == 1 && g.sw() == 1
                && c >= Tunables.WINOGRAD_MIN_CHANNELS && f >= Tunables.WINOGRAD_MIN_FILTERS
                && tiles >= Tunables.WINOGRAD_MIN_TILES && ConvGemm.fits(f);
    }

    /**
     * Tiles per task: {@link Tunables#WINOGRAD_TILE_BLOCK}, fewer (in whole register tiles) when
     * that leaves fewer than four tasks, so small images still spread over the cores. Depends on
     * the shape only; no sum crosses tiles, so it could not change results anyway.
     */
    static int tileBlock(int tiles) {
        int quarter = (tiles + 3) / 4;
        return Math.max(MR, Math.min(Tunables.WINOGRAD_TILE_BLOCK, (quarter + MR - 1) / MR * MR));
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
        int panels = ConvGemm.layoutPanels(f, cl.panelCol, cl.panelVecs);
        int fPad = cl.panelCol[panels];
        int[] panelCol = cl.panelCol;
        int[] panelVecs = cl.panelVecs;
        // Position ξ's packed (C × F) matrix: K block pc from pc·fPad, panel q within it from kc·panelCol[q].
        int uStride = ((c + KC - 1) / KC) * KC * fPad;
        if (cl.packedU.length < 16 * uStride) {
            cl.packedU = new float[16 * uStride];
        }
        float[] u = cl.packedU;
        Parallel.forEach(c, ch -> transformKernel(kernel, u, ch, uStride, c, f, panels, panelCol, panelVecs));

        int th = (g.oh() + 1) / 2;
        int tw = (g.ow() + 1) / 2;
        int tiles = n * th * tw;
        int tb = tileBlock(tiles);
        Parallel.forEach((tiles + tb - 1) / tb, blk -> {
            Task t = TASKS.get();
            if (t.v.length < 16 * tb * c) {
                t.v = new float[16 * tb * c];
            }
            if (t.m.length < 16 * tb * f) {
                t.m = new float[16 * tb * f];
            }
            if (t.patch.length < 16 * c) {
                t.patch = new float[16 * c];
            }
            float[] v = t.v;
            float[] m = t.m;
            int t0 = blk * tb;
            int nt = Math.min(tb, tiles - t0);
            for (int i = 0; i < nt; i++) {
                transformInput(x, v, t.patch, t0 + i, i, tb, g, th, tw, c);
            }
            for (int xi = 0; xi < 16; xi++) {
                for (int pc = 0; pc < c; pc += KC) {
                    int kc = Math.min(KC, c - pc);
                    boolean first = pc == 0;
                    for (int q = 0; q < panels; q++) {
                        int vecs = panelVecs[q];
                        int j0 = panelCol[q];
                        int cols = Math.min(vecs * VL, f - j0);
                        int bo = xi * uStride + pc * fPad + kc * j0;
                        for (int ir = 0; ir < nt; ir += MR) {
                            int mr = Math.min(MR, nt - ir);
                            int ao = (xi * tb + ir) * c + pc;
                            int co = (xi * tb + ir) * f + j0;
                            if (vecs == 3) {
                                GemmKernelsStrided.kernel8x3s(v, ao, 1, c, u, bo, kc, m, co, f, mr, cols, first, t.tile);
                            } else if (vecs == 2) {
                                GemmKernelsStrided.kernel8x2s(v, ao, 1, c, u, bo, kc, m, co, f, mr, cols, first, t.tile);
                            } else {
                                GemmKernelsStrided.kernel8x1s(v, ao, 1, c, u, bo, kc, m, co, f, mr, cols, first, t.tile);
                            }
                        }
                    }
                }
            }
            for (int i = 0; i < nt; i++) {
                transformOutput(m, bias, y, relu, t0 + i, i, tb, g, th, tw, f);
            }
        });
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
        int rowBase = pc * fPad(panelCol, panels) + (ch - pc);
        int kstep = c * f;
        int g0 = ch * f;
        for (int q = 0; q < panels; q++) {
            int width = panelVecs[q] * VL;
            int j0 = panelCol[q];
            int valid = Math.min(width, f - j0);
            // Panel q's row ch: packed[xi·uStride + pc·fPad + kc·j0 + (ch − pc)·width + j].
            int d = pc * fPad(panelCol, panels) + kc * j0 + (ch - pc) * width;
            int j = 0;
            for (; j + VL <= valid; j += VL) {
                int o = g0 + j0 + j;
                FloatVector k00 = FloatVector.fromArray(S, kernel, o);
                FloatVector k01 = FloatVector.fromArray(S, kernel, o + kstep);
                FloatVector k02 = FloatVector.fromArray(S, kernel, o + 2 * kstep);
                FloatVector k10 = FloatVector.fromArray(S, kernel, o + 3 * kstep);
                FloatVector k11 = FloatVector.fromArray(S, kernel, o + 4 * kstep);
                FloatVector k12 = FloatVector.fromArray(S, kernel, o + 5 * kstep);
                FloatVector k20 = FloatVector.fromArray(S, kernel, o + 6 * kstep);
                FloatVector k21 = FloatVector.fromArray(S, kernel, o + 7 * kstep);
                FloatVector k22 = FloatVector.fromArray(S, kernel, o + 8 * kstep);
                // G g: rows 0..3 over kx.
                FloatVector a10 = k00.add(k10).add(k20).mul(0.5f);
                FloatVector a11 = k01.add(k11).add(k21).mul(0.5f);
                FloatVector a12 = k02.add(k12).add(k22).mul(0.5f);
                FloatVector a20 = k00.sub(k10).add(k20).mul(0.5f);
                FloatVector a21 = k01.sub(k11).add(k21).mul(0.5f);
                FloatVector a22 = k02.sub(k12).add(k22).mul(0.5f);
                int e = d + j;
                // (G g) Gᵀ, row by row: [a0, ½(a0+a1+a2), ½(a0−a1+a2), a2].
                k00.intoArray(u, e);
                k00.add(k01).add(k02).mul(0.5f).intoArray(u, e + uStride);
                k00.sub(k01).add(k02).mul(0.5f).intoArray(u, e + 2 * uStride);
                k02.intoArray(u, e + 3 * uStride);
                a10.intoArray(u, e + 4 * uStride);
                a10.add(a11).add(a12).mul(0.5f).intoArray(u, e + 5 * uStride);
                a10.sub(a11).add(a12).mul(0.5f).intoArray(u, e + 6 * uStride);
                a12.intoArray(u, e + 7 * uStride);
                a20.intoArray(u, e + 8 * uStride);
                a20.add(a21).add(a22).mul(0.5f).intoArray(u, e + 9 * uStride);
                a20.sub(a21).add(a22).mul(0.5f).intoArray(u, e + 10 * uStride);
                a22.intoArray(u, e + 11 * uStride);
                k20.intoArray(u, e + 12 * uStride);
                k20.add(k21).add(k22).mul(0.5f).intoArray(u, e + 13 * uStride);
                k20.sub(k21).add(k22).mul(0.5f).intoArray(u, e + 14 * uStride);
                k22.intoArray(u, e + 15 * uStride);
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

    /*
     * V_ξ[i, ·] = (Bᵀ d B)[ξ] for tile `tile`'s 4×4 input patch d (zeros outside the image), into
     * row i of each position's (tb × C) block of v. Bᵀ = [1 0 −1 0; 0 1 1 0; 0 −1 1 0; 0 1 0 −1].
     * Border tiles are first copied into `patch` with their zeros, so one loop reads both kinds.
     */
    private static void transformInput(float[] x, float[] v, float[] patch, int tile, int i, int tb, WindowGeometry g,
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
        int vs = tb * c;
        int out = i * c;
        int ch = 0;
        for (int vb = S.loopBound(c); ch < vb; ch += VL) {
            int o = base + ch;
            FloatVector d00 = FloatVector.fromArray(S, src, o);
            FloatVector d01 = FloatVector.fromArray(S, src, o + c);
            FloatVector d02 = FloatVector.fromArray(S, src, o + 2 * c);
            FloatVector d03 = FloatVector.fromArray(S, src, o + 3 * c);
            FloatVector d10 = FloatVector.fromArray(S, src, o + r1);
            FloatVector d11 = FloatVector.fromArray(S, src, o + r1 + c);
            FloatVector d12 = FloatVector.fromArray(S, src, o + r1 + 2 * c);
            FloatVector d13 = FloatVector.fromArray(S, src, o + r1 + 3 * c);
            FloatVector d20 = FloatVector.fromArray(S, src, o + r2);
            FloatVector d21 = FloatVector.fromArray(S, src, o + r2 + c);
            FloatVector d22 = FloatVector.fromArray(S, src, o + r2 + 2 * c);
            FloatVector d23 = FloatVector.fromArray(S, src, o + r2 + 3 * c);
            FloatVector d30 = FloatVector.fromArray(S, src, o + r3);
            FloatVector d31 = FloatVector.fromArray(S, src, o + r3 + c);
            FloatVector d32 = FloatVector.fromArray(S, src, o + r3 + 2 * c);
            FloatVector d33 = FloatVector.fromArray(S, src, o + r3 + 3 * c);
            // Bᵀ d, row by row.
            FloatVector t00 = d00.sub(d20);
            FloatVector t01 = d01.sub(d21);
            FloatVector t02 = d02.sub(d22);
            FloatVector t03 = d03.sub(d23);
            FloatVector t10 = d10.add(d20);
            FloatVector t11 = d11.add(d21);
            FloatVector t12 = d12.add(d22);
            FloatVector t13 = d13.add(d23);
            FloatVector t20 = d20.sub(d10);
            FloatVector t21 = d21.sub(d11);
            FloatVector t22 = d22.sub(d12);
            FloatVector t23 = d23.sub(d13);
            FloatVector t30 = d10.sub(d30);
            FloatVector t31 = d11.sub(d31);
            FloatVector t32 = d12.sub(d32);
            FloatVector t33 = d13.sub(d33);
            int e = out + ch;
            // (Bᵀ d) B, column by column of each row.
            t00.sub(t02).intoArray(v, e);
            t01.add(t02).intoArray(v, e + vs);
            t02.sub(t01).intoArray(v, e + 2 * vs);
            t01.sub(t03).intoArray(v, e + 3 * vs);
            t10.sub(t12).intoArray(v, e + 4 * vs);
            t11.add(t12).intoArray(v, e + 5 * vs);
            t12.sub(t11).intoArray(v, e + 6 * vs);
            t11.sub(t13).intoArray(v, e + 7 * vs);
            t20.sub(t22).intoArray(v, e + 8 * vs);
            t21.add(t22).intoArray(v, e + 9 * vs);
            t22.sub(t21).intoArray(v, e + 10 * vs);
            t21.sub(t23).intoArray(v, e + 11 * vs);
            t30.sub(t32).intoArray(v, e + 12 * vs);
            t31.add(t32).intoArray(v, e + 13 * vs);
            t32.sub(t31).intoArray(v, e + 14 * vs);
            t31.sub(t33).intoArray(v, e + 15 * vs);
        }
        for (; ch < c; ch++) {
            int o = base + ch;
            float d00 = src[o];
            float d01 = src[o + c];
            float d02 = src[o + 2 * c];
            float d03 = src[o + 3 * c];
            float d10 = src[o + r1];
            float d11 = src[o + r1 + c];
            float d12 = src[o + r1 + 2 * c];
            float d13 = src[o + r1 + 3 * c];
            float d20 = src[o + r2];
            float d21 = src[o + r2 + c];
            float d22 = src[o + r2 + 2 * c];
            float d23 = src[o + r2 + 3 * c];
            float d30 = src[o + r3];
            float d31 = src[o + r3 + c];
            float d32 = src[o + r3 + 2 * c];
            float d33 = src[o + r3 + 3 * c];
            float t00 = d00 - d20;
            float t01 = d01 - d21;
            float t02 = d02 - d22;
            float t03 = d03 - d23;
            float t10 = d10 + d20;
            float t11 = d11 + d21;
            float t12 = d12 + d22;
            float t13 = d13 + d23;
            float t20 = d20 - d10;
            float t21 = d21 - d11;
            float t22 = d22 - d12;
            float t23 = d23 - d13;
            float t30 = d10 - d30;
            float t31 = d11 - d31;
            float t32 = d12 - d32;
            float t33 = d13 - d33;
            int e = out + ch;
            v[e] = t00 - t02;
            v[e + vs] = t01 + t02;
            v[e + 2 * vs] = t02 - t01;
            v[e + 3 * vs] = t01 - t03;
            v[e + 4 * vs] = t10 - t12;
            v[e + 5 * vs] = t11 + t12;
            v[e + 6 * vs] = t12 - t11;
            v[e + 7 * vs] = t11 - t13;
            v[e + 8 * vs] = t20 - t22;
            v[e + 9 * vs] = t21 + t22;
            v[e + 10 * vs] = t22 - t21;
            v[e + 11 * vs] = t21 - t23;
            v[e + 12 * vs] = t30 - t32;
            v[e + 13 * vs] = t31 + t32;
            v[e + 14 * vs] = t32 - t31;
            v[e + 15 * vs] = t31 - t33;
        }
    }

    /*
     * y's 2×2 outputs of tile `tile` = Aᵀ m A (+ bias) from row i of each position's (tb × F) block
     * of m, and relu = max(y, 0); rows or columns past the output's edge (odd OH, OW) are skipped.
     * Aᵀ = [1 1 1 0; 0 1 −1 −1].
     */
    private static void transformOutput(float[] m, float[] bias, float[] y, float[] relu, int tile, int i, int tb,
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
        int y01 = y00 + f;
        int y10 = y00 + ow * f;
        int y11 = y10 + f;
        int ms = tb * f;
        int in = i * f;
        int o = 0;
        for (int vb = S.loopBound(f); o < vb; o += VL) {
            int e = in + o;
            FloatVector m00 = FloatVector.fromArray(S, m, e);
            FloatVector m01 = FloatVector.fromArray(S, m, e + ms);
            FloatVector m02 = FloatVector.fromArray(S, m, e + 2 * ms);
            FloatVector m03 = FloatVector.fromArray(S, m, e + 3 * ms);
            FloatVector m10 = FloatVector.fromArray(S, m, e + 4 * ms);
            FloatVector m11 = FloatVector.fromArray(S, m, e + 5 * ms);
            FloatVector m12 = FloatVector.fromArray(S, m, e + 6 * ms);
            FloatVector m13 = FloatVector.fromArray(S, m, e + 7 * ms);
            FloatVector m20 = FloatVector.fromArray(S, m, e + 8 * ms);
            FloatVector m21 = FloatVector.fromArray(S, m, e + 9 * ms);
            FloatVector m22 = FloatVector.fromArray(S, m, e + 10 * ms);
            FloatVector m23 = FloatVector.fromArray(S, m, e + 11 * ms);
            FloatVector m30 = FloatVector.fromArray(S, m, e + 12 * ms);
            FloatVector m31 = FloatVector.fromArray(S, m, e + 13 * ms);
            FloatVector m32 = FloatVector.fromArray(S, m, e + 14 * ms);
            FloatVector m33 = FloatVector.fromArray(S, m, e + 15 * ms);
            // Aᵀ m: two rows.
            FloatVector s00 = m00.add(m10).add(m20);
            FloatVector s01 = m01.add(m11).add(m21);
            FloatVector s02 = m02.add(m12).add(m22);
            FloatVector s03 = m03.add(m13).add(m23);
            FloatVector s10 = m10.sub(m20).sub(m30);
            FloatVector s11 = m11.sub(m21).sub(m31);
            FloatVector s12 = m12.sub(m22).sub(m32);
            FloatVector s13 = m13.sub(m23).sub(m33);
            FloatVector b = bias == null ? FloatVector.zero(S) : FloatVector.fromArray(S, bias, o);
            FloatVector r00 = s00.add(s01).add(s02).add(b);
            r00.intoArray(y, y00 + o);
            if (relu != null) {
                r00.max(0f).intoArray(relu, y00 + o);
            }
            if (col2) {
                FloatVector r01 = s01.sub(s02).sub(s03).add(b);
                r01.intoArray(y, y01 + o);
                if (relu != null) {
                    r01.max(0f).intoArray(relu, y01 + o);
                }
            }
            if (row2) {
                FloatVector r10 = s10.add(s11).add(s12).add(b);
                r10.intoArray(y, y10 + o);
                if (relu != null) {
                    r10.max(0f).intoArray(relu, y10 + o);
                }
                if (col2) {
                    FloatVector r11 = s11.sub(s12).sub(s13).add(b);
                    r11.intoArray(y, y11 + o);
                    if (relu != null) {
                        r11.max(0f).intoArray(relu, y11 + o);
                    }
                }
            }
        }
        for (; o < f; o++) {
            int e = in + o;
            float s00 = m[e] + m[e + 4 * ms] + m[e + 8 * ms];
            float s01 = m[e + ms] + m[e + 5 * ms] + m[e + 9 * ms];
            float s02 = m[e + 2 * ms] + m[e + 6 * ms] + m[e + 10 * ms];
            float s03 = m[e + 3 * ms] + m[e + 7 * ms] + m[e + 11 * ms];
            float s10 = m[e + 4 * ms] - m[e + 8 * ms] - m[e + 12 * ms];
            float s11 = m[e + 5 * ms] - m[e + 9 * ms] - m[e + 13 * ms];
            float s12 = m[e + 6 * ms] - m[e + 10 * ms] - m[e + 14 * ms];
            float s13 = m[e + 7 * ms] - m[e + 11 * ms] - m[e + 15 * ms];
            float b = bias == null ? 0f : bias[o];
            store(y, relu, y00 + o, s00 + s01 + s02 + b);
            if (col2) {
                store(y, relu, y01 + o, s01 - s02 - s03 + b);
            }
            if (row2) {
                store(y, relu, y10 + o, s10 + s11 + s12 + b);
                if (col2) {
                    store(y, relu, y11 + o, s11 - s12 - s13 + b);
                }
            }
        }
    }

    private static void store(float[] y, float[] relu, int at, float value) {
        y[at] = value;
        if (relu != null) {
            relu[at] = Math.max(value, 0f);
        }
    }

    private static final float[][] G = {{1, 0, 0}, {0.5f, 0.5f, 0.5f}, {0.5f, -0.5f, 0.5f}, {0, 0, 1}};
    private static final float[][] BT = {{1, 0, -1, 0}, {0, 1, 1, 0}, {0, -1, 1, 0}, {0, 1, 0, -1}};
    private static final float[][] AT = {{1, 1, 1, 0}, {0, 1, -1, -1}};

    /**
     * The scalar twin of {@link #forward}, written from the definitions with the matrices G, Bᵀ and
     * Aᵀ spelled out: U = G g Gᵀ, V = Bᵀ d B, M = Σ_c U ⊙ V, Y = Aᵀ M A (+ bias). Same contract;
     * allocates, so it is for tests only.
     */
    static void forwardScalar(float[] x, float[] kernel, float[] bias, float[] y, float[] relu, WindowGeometry g,
                              int n, int c, int f) {
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
            for (int oy = 0; oy < oh; oy += 2) {
                for (int ox = 0; ox < ow; ox += 2) {
                    float[][][] v = new float[c][][];
                    for (int ch = 0; ch < c; ch++) {
                        float[][] d = new float[4][4];
                        for (int i = 0; i < 4; i++) {
                            for (int j = 0; j < 4; j++) {
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
                        float[][] m = new float[4][4];
                        for (int ch = 0; ch < c; ch++) {
                            for (int i = 0; i < 4; i++) {
                                for (int j = 0; j < 4; j++) {
                                    m[i][j] += u[ch][o][i][j] * v[ch][i][j];
                                }
                            }
                        }
                        float[][] out = times(times(AT, m), a);
                        for (int i = 0; i < 2 && oy + i < oh; i++) {
                            for (int j = 0; j < 2 && ox + j < ow; j++) {
                                float value = out[i][j] + (bias == null ? 0f : bias[o]);
                                store(y, relu, ((img * oh + oy + i) * ow + ox + j) * f + o, value);
                            }
                        }
                    }
                }
            }
        }
    }

    private static float[][] times(float[][] p, float[][] q) {
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

    private static float[][] transpose(float[][] p) {
        float[][] r = new float[p[0].length][p.length];
        for (int i = 0; i < p.length; i++) {
            for (int j = 0; j < p[0].length; j++) {
                r[j][i] = p[i][j];
            }
        }
        return r;
    }
}
