package dev.fovea.kernel;

import dev.fovea.tensor.Parallel;
import java.util.Arrays;

/**
 * The windowing primitive of convolution: {@code im2col} lays every output pixel's receptive
 * field out as one row so a convolution becomes one GEMM, and {@code col2im} scatters such rows
 * back, adding overlapping contributions. NHWC images; a row holds the window in (ky, kx, c)
 * order, which matches an HWIO kernel read as a (KH·KW·C, F) matrix. Padding positions read as
 * zeros (im2col) or are dropped (col2im). Not a convolution: see {@link Conv2d}.
 *
 * <p>Both run over images in parallel; each image writes only its own rows or its own dx slice.
 */
public final class Im2col {
    private Im2col() {
    }

    /**
     * cols[img, oy, ox, ky, kx, ch] = x[img, oy·sh − ph + ky, ox·sw − pw + kx, ch], zero outside.
     *
     * @param x    read, x (images, H, W, C) starting at {@code xOff}
     * @param cols written, cols (images·OH·OW, KH·KW·C) starting at {@code colsOff}
     */
    public static void im2col(float[] x, int xOff, float[] cols, int colsOff, int images,
                              int h, int w, int c, int kh, int kw, int sh, int sw, int ph, int pw, int oh, int ow) {
        Parallel.forEach(images, img -> im2colImage(x, xOff + img * h * w * c,
                cols, colsOff + img * oh * ow * kh * kw * c, h, w, c, kh, kw, sh, sw, ph, pw, oh, ow));
    }

    private static void im2colImage(float[] x, int xOff, float[] cols, int colsOff,
                                    int h, int w, int c, int kh, int kw, int sh, int sw, int ph, int pw, int oh, int ow) {
        int rowLen = kh * kw * c;
        int dst = colsOff;
        for (int oy = 0; oy < oh; oy++) {
            for (int ox = 0; ox < ow; ox++) {
                im2colRow(x, xOff, cols, dst, oy, ox, h, w, c, kh, kw, sh, sw, ph, pw);
                dst += rowLen;
            }
        }
    }

    /**
     * The im2col rows [r0, r0 + rows) of a whole batch, row r being output pixel
     * (img, oy, ox) with r = (img·OH + oy)·OW + ox, written one after another from {@code colsOff}.
     * Serial: callers run it inside their own parallel tasks.
     *
     * @param x    read, x (N, H, W, C)
     * @param cols written, (rows, KH·KW·C) starting at {@code colsOff}
     */
    static void im2colRows(float[] x, float[] cols, int colsOff, int r0, int rows,
                           int h, int w, int c, int kh, int kw, int sh, int sw, int ph, int pw, int oh, int ow) {
        int rowLen = kh * kw * c;
        int pixels = oh * ow;
        int img = r0 / pixels;
        int rest = r0 - img * pixels;
        int oy = rest / ow;
        int ox = rest - oy * ow;
        int dst = colsOff;
        for (int r = 0; r < rows; r++) {
            im2colRow(x, img * h * w * c, cols, dst, oy, ox, h, w, c, kh, kw, sh, sw, ph, pw);
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

    private static void im2colRow(float[] x, int xOff, float[] cols, int dst, int oy, int ox,
                                  int h, int w, int c, int kh, int kw, int sh, int sw, int ph, int pw) {
        int ix0 = ox * sw - pw;
        // The in-bounds kx of a window form one run, contiguous in NHWC: copy it at once.
        int kxLo = Math.max(0, -ix0);
        int kxHi = Math.min(kw, w - ix0);
        for (int ky = 0; ky < kh; ky++) {
            int iy = oy * sh - ph + ky;
            int d = dst + ky * kw * c;
            if (iy < 0 || iy >= h || kxLo >= kxHi) {
                Arrays.fill(cols, d, d + kw * c, 0f);
                continue;
            }
            if (kxLo > 0) {
                Arrays.fill(cols, d, d + kxLo * c, 0f);
            }
            System.arraycopy(x, xOff + (iy * w + ix0 + kxLo) * c, cols, d + kxLo * c, (kxHi - kxLo) * c);
            if (kxHi < kw) {
                Arrays.fill(cols, d + kxHi * c, d + kw * c, 0f);
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
    public static void col2im(float[] cols, int colsOff, float[] dx, int dxOff, int images,
                              int h, int w, int c, int kh, int kw, int sh, int sw, int ph, int pw, int oh, int ow) {
        Parallel.forEach(images, img -> col2imImage(cols, colsOff + img * oh * ow * kh * kw * c,
                dx, dxOff + img * h * w * c, h, w, c, kh, kw, sh, sw, ph, pw, oh, ow));
    }

    private static void col2imImage(float[] cols, int colsOff, float[] dx, int dxOff,
                                    int h, int w, int c, int kh, int kw, int sh, int sw, int ph, int pw, int oh, int ow) {
        int rowLen = kh * kw * c;
        int src = colsOff;
        for (int oy = 0; oy < oh; oy++) {
            for (int ox = 0; ox < ow; ox++) {
                int ix0 = ox * sw - pw;
                int kxLo = Math.max(0, -ix0);
                int kxHi = Math.min(kw, w - ix0);
                for (int ky = 0; ky < kh; ky++) {
                    int iy = oy * sh - ph + ky;
                    if (iy < 0 || iy >= h || kxLo >= kxHi) {
                        continue;
                    }
                    int s = src + (ky * kw + kxLo) * c;
                    int d = dxOff + (iy * w + ix0 + kxLo) * c;
                    int len = (kxHi - kxLo) * c;
                    for (int t = 0; t < len; t++) {
                        dx[d + t] += cols[s + t];
                    }
                }
                src += rowLen;
            }
        }
    }
}
