package dev.fovea.kernel.conv;

import dev.fovea.kernel.Tunables;
import dev.fovea.kernel.gemm.Gemm;

import dev.fovea.kernel.window.WindowGeometry;

import dev.fovea.tensor.Parallel;
import java.util.Arrays;

/**
 * The windowing primitive of convolution: {@code im2col} lays every output pixel's receptive
 * field out as one row so a convolution becomes one GEMM, and {@code col2im} scatters such rows
 * back, adding overlapping contributions. NHWC images; a row holds the window in (ky, kx, c)
 * order, which matches an HWIO kernel read as a (KH·KW·C, F) matrix. Padding positions read as
 * zeros (im2col) or are dropped (col2im). Not a convolution: see {@link Convolution}.
 *
 * <p>Both run over images in parallel; each image writes only its own rows or its own dx slice.
 */
public final class Im2col {
    private static final ThreadLocal<Call> CALLS = ThreadLocal.withInitial(Call::new);

    private Im2col() {
    }

    /** One call's arguments, per calling thread, for the per-image bodies (which then capture nothing). */
    private static final class Call {
        float[] from;
        float[] to;
        int fromOff;
        int toOff;
        WindowGeometry g;
        int c;

        Call set(float[] from, int fromOff, float[] to, int toOff, WindowGeometry g, int c) {
            this.from = from;
            this.fromOff = fromOff;
            this.to = to;
            this.toOff = toOff;
            this.g = g;
            this.c = c;
            return this;
        }

        void clear() {
            from = null;
            to = null;
            g = null;
        }
    }

    /**
     * cols[img, oy, ox, ky, kx, ch] = x[img, rowStart(oy) + ky, colStart(ox) + kx, ch], zero
     * outside.
     *
     * @param x    read, x (images, H, W, C) starting at {@code xOff}
     * @param cols written, cols (images·OH·OW, KH·KW·C) starting at {@code colsOff}
     */
    public static void im2col(float[] x, int xOff, float[] cols, int colsOff, int images, WindowGeometry g, int c) {
        Call k = CALLS.get().set(x, xOff, cols, colsOff, g, c);
        Parallel.forEach(images, k, (a, img) -> im2colRows(a.from, a.fromOff + img * a.g.h() * a.g.w() * a.c, a.to,
                a.toOff + img * a.g.oh() * a.g.ow() * a.g.kh() * a.g.kw() * a.c, 0, a.g.oh() * a.g.ow(), a.g, a.c));
        k.clear();
    }

    /**
     * The im2col rows [r0, r0 + rows) of the images from {@code xOff}, row r being output pixel
     * (img, oy, ox) with r = (img·OH + oy)·OW + ox, written one after another from {@code colsOff}.
     * Serial: callers run it inside their own parallel tasks.
     *
     * @param x    read, x (N, H, W, C) starting at {@code xOff}
     * @param cols written, (rows, KH·KW·C) starting at {@code colsOff}
     */
    static void im2colRows(float[] x, int xOff, float[] cols, int colsOff, int r0, int rows, WindowGeometry g,
                           int c) {
        int h = g.h();
        int w = g.w();
        int kh = g.kh();
        int kw = g.kw();
        int oh = g.oh();
        int ow = g.ow();
        int rowLen = kh * kw * c;
        int pixels = oh * ow;
        int img = r0 / pixels;
        int rest = r0 - img * pixels;
        int oy = rest / ow;
        int ox = rest - oy * ow;
        int dst = colsOff;
        for (int r = 0; r < rows; r++) {
            int iy0 = g.rowStart(oy);
            int ix0 = g.colStart(ox);
            // The in-bounds kx of a window form one run, contiguous in NHWC: copy it at once.
            int kxLo = g.kxBegin(ox);
            int kxHi = g.kxEnd(ox);
            int xb = xOff + img * h * w * c;
            for (int ky = 0; ky < kh; ky++) {
                int iy = iy0 + ky;
                int d = dst + ky * kw * c;
                if (iy < 0 || iy >= h || kxLo >= kxHi) {
                    Arrays.fill(cols, d, d + kw * c, 0f);
                    continue;
                }
                if (kxLo > 0) {
                    Arrays.fill(cols, d, d + kxLo * c, 0f);
                }
                System.arraycopy(x, xb + (iy * w + ix0 + kxLo) * c, cols, d + kxLo * c, (kxHi - kxLo) * c);
                if (kxHi < kw) {
                    Arrays.fill(cols, d + kxHi * c, d + kw * c, 0f);
                }
            }
            dst += rowLen;
            if (++ox == ow) {
                ox = 0;
                if (++oy == oh) {
                    oy = 0;
                    img++;
                }
            }
        }
    }

    /**
     * The adjoint of {@link #im2col}: dx[img, iy, ix, ch] += every cols entry that im2col read
     * from there. Overlapping windows add up in a fixed (oy, ox, ky, kx) order.
     *
     * @param cols read, cols (images·OH·OW, KH·KW·C) starting at {@code colsOff}
     * @param dx   accumulates (+=), dx (images, H, W, C) starting at {@code dxOff}
     */
    public static void col2im(float[] cols, int colsOff, float[] dx, int dxOff, int images, WindowGeometry g, int c) {
        Call k = CALLS.get().set(cols, colsOff, dx, dxOff, g, c);
        Parallel.forEach(images, k, (a, img) -> col2imImage(a.from, a.fromOff + img * a.g.oh() * a.g.ow() * a.g.kh()
                * a.g.kw() * a.c, a.to, a.toOff + img * a.g.h() * a.g.w() * a.c, a.g, a.c));
        k.clear();
    }

    private static void col2imImage(float[] cols, int colsOff, float[] dx, int dxOff, WindowGeometry g, int c) {
        int w = g.w();
        int kw = g.kw();
        int oh = g.oh();
        int ow = g.ow();
        int rowLen = g.kh() * kw * c;
        int src = colsOff;
        for (int oy = 0; oy < oh; oy++) {
            int iy0 = g.rowStart(oy);
            int ky0 = g.kyBegin(oy);
            int ky1 = g.kyEnd(oy);
            for (int ox = 0; ox < ow; ox++) {
                int ix0 = g.colStart(ox);
                int kxLo = g.kxBegin(ox);
                int len = (g.kxEnd(ox) - kxLo) * c;
                for (int ky = ky0; ky < ky1; ky++) {
                    int s = src + (ky * kw + kxLo) * c;
                    int d = dxOff + ((iy0 + ky) * w + ix0 + kxLo) * c;
                    for (int t = 0; t < len; t++) {
                        dx[d + t] += cols[s + t];
                    }
                }
                src += rowLen;
            }
        }
    }

    // ---- the fallback route: whole im2col matrices and a GEMM, in chunks of images -----------

    /** Images per im2col chunk: as many as fit {@link Tunables#CONV_CHUNK_FLOATS}, at least one. */
    static int chunk(WindowGeometry g, int n, int c) {
        long perImage = (long) g.oh() * g.ow() * g.kh() * g.kw() * c;
        return (int) Math.max(1, Math.min(n, Tunables.CONV_CHUNK_FLOATS / perImage));
    }

    /** Floats of workspace the fallback needs for a batch of n (0 for pointwise convolutions). */
    static int workspaceSize(WindowGeometry g, int n, int c) {
        return g.pointwise() ? 0 : Math.toIntExact((long) chunk(g, n, c) * g.oh() * g.ow() * g.kh() * g.kw() * c);
    }

    /** y (rows, F) = bias in every row, when there is one. */
    static void fillBias(float[] bias, float[] y, int yOff, int rows, int f) {
        if (bias != null) {
            for (int r = 0; r < rows; r++) {
                System.arraycopy(bias, 0, y, yOff + r * f, f);
            }
        }
    }

    /**
     * The fallback forward: im2col of {@code chunk} images at a time into {@code work}, then one
     * {@link Gemm}. Tests run it at any chunk size.
     */
    static void forward(float[] x, float[] kernel, float[] bias, float[] y, float[] work, WindowGeometry g, int n,
                        int c, int f, int chunk) {
        int win = g.kh() * g.kw() * c;
        int pixels = g.oh() * g.ow();
        int image = g.h() * g.w() * c;
        for (int i0 = 0; i0 < n; i0 += chunk) {
            int imgs = Math.min(chunk, n - i0);
            int rows = imgs * pixels;
            im2col(x, i0 * image, work, 0, imgs, g, c);
            int yOff = i0 * pixels * f;
            fillBias(bias, y, yOff, rows, f);
            Gemm.gemm(work, 0, win, false, kernel, 0, f, false, y, yOff, f, rows, f, win, bias != null);
        }
    }

    /** The fallback backward-data: a {@link Gemm} into {@code work}, then col2im, chunk by chunk. */
    static void backwardData(float[] dy, float[] kernel, float[] dx, float[] work, WindowGeometry g, int n, int c,
                             int f, int chunk) {
        int win = g.kh() * g.kw() * c;
        int pixels = g.oh() * g.ow();
        int image = g.h() * g.w() * c;
        for (int i0 = 0; i0 < n; i0 += chunk) {
            int imgs = Math.min(chunk, n - i0);
            int rows = imgs * pixels;
            Gemm.gemm(dy, i0 * pixels * f, f, false, kernel, 0, f, true, work, 0, win, rows, win, f, false);
            java.util.Arrays.fill(dx, i0 * image, (i0 + imgs) * image, 0f);
            col2im(work, 0, dx, i0 * image, imgs, g, c);
        }
    }

    /** The fallback backward-weights: im2col of each chunk, then dkernel += colsᵀ·dy by {@link Gemm}. */
    static void backwardWeights(float[] x, float[] dy, float[] dkernel, float[] dbias, float[] work, WindowGeometry g,
                                int n, int c, int f, int chunk) {
        int win = g.kh() * g.kw() * c;
        int pixels = g.oh() * g.ow();
        int image = g.h() * g.w() * c;
        if (dbias != null) {
            Convolution.biasGrad(dy, dbias, n * pixels, f);
        }
        for (int i0 = 0; i0 < n; i0 += chunk) {
            int imgs = Math.min(chunk, n - i0);
            im2col(x, i0 * image, work, 0, imgs, g, c);
            Gemm.gemm(work, 0, win, true, dy, i0 * pixels * f, f, false, dkernel, 0, f, win, f, imgs * pixels, true);
        }
    }
}
