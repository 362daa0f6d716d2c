package dev.fovea.kernel.conv;

import dev.fovea.kernel.Activations;
import dev.fovea.kernel.BatchNorm;
import dev.fovea.kernel.gemm.Gemm;
import dev.fovea.kernel.Tunables;
import dev.fovea.kernel.window.WindowGeometry;

import java.util.Arrays;

/**
 * 2-D convolution (cross-correlation, as Keras and PyTorch define it) over NHWC batches with HWIO
 * kernels, forward, backward-data and backward-weights, and the one place that decides how each
 * pass is computed. The window is a {@link WindowGeometry} (built by the layer from its padding
 * mode), given with the batch size n, input channels c and filters f; padding reads as zeros. No
 * activation beyond an optional fused ReLU, no layer state: see {@code dev.fovea.nn.Conv2D}.
 * Beside each pass, its direct seven-loop scalar twin, which the tests hold every route to.
 *
 * <p>The routes, in the order they are tried; each pass's function ({@link #forwardRoute},
 * {@link #dataRoute}, {@link #weightRoute}) is the whole decision, from the shape alone:
 * <table>
 * <caption>Routes</caption>
 * <tr><th>route</th><th>forward</th><th>backward-data</th><th>backward-weights</th><th>threshold</th></tr>
 * <tr><td>{@link Route#WINOGRAD}</td><td>{@link Winograd}</td><td>Winograd on the adjoint</td>
 *     <td>{@link WinogradWeights}</td><td>3×3, stride 1, C and F ≥ {@link Tunables#WINOGRAD_MIN_CHANNELS}
 *     ({@link Tunables#WINOGRAD_MIN_FILTERS}); the tile size is {@link Winograd#tile}</td></tr>
 * <tr><td>{@link Route#DIRECT}</td><td>{@link ConvGemm#forwardDirect}</td><td>direct on the adjoint</td>
 *     <td>–</td><td>stride 1, F ≤ 2 vectors, window ≤ {@link Tunables#CONV_DIRECT_MAX_WINDOW}</td></tr>
 * <tr><td>{@link Route#IMPLICIT_GEMM}</td><td>{@link ConvGemm#forward}</td><td>implicit GEMM on the adjoint
 *     (stride 1)</td><td>{@link ConvGemm#backwardWeights}</td><td>⌈F/VL⌉ &lt; 60 ({@link ConvGemm#fits})</td></tr>
 * <tr><td>{@link Route#POINTWISE}</td><td colspan="3">one {@link Gemm} on x itself, the (N·H·W, C) column
 *     matrix</td><td>1×1, stride 1, no padding</td></tr>
 * <tr><td>{@link Route#IM2COL}</td><td colspan="3">{@link Im2col} + {@link Gemm} in chunks of images
 *     through a caller-owned workspace</td><td>the rest: too many filters, strided backward-data</td></tr>
 * </table>
 * The backward-data pass of a stride-1 convolution is itself a forward convolution: dy (F
 * channels) with the kernel flipped in space and transposed in channels, over the adjoint window
 * ({@link WindowGeometry#stride1Adjoint}), so it takes the forward's route for that shape. The
 * im2col fallback's chunk size depends only on the geometry, never on the thread count, so the
 * order in which chunks add into dkernel is fixed and results are bit-identical at any thread
 * count, as on every other route.
 */
public final class Convolution {
    /** How a pass is computed; see the table above. */
    public enum Route {
        WINOGRAD, DIRECT, IMPLICIT_GEMM, POINTWISE, IM2COL
    }

    private Convolution() {
    }

    /** Floats of workspace the passes need for a batch of n (0 for pointwise convolutions): the im2col fallback's. */
    public static int workspaceSize(WindowGeometry g, int n, int c) {
        return Im2col.workspaceSize(g, n, c);
    }

    /** The route of a forward convolution of this shape, which {@link PreparedConv} shares. */
    public static Route forwardRoute(WindowGeometry g, int c, int f) {
        if (Winograd.pays(g, c, f)) {
            return Route.WINOGRAD;
        }
        boolean pointwise = g.pointwise();
        if (!pointwise && g.sh() == 1 && g.sw() == 1 && ConvGemm.directPays(g.kh() * g.kw() * c, f)) {
            return Route.DIRECT;
        }
        if (!pointwise && ConvGemm.fits(f)) {
            return Route.IMPLICIT_GEMM;
        }
        return pointwise ? Route.POINTWISE : Route.IM2COL;
    }

    /**
     * The route of the backward-data pass: pointwise as a GEMM with the transposed kernel; stride 1
     * as the forward route of the adjoint convolution (F channels in, C filters out); else im2col.
     */
    public static Route dataRoute(WindowGeometry g, int c, int f) {
        if (g.pointwise()) {
            return Route.POINTWISE;
        }
        // The geometry keeps pads below the kernel size, as the stride-1 adjoint needs.
        if (g.sh() == 1 && g.sw() == 1 && ConvGemm.fits(c)) {
            Route r = forwardRoute(ConvGemm.adjointWindow(g), f, c);
            return r == Route.POINTWISE ? Route.IMPLICIT_GEMM : r;
        }
        return Route.IM2COL;
    }

    /** The route of the backward-weights pass. */
    public static Route weightRoute(WindowGeometry g, int c, int f) {
        if (WinogradWeights.applies(g) && c >= Tunables.WINOGRAD_MIN_CHANNELS && f >= Tunables.WINOGRAD_MIN_FILTERS
                && ConvGemm.fits(f)) {
            return Route.WINOGRAD;
        }
        if (g.pointwise()) {
            return Route.POINTWISE;
        }
        return ConvGemm.fits(f) ? Route.IMPLICIT_GEMM : Route.IM2COL;
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
    public static void forward(float[] x, float[] kernel, float[] bias, float[] y, float[] work, WindowGeometry g,
                               int n, int c, int f) {
        forward(x, kernel, bias, y, null, work, g, n, c, f);
    }

    /**
     * y = conv(x, kernel) + bias and, when {@code relu} is given, relu = max(y, 0), fused where the
     * route allows (each block is rectified while in cache).
     *
     * @param relu written, relu (N,OH,OW,F), or null
     */
    public static void forward(float[] x, float[] kernel, float[] bias, float[] y, float[] relu, float[] work,
                               WindowGeometry g, int n, int c, int f) {
        forward(forwardRoute(g, c, f), x, kernel, bias, y, relu, work, g, n, c, f);
    }

    /** {@link #forward} by a given route (tests and benchmarks set it against the others). */
    static void forward(Route route, float[] x, float[] kernel, float[] bias, float[] y, float[] relu, float[] work,
                        WindowGeometry g, int n, int c, int f) {
        switch (route) {
            case WINOGRAD -> Winograd.forward(x, kernel, bias, y, relu, g, n, c, f);
            case DIRECT -> ConvGemm.forwardDirect(x, kernel, bias, y, relu, g, n, c, f);
            case IMPLICIT_GEMM -> ConvGemm.forward(x, kernel, bias, y, relu, g, n, c, f);
            case POINTWISE -> {
                int rows = n * g.h() * g.w();
                Im2col.fillBias(bias, y, 0, rows, f);
                Gemm.gemm(x, 0, c, false, kernel, 0, f, false, y, 0, f, rows, f, c, bias != null);
            }
            case IM2COL -> Im2col.forward(x, kernel, bias, y, work, g, n, c, f, Im2col.chunk(g, n, c));
        }
        if (relu != null && (route == Route.POINTWISE || route == Route.IM2COL)) {
            Activations.relu(y, relu, n * g.oh() * g.ow() * f);
        }
    }

    /**
     * dx = the forward's adjoint applied to dy (the gradient of the input).
     *
     * @param dy     read, dy (N,OH,OW,F)
     * @param kernel read, kernel (KH,KW,C,F)
     * @param dx     written (not accumulated), dx (N,H,W,C)
     * @param work   scratch of at least {@link #workspaceSize} floats
     */
    public static void backwardData(float[] dy, float[] kernel, float[] dx, float[] work, WindowGeometry g, int n,
                                    int c, int f) {
        Route route = dataRoute(g, c, f);
        switch (route) {
            case POINTWISE -> Gemm.gemm(dy, 0, f, false, kernel, 0, f, true, dx, 0, c, n * g.h() * g.w(), c, f, false);
            case IM2COL -> Im2col.backwardData(dy, kernel, dx, work, g, n, c, f, Im2col.chunk(g, n, c));
            default -> {
                ConvGemm.Adjoint a = ConvGemm.adjoint(kernel, g, c, f);
                forward(route, dy, a.kernel(), null, dx, null, work, a.window(), n, f, c);
            }
        }
    }

    /**
     * dkernel += the weight gradient and dbias += Σ dy over (N, OH, OW).
     *
     * @param x       read, x (N,H,W,C)
     * @param dy      read, dy (N,OH,OW,F)
     * @param dkernel accumulates (+=), dkernel (KH,KW,C,F)
     * @param dbias   accumulates (+=), dbias (F), or null for none
     * @param work    scratch of at least {@link #workspaceSize} floats
     */
    public static void backwardWeights(float[] x, float[] dy, float[] dkernel, float[] dbias, float[] work,
                                       WindowGeometry g, int n, int c, int f) {
        switch (weightRoute(g, c, f)) {
            case WINOGRAD -> WinogradWeights.backwardWeights(x, dy, dkernel, dbias, g, n, c, f);
            case IMPLICIT_GEMM -> ConvGemm.backwardWeights(x, dy, dkernel, dbias, g, n, c, f);
            case POINTWISE -> {
                int rows = n * g.h() * g.w();
                if (dbias != null) {
                    biasGrad(dy, dbias, rows, f);
                }
                Gemm.gemm(x, 0, c, true, dy, 0, f, false, dkernel, 0, f, c, f, rows, true);
            }
            default -> Im2col.backwardWeights(x, dy, dkernel, dbias, work, g, n, c, f, Im2col.chunk(g, n, c));
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

    /** Direct convolution, the reference for {@link #forward}. Same contract, no workspace. */
    public static void forwardScalar(float[] x, float[] kernel, float[] bias, float[] y, WindowGeometry g,
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

    /** Direct scatter of dy through the kernel, the reference for {@link #backwardData}. */
    public static void backwardDataScalar(float[] dy, float[] kernel, float[] dx, WindowGeometry g, int n, int c,
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

    /** Direct correlation of x with dy, the reference for {@link #backwardWeights}. */
    public static void backwardWeightsScalar(float[] x, float[] dy, float[] dkernel, float[] dbias,
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
