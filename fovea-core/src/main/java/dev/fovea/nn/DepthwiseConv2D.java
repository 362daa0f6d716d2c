package dev.fovea.nn;

import dev.fovea.FoveaException;
import dev.fovea.kernel.conv.Depthwise;
import dev.fovea.kernel.window.WindowGeometry;
import dev.fovea.tensor.Rng;
import dev.fovea.tensor.Shape;
import dev.fovea.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Keras {@code DepthwiseConv2D(kernel_size, strides, padding, depth_multiplier, activation,
 * use_bias)}: each input channel convolved with its own {@code depth_multiplier} filters
 * (MobileNet's spatial convolution), input (H, W, C), kernel {@code depthwise_kernel}
 * (KH, KW, C, M) as Keras stores it, optional bias (C·M), output (OH, OW, C·M) with channel
 * c·M + m from input channel c. Keras defaults: strides 1, {@code valid}, M 1, linear, bias on;
 * the kernel glorot_uniform over Keras's fans (C·KH·KW in, M·KH·KW out). Loops in
 * {@link Depthwise}.
 */
public final class DepthwiseConv2D extends BaseLayer {
    private final int kernelH;
    private final int kernelW;
    private final int strideH;
    private final int strideW;
    private final Padding padding;
    private final int depthMultiplier;
    private final ActivationFunction activation;
    private final boolean useBias;
    private final KernelInitializer initializer;
    private Param kernel;
    private Param bias;
    private List<Param> params = List.of();
    private WindowGeometry window;
    private Tensor x;
    private Tensor z;
    private Tensor y;
    private Tensor dz;
    private Tensor dx;

    public DepthwiseConv2D(int kernelH, int kernelW, int strideH, int strideW, Padding padding, int depthMultiplier,
                           ActivationFunction activation, boolean useBias, KernelInitializer initializer) {
        if (kernelH < 1 || kernelW < 1 || strideH < 1 || strideW < 1 || depthMultiplier < 1) {
            throw new FoveaException("DepthwiseConv2D: kernel_size, strides and depth_multiplier must be positive,"
                    + " received kernel_size=(" + kernelH + ", " + kernelW + "), strides=(" + strideH + ", " + strideW
                    + "), depth_multiplier=" + depthMultiplier);
        }
        this.kernelH = kernelH;
        this.kernelW = kernelW;
        this.strideH = strideH;
        this.strideW = strideW;
        this.padding = padding == null ? Padding.VALID : padding;
        this.depthMultiplier = depthMultiplier;
        this.activation = activation == null ? ActivationFunction.LINEAR : activation;
        this.useBias = useBias;
        this.initializer = initializer == null ? KernelInitializer.GLOROT_UNIFORM : initializer;
    }

    /** A square kernel, Keras's other defaults (multiplier 1, linear, bias). */
    public DepthwiseConv2D(int kernelSize, int stride, Padding padding) {
        this(kernelSize, kernelSize, stride, stride, padding, 1, ActivationFunction.LINEAR, true,
                KernelInitializer.GLOROT_UNIFORM);
    }

    public int kernelH() {
        return kernelH;
    }

    public int kernelW() {
        return kernelW;
    }

    public int depthMultiplier() {
        return depthMultiplier;
    }

    public ActivationFunction activation() {
        return activation;
    }

    public int strideH() {
        return strideH;
    }

    public int strideW() {
        return strideW;
    }

    public Padding padding() {
        return padding;
    }

    public boolean useBias() {
        return useBias;
    }

    /** {@code depthwise_kernel} (KH, KW, C, M); null before {@link #build}. */
    public Param kernel() {
        return kernel;
    }

    /** {@code bias} (C·M), or null without one or before {@link #build}. */
    public Param bias() {
        return bias;
    }

    @Override
    public Shape build(Shape in, Rng rng) {
        PoolWindow.requireImage(name(), in);
        int h = in.dim(0);
        int w = in.dim(1);
        int c = in.dim(2);
        int oh = padding.outSize(h, kernelH, strideH);
        int ow = padding.outSize(w, kernelW, strideW);
        if (oh < 1 || ow < 1) {
            throw new FoveaException(name() + ": kernel " + kernelH + "x" + kernelW + " with padding '"
                    + padding.keras() + "' does not fit input " + in.toBatchString()
                    + "; use padding 'same' or a smaller kernel");
        }
        inputShape = in;
        outputShape = Shape.of(oh, ow, c * depthMultiplier);
        kernel = new Param("depthwise_kernel", Shape.of(kernelH, kernelW, c, depthMultiplier), true);
        long field = (long) kernelH * kernelW;
        initializer.fill(kernel.value(), field * c, field * depthMultiplier, rng);
        bias = useBias ? new Param("bias", Shape.of(c * depthMultiplier), true) : null;
        params = bias == null ? List.of(kernel) : List.of(kernel, bias);
        window = padding.geometry(h, w, kernelH, kernelW, strideH, strideW);
        return outputShape;
    }

    @Override
    public List<Param> params() {
        return params;
    }

    @Override
    public Tensor forward(Tensor input, boolean training) {
        checkInput(input);
        int n = input.dim(0);
        x = input;
        Shape out = outputShape.withBatch(n);
        z = reuse(z, out);
        Depthwise.forward(input.data(), kernel.value(), useBias ? bias.value() : null, z.data(), window, n,
                inputShape.dim(2), depthMultiplier);
        if (activation == ActivationFunction.LINEAR) {
            return z;
        }
        y = reuse(y, out);
        Activation.apply(activation, z.data(), y.data(), out);
        return y;
    }

    @Override
    public Tensor backward(Tensor dy) {
        if (x == null) {
            throw new IllegalStateException(name() + ": backward before forward");
        }
        int n = x.dim(0);
        int c = inputShape.dim(2);
        Tensor grad = dy;
        if (activation != ActivationFunction.LINEAR) {
            dz = reuse(dz, dy.shape());
            Activation.applyBackward(activation, z.data(), y.data(), dy.data(), dz.data(), dy.shape());
            grad = dz;
        }
        Depthwise.backwardWeights(x.data(), grad.data(), kernel.grad(), useBias ? bias.grad() : null, window, n, c,
                depthMultiplier);
        dx = reuse(dx, x.shape());
        Depthwise.backwardData(grad.data(), kernel.value(), dx.data(), window, n, c, depthMultiplier);
        return dx;
    }

    @Override
    public Map<String, Object> config() {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("kernel_size", List.of(kernelH, kernelW));
        c.put("strides", List.of(strideH, strideW));
        c.put("padding", padding.keras());
        c.put("depth_multiplier", depthMultiplier);
        c.put("activation", activation.keras());
        c.put("use_bias", useBias);
        if (initializer != KernelInitializer.GLOROT_UNIFORM) {
            c.put("depthwise_initializer", initializer.keras());
        }
        return c;
    }

    /**
     * Reads what {@link #config()} writes, and Keras's DepthwiseConv2D config: channels-last, no
     * dilation, zero bias init, no regularizer or constraint, else one error naming the option.
     */
    static DepthwiseConv2D fromConfig(LayerConfig c) {
        int[] k = c.requiredPair("kernel_size");
        int[] s = c.pair("strides", new int[]{1, 1});
        DepthwiseConv2D d = new DepthwiseConv2D(k[0], k[1], s[0], s[1], c.padding(), c.integer("depth_multiplier", 1),
                c.activation(), c.bool("use_bias", true), c.kernelInitializer("depthwise_initializer"));
        c.channelsLast();
        c.only("dilation_rate", LayerConfig::isOne, "1 only (no dilation)");
        // tf.keras 2.x writes Conv2D's groups (1) into a DepthwiseConv2D's config too.
        c.only("groups", LayerConfig::isOne, "1 only (the depthwise grouping is the layer itself)");
        c.constant("bias_initializer", "zeros");
        c.none("depthwise_regularizer", "bias_regularizer", "depthwise_constraint", "bias_constraint");
        return d;
    }
}
