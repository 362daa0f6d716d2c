package dev.fovea.kernel.conv;

import dev.fovea.kernel.window.WindowGeometry;
import dev.fovea.tensor.Parallel;

/**
 * Depthwise 2-D convolution over NHWC batches (Keras's {@code DepthwiseConv2D}, PyTorch's
 * {@code conv2d} with {@code groups = C}): each input channel c is convolved with its own M
 * filters, output channel {@code c·M + m}. Kernel (KH, KW, C, M), Keras's layout. Plain scalar
 * loops (no Vector API yet: MobileNet-style layers hold a small share of a model's arithmetic);
 * the forward and data-gradient passes run one image per task over {@link Parallel}, each image
 * in the same order whatever the threads; the weight gradient sums images, then output
 * positions, in order on the calling thread. So results never depend on the thread count. Not a
 * layer: no shapes are validated.
 */
public final class Depthwise {
    private Depthwise() {
    }

    /**
     * y = depthwise(x, kernel) + bias. x (N,H,W,C) read; kernel (KH,KW,C,M) read; bias (C·M) read,
     * may be null; y (N,OH,OW,C·M) written.
     */
    public static void forward(float[] x, float[] kernel, float[] bias, float[] y, WindowGeometry g, int n, int c,
                               int m) {
        // Images are independent and each is summed in the same order: any thread count, same bits.
        Parallel.forEach(n, b -> forwardImage(x, kernel, bias, y, g, b, c, m));
    }

    private static void forwardImage(float[] x, float[] kernel, float[] bias, float[] y, WindowGeometry g, int b,
                                     int c, int m) {
        int f = c * m;
        for (int oy = 0; oy < g.oh(); oy++) {
            int ky0 = g.kyBegin(oy);
            int ky1 = g.kyEnd(oy);
            int iy0 = g.rowStart(oy);
            for (int ox = 0; ox < g.ow(); ox++) {
                int kx0 = g.kxBegin(ox);
                int kx1 = g.kxEnd(ox);
                int ix0 = g.colStart(ox);
                int yo = ((b * g.oh() + oy) * g.ow() + ox) * f;
                for (int o = 0; o < f; o++) {
                    y[yo + o] = bias == null ? 0f : bias[o];
                }
                for (int ky = ky0; ky < ky1; ky++) {
                    for (int kx = kx0; kx < kx1; kx++) {
                        int xo = ((b * g.h() + iy0 + ky) * g.w() + ix0 + kx) * c;
                        int ko = (ky * g.kw() + kx) * f;
                        for (int ch = 0; ch < c; ch++) {
                            float v = x[xo + ch];
                            for (int j = 0; j < m; j++) {
                                y[yo + ch * m + j] += v * kernel[ko + ch * m + j];
                            }
                        }
                    }
                }
            }
        }
    }

    /**
     * The data gradient. dy (N,OH,OW,C·M) read; kernel read; dx (N,H,W,C) written (cleared, then
     * every output's gradient added into its window).
     */
    public static void backwardData(float[] dy, float[] kernel, float[] dx, WindowGeometry g, int n, int c, int m) {
        Parallel.forEach(n, b -> backwardDataImage(dy, kernel, dx, g, b, c, m));
    }

    private static void backwardDataImage(float[] dy, float[] kernel, float[] dx, WindowGeometry g, int b, int c,
                                          int m) {
        int f = c * m;
        int image = g.h() * g.w() * c;
        java.util.Arrays.fill(dx, b * image, (b + 1) * image, 0f);
        for (int oy = 0; oy < g.oh(); oy++) {
            int ky0 = g.kyBegin(oy);
            int ky1 = g.kyEnd(oy);
            int iy0 = g.rowStart(oy);
            for (int ox = 0; ox < g.ow(); ox++) {
                int kx0 = g.kxBegin(ox);
                int kx1 = g.kxEnd(ox);
                int ix0 = g.colStart(ox);
                int yo = ((b * g.oh() + oy) * g.ow() + ox) * f;
                for (int ky = ky0; ky < ky1; ky++) {
                    for (int kx = kx0; kx < kx1; kx++) {
                        int xo = ((b * g.h() + iy0 + ky) * g.w() + ix0 + kx) * c;
                        int ko = (ky * g.kw() + kx) * f;
                        for (int ch = 0; ch < c; ch++) {
                            float s = 0f;
                            for (int j = 0; j < m; j++) {
                                s += dy[yo + ch * m + j] * kernel[ko + ch * m + j];
                            }
                            dx[xo + ch] += s;
                        }
                    }
                }
            }
        }
    }

    /**
     * The weight gradients. x (N,H,W,C) read; dy (N,OH,OW,C·M) read; dkernel (KH,KW,C,M)
     * accumulates (+=); dbias (C·M) accumulates (+=), may be null.
     */
    public static void backwardWeights(float[] x, float[] dy, float[] dkernel, float[] dbias, WindowGeometry g, int n,
                                       int c, int m) {
        int f = c * m;
        for (int b = 0; b < n; b++) {
            for (int oy = 0; oy < g.oh(); oy++) {
                int ky0 = g.kyBegin(oy);
                int ky1 = g.kyEnd(oy);
                int iy0 = g.rowStart(oy);
                for (int ox = 0; ox < g.ow(); ox++) {
                    int kx0 = g.kxBegin(ox);
                    int kx1 = g.kxEnd(ox);
                    int ix0 = g.colStart(ox);
                    int yo = ((b * g.oh() + oy) * g.ow() + ox) * f;
                    if (dbias != null) {
                        for (int o = 0; o < f; o++) {
                            dbias[o] += dy[yo + o];
                        }
                    }
                    for (int ky = ky0; ky < ky1; ky++) {
                        for (int kx = kx0; kx < kx1; kx++) {
                            int xo = ((b * g.h() + iy0 + ky) * g.w() + ix0 + kx) * c;
                            int ko = (ky * g.kw() + kx) * f;
                            for (int ch = 0; ch < c; ch++) {
                                float v = x[xo + ch];
                                for (int j = 0; j < m; j++) {
                                    dkernel[ko + ch * m + j] += v * dy[yo + ch * m + j];
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}
