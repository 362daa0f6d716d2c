package dev.fovea.kernel;

import java.util.Arrays;

/**
 * 2-D convolution (cross-correlation, as Keras and PyTorch define it) over NHWC batches with HWIO
 * kernels: forward, backward-data and backward-weights, beside the direct seven-loop scalar twins
 * the tests hold them to. The window is a {@link WindowGeometry} (built by the layer from its
 * padding mode), given with the batch size n, input channels c and filters f; padding reads as
 * zeros. No activation, no layer state: see {@code dev.fovea.nn.Conv2D}.
 *
 * <p>3×3 stride-1 convolutions with enough channels and filters (measured thresholds in
 * {@link Tunables#WINOGRAD_MIN_CHANNELS}) take Winograd's minimal filtering: the forward and the
 * backward-data pass (a forward convolution of dy with the flipped kernel) by {@link Winograd}
 * F(2×2, 3×3), the weight gradient by its transpose F(3×3, 2×2) in {@link WinogradWeights}.
 * Everything else takes one of three routes, chosen by shape alone: the
 * implicit GEMM of {@link ConvGemm} (every layer of the tutorial CNNs), 1×1 stride-1 unpadded convolutions as one {@link Gemm} on x itself (it is
 * already the (N·H·W, C) column matrix), and the fallback for the rest, too many filters for
 * ConvGemm's panel tables ({@link ConvGemm#fits}): {@link Im2col} + {@link Gemm}. The fallback
 * processes the batch in chunks of {@link #chunk} images through one caller-owned workspace of
 * {@link #workspaceSize} floats, so memory stays bounded whatever the batch. The chunk size
 * depends only on the geometry, never on the thread count, so the order in which chunks add into
 * dkernel is fixed and results are bit-identical at any thread count.
 */
public final class Conv2d {
    private Conv2d() {
    }

    /** Images per im2col chunk: as many as fit {@link Tunables#CONV_CHUNK_FLOATS}, at least one. */
    public static int chunk(WindowGeometry g, int n, int c) {
        long perImage = (long) g.oh() * g.ow() * g.kh() * g.kw() * c;
        return (int) Math.max(1, Math.min(n, Tunables.CONV_CHUNK_FLOATS / perImage));
    }

    /** Floats of workspace the fast methods need for a batch of n (0 for pointwise convolutions). */
    public static int workspaceSize(WindowGeometry g, int n, int c) {
        return g.pointwise() ? 0 : Math.toIntExact((long) chunk(g, n, c) * g.oh() * g.ow() * g.kh() * g.kw() * c);
    }

    /**
     * y = conv(x, kernel) + bias.
     *
     * @param x      read, x (N,H,W,C)
     * @param kernel read, kernel (KH,KW,C,F)
     * @param bias   read, bias (F), or null for none
     * @param y      written, y (N,OH,OW,F)
     * @param work   scratch of at least {@link #workspaceSize} floats
     */
    public static void conv2dForward(float[] x, float[] kernel, float[] bias, float[] y, float[] work,
                                     WindowGeometry g, int n, int c, int f) {
        conv2dForward(x, kernel, bias, y, null, work, g, n, c, f);
    }

    /**
     * y = conv(x, kernel) + bias and, when {@code relu} is given, relu = max(y, 0), fused where the
     * fast path allows (each block is rectified while in cache).
     *
     * @param relu written, relu (N,OH,OW,F), or null
     */
    public static void conv2dForward(float[] x, float[] kernel, float[] bias, float[] y, float[] relu, float[] work,
                                     WindowGeometry g, int n, int c, int f) {
        if (forwardRoute(g, c, f) == PreparedConv.Route.WINOGRAD) {
            Winograd.forward(x, kernel, bias, y, relu, g, n, c, f);
            return;
        }
        forwardGemm(x, kernel, bias, y, relu, work, g, n, c, f);
    }

    /**
     * The route a forward convolution of this shape takes, the one decision {@link #conv2dForward}
     * and {@link PreparedConv} share: Winograd where it was measured faster, the direct kernels for
     * stride-1 layers of at most two vectors of filters over a short window, the implicit GEMM while
     * the filters fit its panel tables, one GEMM for 1×1 stride-1 unpadded layers, else im2col.
     */
    public static PreparedConv.Route forwardRoute(WindowGeometry g, int c, int f) {
        if (Winograd.pays(g, c, f)) {
            return PreparedConv.Route.WINOGRAD;
        }
        boolean pointwise = g.pointwise();
        if (!pointwise && g.sh() == 1 && g.sw() == 1 && ConvGemm.directPays(g.kh() * g.kw() * c, f)) {
            return PreparedConv.Route.DIRECT;
        }
        if (!pointwise && ConvGemm.fits(f)) {
            return PreparedConv.Route.IMPLICIT_GEMM;
        }
        return pointwise ? PreparedConv.Route.POINTWISE : PreparedConv.Route.IM2COL;
    }

    /**
     * {@link #conv2dForward} by its GEMM routes only, never {@link Winograd}: the other side of the
     * measurement behind {@link Tunables#WINOGRAD_MIN_CHANNELS}. Same contract.
     */
    static void forwardGemm(float[] x, float[] kernel, float[] bias, float[] y, float[] relu, float[] work,
                            WindowGeometry g, int n, int c, int f) {
        PreparedConv.Route route = forwardRoute(g, c, f);
        if (route == PreparedConv.Route.DIRECT) {
            ConvGemm.forwardDirect(x, kernel, bias, y, relu, g, n, c, f);
            return;
        }
        if (route == PreparedConv.Route.IMPLICIT_GEMM) {
            ConvGemm.forward(x, kernel, bias, y, relu, g, n, c, f);
            return;
        }
        if (g.pointwise()) {
            int rows = n * g.h() * g.w();
            fillBias(bias, y, 0, rows, f);
            Gemm.gemm(x, 0, c, false, kernel, 0, f, false, y, 0, f, rows, f, c, bias != null);
        } else {
            forwardIm2col(x, kernel, bias, y, work, g, n, c, f, chunk(g, n, c));
        }
        if (relu != null) {
            Activations.relu(y, relu, n * g.oh() * g.ow() * f);
        }
    }

    /**
     * The fallback forward: im2col of {@code chunk} images at a time into {@code work}, then one
     * {@link Gemm}. Package-private so tests can run it at any chunk size.
     */
    static void forwardIm2col(float[] x, float[] kernel, float[] bias, float[] y, float[] work, WindowGeometry g,
                              int n, int c, int f, int chunk) {
        int win = g.kh() * g.kw() * c;
        int pixels = g.oh() * g.ow();
        int image = g.h() * g.w() * c;
        for (int i0 = 0; i0 < n; i0 += chunk) {
            int imgs = Math.min(chunk, n - i0);
            int rows = imgs * pixels;
            Im2col.im2col(x, i0 * image, work, 0, imgs, g, c);
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
     * @param work   scratch of at least {@link #workspaceSize} floats
     */
    public static void conv2dBackwardData(float[] dy, float[] kernel, float[] dx, float[] work, WindowGeometry g,
                                          int n, int c, int f) {
        if (g.pointwise()) {
            Gemm.gemm(dy, 0, f, false, kernel, 0, f, true, dx, 0, c, n * g.h() * g.w(), c, f, false);
            return;
        }
        // The geometry keeps pads below the kernel size, as the stride-1 adjoint needs.
        if (g.sh() == 1 && g.sw() == 1 && ConvGemm.fits(c)) {
            ConvGemm.backwardDataStride1(dy, kernel, dx, g, n, c, f);
            return;
        }
        backwardDataIm2col(dy, kernel, dx, work, g, n, c, f, chunk(g, n, c));
    }

    /** The fallback backward-data: a {@link Gemm} into {@code work}, then col2im, chunk by chunk. */
    static void backwardDataIm2col(float[] dy, float[] kernel, float[] dx, float[] work, WindowGeometry g, int n,
                                   int c, int f, int chunk) {
        int win = g.kh() * g.kw() * c;
        int pixels = g.oh() * g.ow();
        int image = g.h() * g.w() * c;
        for (int i0 = 0; i0 < n; i0 += chunk) {
            int imgs = Math.min(chunk, n - i0);
            int rows = imgs * pixels;
            Gemm.gemm(dy, i0 * pixels * f, f, false, kernel, 0, f, true, work, 0, win, rows, win, f, false);
            Arrays.fill(dx, i0 * image, (i0 + imgs) * image, 0f);
            Im2col.col2im(work, 0, dx, i0 * image, imgs, g, c);
        }
    }

    /**
     * dkernel += colsᵀ·dy and dbias += Σ dy over (N, OH, OW).
     *
     * @param x       read, x (N,H,W,C)
     * @param dy      read, dy (N,OH,OW,F)
     * @param dkernel accumulates (+=), dkernel (KH,KW,C,F)
     * @param dbias   accumulates (+=), dbias (F), or null for none
     * @param work    scratch of at least {@link #workspaceSize} floats
     */
    public static void conv2dBackwardWeights(float[] x, float[] dy, float[] dkernel, float[] dbias, float[] work,
                                             WindowGeometry g, int n, int c, int f) {
        if (WinogradWeights.applies(g) && c >= Tunables.WINOGRAD_MIN_CHANNELS && f >= Tunables.WINOGRAD_MIN_FILTERS
                && ConvGemm.fits(f)) {
            WinogradWeights.backwardWeights(x, dy, dkernel, dbias, g, n, c, f);
            return;
        }
        if (!g.pointwise() && ConvGemm.fits(f)) {
            ConvGemm.backwardWeights(x, dy, dkernel, dbias, g, n, c, f);
            return;
        }
        if (g.pointwise()) {
            int rows = n * g.h() * g.w();
            if (dbias != null) {
                biasGrad(dy, dbias, rows, f);
            }
            Gemm.gemm(x, 0, c, true, dy, 0, f, false, dkernel, 0, f, c, f, rows, true);
            return;
        }
        backwardWeightsIm2col(x, dy, dkernel, dbias, work, g, n, c, f, chunk(g, n, c));
    }

    /** The fallback backward-weights: im2col of each chunk, then dkernel += colsᵀ·dy by {@link Gemm}. */
    static void backwardWeightsIm2col(float[] x, float[] dy, float[] dkernel, float[] dbias, float[] work,
                                      WindowGeometry g, int n, int c, int f, int chunk) {
        int win = g.kh() * g.kw() * c;
        int pixels = g.oh() * g.ow();
        int image = g.h() * g.w() * c;
        if (dbias != null) {
            biasGrad(dy, dbias, n * pixels, f);
        }
        for (int i0 = 0; i0 < n; i0 += chunk) {
            int imgs = Math.min(chunk, n - i0);
            Im2col.im2col(x, i0 * image, work, 0, imgs, g, c);
            Gemm.gemm(work, 0, win, true, dy, i0 * pixels * f, f, false, dkernel, 0, f, win, f, imgs * pixels, true);
        }
    }

    /** Per-thread scratch of {@link #biasGrad}: a step allocates nothing once they have grown. */
    private static final ThreadLocal<double[][]> BIAS_SCRATCH = ThreadLocal.withInitial(
            () -> new double[][]{new double[0], new double[0]});

    /**
     * dbias[j] += Σ_i dy[i, j], summed in double over fixed blocks of rows in parallel and the
     * blocks in order ({@link BatchNorm#channelSums}), so the result is the same at any thread
     * count and does not lose the small terms of a long sum.
     *
     * @param dy    read, dy (rows, f)
     * @param dbias accumulates (+=), dbias (f)
     */
    public static void biasGrad(float[] dy, float[] dbias, int rows, int f) {
        double[][] scratch = BIAS_SCRATCH.get();
        int need = BatchNorm.partialsSize(rows, f);
        if (scratch[0].length < need) {
            scratch[0] = new double[need];
        }
        if (scratch[1].length < f) {
            scratch[1] = new double[f];
        }
        BatchNorm.channelSums(dy, null, scratch[0], scratch[1], rows, f);
        for (int j = 0; j < f; j++) {
            dbias[j] += (float) scratch[1][j];
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
    public static void conv2dForwardScalar(float[] x, float[] kernel, float[] bias, float[] y, WindowGeometry g,
                                           int n, int c, int f) {
        int h = g.h();
        int w = g.w();
        int kh = g.kh();
        int kw = g.kw();
        int oh = g.oh();
        int ow = g.ow();
        for (int b = 0; b < n; b++) {
            for (int oy = 0; oy < oh; oy++) {
                for (int ox = 0; ox < ow; ox++) {
                    for (int o = 0; o < f; o++) {
                        float s = bias == null ? 0f : bias[o];
                        for (int ky = 0; ky < kh; ky++) {
                            int iy = g.rowStart(oy) + ky;
                            for (int kx = 0; kx < kw; kx++) {
                                int ix = g.colStart(ox) + kx;
                                if (iy < 0 || iy >= h || ix < 0 || ix >= w) {
                                    continue;
                                }
                                for (int ch = 0; ch < c; ch++) {
                                    s += x[((b * h + iy) * w + ix) * c + ch]
                                            * kernel[((ky * kw + kx) * c + ch) * f + o];
                                }
                            }
                        }
                        y[((b * oh + oy) * ow + ox) * f + o] = s;
                    }
                }
            }
        }
    }

    /** Direct scatter of dy through the kernel, the reference for {@link #conv2dBackwardData}. */
    public static void conv2dBackwardDataScalar(float[] dy, float[] kernel, float[] dx, WindowGeometry g, int n, int c,
                                                int f) {
        int h = g.h();
        int w = g.w();
        int kh = g.kh();
        int kw = g.kw();
        int oh = g.oh();
        int ow = g.ow();
        Arrays.fill(dx, 0, n * h * w * c, 0f);
        for (int b = 0; b < n; b++) {
            for (int oy = 0; oy < oh; oy++) {
                for (int ox = 0; ox < ow; ox++) {
                    for (int o = 0; o < f; o++) {
                        float d = dy[((b * oh + oy) * ow + ox) * f + o];
                        for (int ky = 0; ky < kh; ky++) {
                            int iy = g.rowStart(oy) + ky;
                            for (int kx = 0; kx < kw; kx++) {
                                int ix = g.colStart(ox) + kx;
                                if (iy < 0 || iy >= h || ix < 0 || ix >= w) {
                                    continue;
                                }
                                for (int ch = 0; ch < c; ch++) {
                                    dx[((b * h + iy) * w + ix) * c + ch]
                                            += d * kernel[((ky * kw + kx) * c + ch) * f + o];
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /** Direct correlation of x with dy, the reference for {@link #conv2dBackwardWeights}. */
    public static void conv2dBackwardWeightsScalar(float[] x, float[] dy, float[] dkernel, float[] dbias,
                                                   WindowGeometry g, int n, int c, int f) {
        int h = g.h();
        int w = g.w();
        int kh = g.kh();
        int kw = g.kw();
        int oh = g.oh();
        int ow = g.ow();
        for (int b = 0; b < n; b++) {
            for (int oy = 0; oy < oh; oy++) {
                for (int ox = 0; ox < ow; ox++) {
                    for (int o = 0; o < f; o++) {
                        float d = dy[((b * oh + oy) * ow + ox) * f + o];
                        if (dbias != null) {
                            dbias[o] += d;
                        }
                        for (int ky = 0; ky < kh; ky++) {
                            int iy = g.rowStart(oy) + ky;
                            for (int kx = 0; kx < kw; kx++) {
                                int ix = g.colStart(ox) + kx;
                                if (iy < 0 || iy >= h || ix < 0 || ix >= w) {
                                    continue;
                                }
                                for (int ch = 0; ch < c; ch++) {
                                    dkernel[((ky * kw + kx) * c + ch) * f + o]
                                            += d * x[((b * h + iy) * w + ix) * c + ch];
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}
