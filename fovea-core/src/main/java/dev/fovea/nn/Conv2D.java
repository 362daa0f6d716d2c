package dev.fovea.nn;

import dev.fovea.FoveaException;
import dev.fovea.kernel.conv.Convolution;
import dev.fovea.kernel.window.WindowGeometry;
import dev.fovea.tensor.Rng;
import dev.fovea.tensor.Shape;
import dev.fovea.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Keras {@code Conv2D}: a 2-D convolution of NHWC input (H, W, C) with an HWIO kernel
 * (KH, KW, C, F), optional bias and an activation; output (OH, OW, F). Keras defaults: strides 1,
 * {@code valid} padding, linear activation, bias on; kernel glorot_uniform (see {@link KernelInitializer}), bias zeros. Options
 * past the short constructors go through {@link Config}.
 * The arithmetic lives in {@link Convolution}; this class holds configuration, parameters and the
 * per-batch-size buffers. No dilation, groups or data formats other than channels-last.
 */
public final class Conv2D extends BaseLayer {
    private final int filters;
    private final int kernelH;
    private final int kernelW;
    private final int strideH;
    private final int strideW;
    private final Padding padding;
    private final ActivationFunction activation;
    private final boolean useBias;
    private final KernelInitializer kernelInitializer;

    private Param kernel;
    private Param bias;
    /** kernel and bias once built (made then, so a call allocates nothing). */
    private List<Param> params = List.of();
    private WindowGeometry window;
    private float[] work = new float[0];
    private Tensor x;
    private Tensor z;
    private Tensor y;
    private Tensor dz;
    private Tensor dx;

    /** Keras defaults: strides 1, {@code valid} padding, linear activation, bias. */
    public Conv2D(int filters, int kernelSize) {
        this(Config.of(filters, kernelSize));
    }

    /** The common short form, {@code new Conv2D(32, 3, Padding.SAME, RELU)}. */
    public Conv2D(int filters, int kernelSize, Padding padding, ActivationFunction activation) {
        this(Config.of(filters, kernelSize).padding(padding).activation(activation));
    }

    /** Any configuration: {@code new Conv2D(Conv2D.Config.of(64, 3).strides(2).useBias(false))}. */
    public Conv2D(Config config) {
        this.filters = config.filters();
        this.kernelH = config.kernelH();
        this.kernelW = config.kernelW();
        this.strideH = config.strideH();
        this.strideW = config.strideW();
        this.padding = config.padding();
        this.activation = config.activation();
        this.useBias = config.useBias();
        this.kernelInitializer = config.kernelInitializer();
    }

    /**
     * Conv2D's options under Keras's names, with Keras's defaults from {@link #of}; each named
     * method returns a copy with that option changed. A null padding or activation means the
     * default ({@code valid}, linear), as Keras's {@code activation=None}.
     */
    public record Config(int filters, int kernelH, int kernelW, int strideH, int strideW, Padding padding,
                         ActivationFunction activation, boolean useBias, KernelInitializer kernelInitializer) {
        public Config {
            if (filters < 1 || kernelH < 1 || kernelW < 1 || strideH < 1 || strideW < 1) {
                throw new FoveaException("Conv2D: filters, kernel_size and strides must be positive, received"
                        + " filters=" + filters + ", kernel_size=(" + kernelH + ", " + kernelW + "), strides=("
                        + strideH + ", " + strideW + ")");
            }
            padding = padding == null ? Padding.VALID : padding;
            activation = activation == null ? ActivationFunction.LINEAR : activation;
            kernelInitializer = kernelInitializer == null ? KernelInitializer.GLOROT_UNIFORM : kernelInitializer;
        }

        /** {@code filters} square {@code kernelSize} kernels; strides 1, valid padding, linear, bias. */
        public static Config of(int filters, int kernelSize) {
            return new Config(filters, kernelSize, kernelSize, 1, 1, Padding.VALID, ActivationFunction.LINEAR, true,
                    KernelInitializer.GLOROT_UNIFORM);
        }

        public Config kernelSize(int size) {
            return kernelSize(size, size);
        }

        public Config kernelSize(int height, int width) {
            return new Config(filters, height, width, strideH, strideW, padding, activation, useBias, kernelInitializer);
        }

        public Config strides(int stride) {
            return strides(stride, stride);
        }

        public Config strides(int height, int width) {
            return new Config(filters, kernelH, kernelW, height, width, padding, activation, useBias, kernelInitializer);
        }

        public Config padding(Padding value) {
            return new Config(filters, kernelH, kernelW, strideH, strideW, value, activation, useBias, kernelInitializer);
        }

        public Config activation(ActivationFunction value) {
            return new Config(filters, kernelH, kernelW, strideH, strideW, padding, value, useBias, kernelInitializer);
        }

        public Config useBias(boolean value) {
            return new Config(filters, kernelH, kernelW, strideH, strideW, padding, activation, value, kernelInitializer);
        }

        public Config kernelInitializer(KernelInitializer value) {
            return new Config(filters, kernelH, kernelW, strideH, strideW, padding, activation, useBias, value);
        }
    }

    public int filters() {
        return filters;
    }

    public int kernelH() {
        return kernelH;
    }

    public int kernelW() {
        return kernelW;
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

    public ActivationFunction activation() {
        return activation;
    }

    public boolean useBias() {
        return useBias;
    }

    /** The (KH, KW, C, F) kernel; null until the layer is built. */
    public Param kernel() {
        return kernel;
    }

    /** The (F) bias; null until built and when {@code use_bias} is false. */
    public Param bias() {
        return bias;
    }

    /** The window of the built layer (its padding mode resolved for its input), for inference plans. */
    WindowGeometry window() {
        return window;
    }

    @Override
    public Shape build(Shape in, Rng rng) {
        if (in.rank() != 3) {
            throw new FoveaException(name() + ": expects input of shape (None, height, width, channels), "
                    + "received " + in.toBatchString() + "; Conv2D takes channels-last images"
                    + (in.rank() == 1 ? ", add a Reshape layer before it" : ""));
        }
        int h = in.dim(0);
        int w = in.dim(1);
        int c = in.dim(2);
        int oh = padding.outSize(h, kernelH, strideH);
        int ow = padding.outSize(w, kernelW, strideW);
        if (oh < 1 || ow < 1 || c < 1) {
            throw new FoveaException(name() + ": kernel " + kernelH + "x" + kernelW + " with padding '"
                    + padding.keras() + "' does not fit input " + in.toBatchString()
                    + "; use padding 'same' or a smaller kernel");
        }
        inputShape = in;
        outputShape = Shape.of(oh, ow, filters);
        kernel = new Param("kernel", Shape.of(kernelH, kernelW, c, filters), true);
        kernelInitializer.fill(kernel.value(), (long) kernelH * kernelW * c, (long) kernelH * kernelW * filters, rng);
        bias = useBias ? new Param("bias", Shape.of(filters), true) : null;
        params = bias == null ? List.of(kernel) : List.of(kernel, bias);
        window = padding.geometry(h, w, kernelH, kernelW, strideH, strideW);
        return outputShape;
    }

    @Override
    public List<Param> params() {
        return params;
    }

    /** The kernels' scratch for a batch of n, grown (never shrunk) when the batch grows. */
    private float[] work(int n) {
        int size = Convolution.workspaceSize(window, n, inputShape.dim(2));
        if (work.length < size) {
            work = new float[size];
        }
        return work;
    }

    @Override
    public Tensor forward(Tensor input, boolean training) {
        checkInput(input);
        int n = input.dim(0);
        int c = inputShape.dim(2);
        x = input;
        Shape outShape = outputShape.withBatch(n);
        z = reuse(z, outShape);
        if (activation == ActivationFunction.RELU) {
            y = reuse(y, outShape);
            Convolution.forward(input.data(), kernel.value(), useBias ? bias.value() : null, z.data(), y.data(),
                    work(n), window, n, c, filters);
            return y;
        }
        Convolution.forward(input.data(), kernel.value(), useBias ? bias.value() : null, z.data(), work(n), window, n,
                c, filters);
        if (activation == ActivationFunction.LINEAR) {
            return z;
        }
        y = reuse(y, outShape);
        Activation.apply(activation, z.data(), y.data(), outShape);
        return y;
    }

    @Override
    public Tensor backward(Tensor dy) {
        return backprop(dy, true);
    }

    /** Skips dx: for a layer reading the image, the data gradient costs as much as the weights'. */
    @Override
    protected Tensor backwardParamsOnly(Tensor dy) {
        return backprop(dy, false);
    }

    /**
     * Frozen parameters get no gradient (it stays zero): an optimizer would discard it, and for a
     * frozen first layer (airbench94's whitening conv) the kernel gradient is most of the
     * backward cost. A trained bias under a frozen kernel is summed by {@link Convolution#biasGrad},
     * which may round differently from the fused path; which path runs depends only on the
     * frozen states, so a run stays deterministic.
     */
    private Tensor backprop(Tensor dy, boolean inputGradient) {
        int n = x.dim(0);
        int c = inputShape.dim(2);
        float[] dbias = useBias && !bias.frozen() ? bias.grad() : null;
        boolean dkernel = !kernel.frozen();
        if (!inputGradient && !dkernel && dbias == null) {
            return null;
        }
        Tensor grad = dy;
        if (activation != ActivationFunction.LINEAR) {
            dz = reuse(dz, dy.shape());
            Activation.applyBackward(activation, z.data(), y.data(), dy.data(), dz.data(), dy.shape());
            grad = dz;
        }
        if (dkernel) {
            Convolution.backwardWeights(x.data(), grad.data(), kernel.grad(), dbias, work(n), window, n, c, filters);
        } else if (dbias != null) {
            Convolution.biasGrad(grad.data(), dbias, grad.size() / filters, filters);
        }
        if (!inputGradient) {
            return null;
        }
        dx = reuse(dx, x.shape());
        Convolution.backwardData(grad.data(), kernel.value(), dx.data(), work(n), window, n, c, filters);
        return dx;
    }

    @Override
    public Map<String, Object> config() {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("filters", filters);
        c.put("kernel_size", List.of(kernelH, kernelW));
        c.put("strides", List.of(strideH, strideW));
        c.put("padding", padding.keras());
        c.put("activation", activation.keras());
        c.put("use_bias", useBias);
        if (kernelInitializer != KernelInitializer.GLOROT_UNIFORM) {
            c.put("kernel_initializer", kernelInitializer.keras());
        }
        return c;
    }

    /**
     * Reads what {@link #config()} writes, and Keras's Conv2D config: its options without a
     * Fovea counterpart are accepted at the value Fovea computes (channels-last, no dilation, one
     * group, zero bias init, no regularizer, constraint or LoRA) and are an error otherwise.
     */
    static Conv2D fromConfig(LayerConfig c) {
        int filters = c.required("filters");
        int[] k = c.requiredPair("kernel_size");
        int[] s = c.pair("strides", new int[]{1, 1});
        Config config = Config.of(filters, k[0]).kernelSize(k[0], k[1]).strides(s[0], s[1]).padding(c.padding())
                .activation(c.activation()).useBias(c.bool("use_bias", true)).kernelInitializer(c.kernelInitializer());
        c.channelsLast();
        c.only("dilation_rate", LayerConfig::isOne, "1 only (no dilation)");
        c.only("groups", LayerConfig::isOne, "1 only (no grouped convolution)");
        c.constant("bias_initializer", "zeros");
        c.none("kernel_regularizer", "bias_regularizer", "kernel_constraint", "bias_constraint", "lora_rank");
        c.ignore("lora_alpha");
        return new Conv2D(config);
    }
}
