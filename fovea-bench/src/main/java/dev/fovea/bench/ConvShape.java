package dev.fovea.bench;

import dev.fovea.kernel.window.WindowGeometry;

/**
 * One convolution to benchmark: a batch of n square h×h×c NHWC images, f filters of k×k, stride
 * 1, {@code same} or {@code valid} padding, and what the layer around it does that the kernel
 * call sees (a bias, a fused ReLU), so {@link ConvBench} calls {@code Convolution} exactly as
 * {@code nn.Conv2D} would for that layer. Not a layer configuration: no strides, no dilation.
 *
 * @param name   the {@code @Param} value of {@link ConvBench}
 * @param group  {@code tutorial}, {@code wide} or {@code fast}: which network it comes from
 * @param source where the shape comes from, for the report and the reader
 * @param n      batch size
 * @param h      input height and width
 * @param c      input channels
 * @param f      filters (output channels)
 * @param k      kernel height and width
 * @param same   Keras {@code same} padding when true, {@code valid} otherwise
 * @param bias   the layer has a bias (forward adds it, backward-weights sums dbias)
 * @param relu   the layer's ReLU is fused into the forward kernel call
 */
public record ConvShape(String name, String group, String source, int n, int h, int c, int f, int k, boolean same,
                        boolean bias, boolean relu) {
    public ConvShape {
        if (n < 1 || h < 1 || c < 1 || f < 1 || k < 1) {
            throw new IllegalArgumentException("conv shape " + name + " needs positive sizes, received n=" + n
                    + " h=" + h + " c=" + c + " f=" + f + " k=" + k);
        }
    }

    /** The window {@code nn.Padding.geometry} builds for this layer (stride 1). */
    public WindowGeometry geometry() {
        return same ? WindowGeometry.same(h, h, k, k, 1, 1) : WindowGeometry.valid(h, h, k, k, 1, 1);
    }

    /**
     * FLOPs of one pass (forward, backward-data or backward-weights alike): 2·N·OH·OW·KH·KW·C·F, a
     * multiply and an add per kernel tap per output element. Padded taps count too (the dense
     * convention PyTorch's and cuDNN's FLOP counters use); bias, ReLU and dbias are left out.
     */
    public double flops() {
        WindowGeometry g = geometry();
        return 2.0 * n * g.oh() * g.ow() * k * k * c * f;
    }

    /** Multiply-adds of one image's forward pass, the unit RECIPES.md quotes. */
    public long macsPerImage() {
        WindowGeometry g = geometry();
        return (long) g.oh() * g.ow() * k * k * c * f;
    }

    /** Like {@code 32x32x3->32 3x3 same}. */
    public String describe() {
        return h + "x" + h + "x" + c + "->" + f + " " + k + "x" + k + (same ? " same" : " valid");
    }
}
