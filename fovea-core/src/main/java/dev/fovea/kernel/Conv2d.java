package dev.fovea.kernel;

import java.util.Arrays;

/**
 * 2-D convolution (cross-correlation, as Keras and PyTorch define it) over NHWC batches with HWIO
 * kernels: forward, backward-data and backward-weights, each as im2col + {@link Gemm}, beside
 * the direct seven-loop scalar twins the tests hold them to. Padding is given as explicit
 * before-pads (the caller derives them, with the output size, from its padding mode); padding
 * reads as zeros. No activation, no layer state: see {@code dev.fovea.nn.Conv2D}.
 *
 * <p>The batch is processed in chunks of {@link Geometry#chunk()} images through one caller-owned
 * workspace of {@link Geometry#workspaceSize()} floats, so memory stays bounded whatever the
 * batch. The chunk size depends only on the geometry, never on the thread count, so the order in
 * which chunks add into dkernel is fixed and results are bit-identical at any thread count.
 * 1×1 stride-1 unpadded convolutions skip im2col: x is already the (N·H·W, C) column matrix.
 */
public final class Conv2d {
    private Conv2d() {
    }

    /**
     * The sizes of one convolution: batch n, input (h, w, c), kernel (kh, kw) and f filters,
     * strides (sh, sw), before-pads (ph, pw) and output (oh, ow).
     */
    public record Geometry(int n, int h, int w, int c, int kh, int kw, int f,
                           int sh, int sw, int ph, int pw, int oh, int ow) {
        public Geometry {
            if (n < 1 || h < 1 || w < 1 || c < 1 || kh < 1 || kw < 1 || f < 1 || sh < 1 || sw < 1
                    || ph < 0 || pw < 0 || oh < 1 || ow < 1) {
                throw new IllegalArgumentException("invalid convolution geometry " + this);
            }
            // The last window must start inside the padded input, or outputs would read past it.
            if ((oh - 1) * sh - ph >= h || (ow - 1) * sw - pw >= w) {
                throw new IllegalArgumentException("output size does not fit the input in " + this);
            }
        }

        /** Length of one im2col row: KH·KW·C. */
        public int window() {
            return kh * kw * c;
        }

        /** True for 1×1, stride 1, unpadded convolutions, which need no im2col. */
        public boolean pointwise() {
            return kh == 1 && kw == 1 && sh == 1 && sw == 1 && ph == 0 && pw == 0 && oh == h && ow == w;
        }

        /** Images per chunk: as many as fit {@link Tunables#CONV_CHUNK_FLOATS}, at least one. */
        public int chunk() {
            long perImage = (long) oh * ow * window();
            return (int) Math.max(1, Math.min(n, Tunables.CONV_CHUNK_FLOATS / perImage));
        }

        /** Floats of workspace the fast methods need (0 for pointwise convolutions). */
        public int workspaceSize() {
            return pointwise() ? 0 : Math.toIntExact((long) chunk() * oh * ow * window());
        }
    }

    /**
     * y = conv(x, kernel) + bias.
     *
     * @param x      read, x (N,H,W,C)
     * @param kernel read, kernel (KH,KW,C,F)
     * @param bias   read, bias (F), or null for none
     * @param y      written, y (N,OH,OW,F)
     * @param work   scratch of at least {@code g.workspaceSize()} floats
     */
    public static void conv2dForward(float[] x, float[] kernel, float[] bias, float[] y, float[] work, Geometry g) {
        conv2dForward(x, kernel, bias, y, null, work, g);
    }

    /**
     * y = conv(x, kernel) + bias and, when {@code relu} is given, relu = max(y, 0), fused where the
     * fast path allows (each block is rectified while in cache).
     *
     * @param relu written, relu (N,OH,OW,F), or null
     */
    public static void conv2dForward(float[] x, float[] kernel, float[] bias, float[] y, float[] relu, float[] work,
                                     Geometry g) {
        int f = g.f();
        if (!g.pointwise() && g.sh() == 1 && g.sw() == 1 && ConvGemm.directPays(g.window(), f)) {
            ConvGemm.forwardDirect(x, kernel, bias, y, relu, g.n(), g.h(), g.w(), g.c(), g.kh(), g.kw(), g.ph(), g.pw(),
                    g.oh(), g.ow(), f);
            return;
        }
        if (!g.pointwise() && ConvGemm.fits(f)) {
            ConvGemm.forward(x, kernel, bias, y, relu, g.n(), g.h(), g.w(), g.c(), g.kh(), g.kw(), g.sh(), g.sw(),
                    g.ph(), g.pw(), g.oh(), g.ow(), f);
            return;
        }
        conv2dForwardUnfused(x, kernel, bias, y, work, g);
        if (relu != null) {
            Activations.relu(y, relu, g.n() * g.oh() * g.ow() * f);
        }
    }

    private static void conv2dForwardUnfused(float[] x, float[] kernel, float[] bias, float[] y, float[] work,
                                             Geometry g) {
        int f = g.f();
        if (g.pointwise()) {
            int rows = g.n() * g.h() * g.w();
            fillBias(bias, y, 0, rows, f);
            Gemm.gemm(x, 0, g.c(), false, kernel, 0, f, false, y, 0, f, rows, f, g.c(), bias != null);
            return;
        }
        int win = g.window();
        int chunk = g.chunk();
        int pixels = g.oh() * g.ow();
        for (int i0 = 0; i0 < g.n(); i0 += chunk) {
            int imgs = Math.min(chunk, g.n() - i0);
            int rows = imgs * pixels;
            Im2col.im2col(x, i0 * g.h() * g.w() * g.c(), work, 0, imgs, g.h(), g.w(), g.c(),
                    g.kh(), g.kw(), g.sh(), g.sw(), g.ph(), g.pw(), g.oh(), g.ow());
            int yOff = i0 * pixels * f;
            fillBias(bias, y, yOff, rows, f);
            Gemm.gemm(work, 0, win, false, kernel, 0, f, false, y, yOff, f, rows, f, win, bias != null);
        }
    }

    /**
     * dx = conv2dForward's adjoint applied to dy (the gradient of the input).
     *
     * @param dy     read, dy (N,OH,OW,F)
     * @param kernel read, kernel (KH,KW,C,F)
     * @param dx     written (not accumulated), dx (N,H,W,C)
     * @param work   scratch of at least {@code g.workspaceSize()} floats
     */
    public static void conv2dBackwardData(float[] dy, float[] kernel, float[] dx, float[] work, Geometry g) {
        int f = g.f();
        if (g.pointwise()) {
            Gemm.gemm(dy, 0, f, false, kernel, 0, f, true, dx, 0, g.c(), g.n() * g.h() * g.w(), g.c(), f, false);
            return;
        }
        if (g.sh() == 1 && g.sw() == 1 && g.ph() < g.kh() && g.pw() < g.kw() && ConvGemm.fits(g.c())) {
            ConvGemm.backwardDataStride1(dy, kernel, dx, g.n(), g.h(), g.w(), g.c(), g.kh(), g.kw(), g.ph(), g.pw(),
                    g.oh(), g.ow(), f);
            return;
        }
        int win = g.window();
        int chunk = g.chunk();
        int pixels = g.oh() * g.ow();
        int image = g.h() * g.w() * g.c();
        for (int i0 = 0; i0 < g.n(); i0 += chunk) {
            int imgs = Math.min(chunk, g.n() - i0);
            int rows = imgs * pixels;
            Gemm.gemm(dy, i0 * pixels * f, f, false, kernel, 0, f, true, work, 0, win, rows, win, f, false);
            Arrays.fill(dx, i0 * image, (i0 + imgs) * image, 0f);
            Im2col.col2im(work, 0, dx, i0 * image, imgs, g.h(), g.w(), g.c(),
                    g.kh(), g.kw(), g.sh(), g.sw(), g.ph(), g.pw(), g.oh(), g.ow());
        }
    }

    /**
     * dkernel += colsᵀ·dy and dbias += Σ dy over (N, OH, OW).
     *
     * @param x       read, x (N,H,W,C)
     * @param dy      read, dy (N,OH,OW,F)
     * @param dkernel accumulates (+=), dkernel (KH,KW,C,F)
     * @param dbias   accumulates (+=), dbias (F), or null for none
     * @param work    scratch of at least {@code g.workspaceSize()} floats
     */
    public static void conv2dBackwardWeights(float[] x, float[] dy, float[] dkernel, float[] dbias, float[] work,
                                             Geometry g) {
        int f = g.f();
        int pixels = g.oh() * g.ow();
        if (!g.pointwise() && ConvGemm.fits(f)) {
            ConvGemm.backwardWeights(x, dy, dkernel, dbias, g.n(), g.h(), g.w(), g.c(), g.kh(), g.kw(), g.sh(), g.sw(),
                    g.ph(), g.pw(), g.oh(), g.ow(), f);
            return;
        }
        if (dbias != null) {
            biasGrad(dy, dbias, g.n() * pixels, f);
        }
        if (g.pointwise()) {
            Gemm.gemm(x, 0, g.c(), true, dy, 0, f, false, dkernel, 0, f, g.c(), f, g.n() * pixels, true);
            return;
        }
        int win = g.window();
        int chunk = g.chunk();
        for (int i0 = 0; i0 < g.n(); i0 += chunk) {
            int imgs = Math.min(chunk, g.n() - i0);
            Im2col.im2col(x, i0 * g.h() * g.w() * g.c(), work, 0, imgs, g.h(), g.w(), g.c(),
                    g.kh(), g.kw(), g.sh(), g.sw(), g.ph(), g.pw(), g.oh(), g.ow());
            Gemm.gemm(work, 0, win, true, dy, i0 * pixels * f, f, false, dkernel, 0, f, win, f, imgs * pixels, true);
        }
    }

    /**
     * dbias[j] += Σ_i dy[i, j], summed in row order in double, so the result is the same at any
     * thread count and does not lose the small terms of a long sum.
     *
     * @param dy    read, dy (rows, f)
     * @param dbias accumulates (+=), dbias (f)
     */
    public static void biasGrad(float[] dy, float[] dbias, int rows, int f) {
        double[] sum = new double[f];
        for (int i = 0, o = 0; i < rows; i++, o += f) {
            for (int j = 0; j < f; j++) {
                sum[j] += dy[o + j];
            }
        }
        for (int j = 0; j < f; j++) {
            dbias[j] += (float) sum[j];
        }
    }

    private static void fillBias(float[] bias, float[] y, int yOff, int rows, int f) {
        if (bias != null) {
            for (int r = 0; r < rows; r++) {
                System.arraycopy(bias, 0, y, yOff + r * f, f);
            }
        }
    }

    /** Direct convolution, the reference for {@link #conv2dForward}. Same contract, no workspace. */
    public static void conv2dForwardScalar(float[] x, float[] kernel, float[] bias, float[] y, Geometry g) {
        for (int b = 0; b < g.n(); b++) {
            for (int oy = 0; oy < g.oh(); oy++) {
                for (int ox = 0; ox < g.ow(); ox++) {
                    for (int o = 0; o < g.f(); o++) {
                        float s = bias == null ? 0f : bias[o];
                        for (int ky = 0; ky < g.kh(); ky++) {
                            int iy = oy * g.sh() - g.ph() + ky;
                            for (int kx = 0; kx < g.kw(); kx++) {
                                int ix = ox * g.sw() - g.pw() + kx;
                                if (iy < 0 || iy >= g.h() || ix < 0 || ix >= g.w()) {
                                    continue;
                                }
                                for (int ch = 0; ch < g.c(); ch++) {
                                    s += x[((b * g.h() + iy) * g.w() + ix) * g.c() + ch]
                                            * kernel[((ky * g.kw() + kx) * g.c() + ch) * g.f() + o];
                                }
                            }
                        }
                        y[((b * g.oh() + oy) * g.ow() + ox) * g.f() + o] = s;
                    }
                }
            }
        }
    }

    /** Direct scatter of dy through the kernel, the reference for {@link #conv2dBackwardData}. */
    public static void conv2dBackwardDataScalar(float[] dy, float[] kernel, float[] dx, Geometry g) {
        Arrays.fill(dx, 0, g.n() * g.h() * g.w() * g.c(), 0f);
        for (int b = 0; b < g.n(); b++) {
            for (int oy = 0; oy < g.oh(); oy++) {
                for (int ox = 0; ox < g.ow(); ox++) {
                    for (int o = 0; o < g.f(); o++) {
                        float d = dy[((b * g.oh() + oy) * g.ow() + ox) * g.f() + o];
                        for (int ky = 0; ky < g.kh(); ky++) {
                            int iy = oy * g.sh() - g.ph() + ky;
                            for (int kx = 0; kx < g.kw(); kx++) {
                                int ix = ox * g.sw() - g.pw() + kx;
                                if (iy < 0 || iy >= g.h() || ix < 0 || ix >= g.w()) {
                                    continue;
                                }
                                for (int ch = 0; ch < g.c(); ch++) {
                                    dx[((b * g.h() + iy) * g.w() + ix) * g.c() + ch]
                                            += d * kernel[((ky * g.kw() + kx) * g.c() + ch) * g.f() + o];
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /** Direct correlation of x with dy, the reference for {@link #conv2dBackwardWeights}. */
    public static void conv2dBackwardWeightsScalar(float[] x, float[] dy, float[] dkernel, float[] dbias, Geometry g) {
        for (int b = 0; b < g.n(); b++) {
            for (int oy = 0; oy < g.oh(); oy++) {
                for (int ox = 0; ox < g.ow(); ox++) {
                    for (int o = 0; o < g.f(); o++) {
                        float d = dy[((b * g.oh() + oy) * g.ow() + ox) * g.f() + o];
                        if (dbias != null) {
                            dbias[o] += d;
                        }
                        for (int ky = 0; ky < g.kh(); ky++) {
                            int iy = oy * g.sh() - g.ph() + ky;
                            for (int kx = 0; kx < g.kw(); kx++) {
                                int ix = ox * g.sw() - g.pw() + kx;
                                if (iy < 0 || iy >= g.h() || ix < 0 || ix >= g.w()) {
                                    continue;
                                }
                                for (int ch = 0; ch < g.c(); ch++) {
                                    dkernel[((ky * g.kw() + kx) * g.c() + ch) * g.f() + o]
                                            += d * x[((b * g.h() + iy) * g.w() + ix) * g.c() + ch];
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}
