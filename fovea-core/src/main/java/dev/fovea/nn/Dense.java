package dev.fovea.nn;

import dev.fovea.FoveaException;
import dev.fovea.kernel.conv.Convolution;
import dev.fovea.kernel.gemm.Gemm;
import dev.fovea.tensor.Rng;
import dev.fovea.tensor.Shape;
import dev.fovea.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Keras {@code Dense}: y = activation(x·kernel + bias) on input (features,), kernel (in, units),
 * bias (units); kernel glorot_uniform (see {@link KernelInitializer}), bias zeros. Rank-1 input only: images go through a
 * {@code Flatten} layer first (Keras would apply the kernel to the last axis instead).
 */
public final class Dense extends BaseLayer {
    private final int units;
    private final ActivationFunction activation;
    private final boolean useBias;
    private final KernelInitializer kernelInitializer;

    private Param kernel;
    private Param bias;
    /** kernel and bias once built (made then, so a call allocates nothing). */
    private List<Param> params = List.of();
    private Tensor x;
    private Tensor z;
    private Tensor y;
    private Tensor dz;
    private Tensor dx;

    /** Keras defaults: linear activation, bias. */
    public Dense(int units) {
        this(Config.of(units));
    }

    /** The common short form, {@code new Dense(10, SOFTMAX)}. */
    public Dense(int units, ActivationFunction activation) {
        this(Config.of(units).activation(activation));
    }

    /** Any configuration: {@code new Dense(Dense.Config.of(10).useBias(false))}. */
    public Dense(Config config) {
        this.units = config.units();
        this.activation = config.activation();
        this.useBias = config.useBias();
        this.kernelInitializer = config.kernelInitializer();
    }

    /**
     * Dense's options under Keras's names, with Keras's defaults from {@link #of}; each named
     * method returns a copy with that option changed. A null activation means linear.
     */
    public record Config(int units, ActivationFunction activation, boolean useBias, KernelInitializer kernelInitializer) {
        public Config {
            if (units < 1) {
                throw new FoveaException("Dense: units must be positive, received " + units);
            }
            activation = activation == null ? ActivationFunction.LINEAR : activation;
            kernelInitializer = kernelInitializer == null ? KernelInitializer.GLOROT_UNIFORM : kernelInitializer;
        }

        /** {@code units} outputs, linear activation, bias. */
        public static Config of(int units) {
            return new Config(units, ActivationFunction.LINEAR, true, KernelInitializer.GLOROT_UNIFORM);
        }

        public Config activation(ActivationFunction value) {
            return new Config(units, value, useBias, kernelInitializer);
        }

        public Config useBias(boolean value) {
            return new Config(units, activation, value, kernelInitializer);
        }

        public Config kernelInitializer(KernelInitializer value) {
            return new Config(units, activation, useBias, value);
        }
    }

    public int units() {
        return units;
    }

    public ActivationFunction activation() {
        return activation;
    }

    public boolean useBias() {
        return useBias;
    }

    @Override
    public Shape build(Shape in, Rng rng) {
        if (in.rank() != 1 || in.dim(0) < 1) {
            throw new FoveaException(name() + ": expects input of shape (None, features), received "
                    + in.toBatchString() + (in.rank() > 1 ? "; add a Flatten layer before it" : ""));
        }
        int features = in.dim(0);
        inputShape = in;
        outputShape = Shape.of(units);
        kernel = new Param("kernel", Shape.of(features, units), true);
        kernelInitializer.fill(kernel.value(), features, units, rng);
        bias = useBias ? new Param("bias", Shape.of(units), true) : null;
        params = bias == null ? List.of(kernel) : List.of(kernel, bias);
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
        int in = inputShape.dim(0);
        x = input;
        Shape outShape = outputShape.withBatch(n);
        z = reuse(z, outShape);
        float[] zd = z.data();
        if (useBias) {
            for (int r = 0; r < n; r++) {
                System.arraycopy(bias.value(), 0, zd, r * units, units);
            }
        }
        Gemm.gemm(input.data(), 0, in, false, kernel.value(), 0, units, false, zd, 0, units, n, units, in, useBias);
        if (activation == ActivationFunction.LINEAR) {
            return z;
        }
        y = reuse(y, outShape);
        Activation.apply(activation, zd, y.data(), outShape);
        return y;
    }

    @Override
    public Tensor backward(Tensor dy) {
        Tensor grad = dy;
        if (activation != ActivationFunction.LINEAR) {
            dz = reuse(dz, dy.shape());
            Activation.applyBackward(activation, z.data(), y.data(), dy.data(), dz.data(), dy.shape());
            grad = dz;
        }
        return backwardLinear(grad);
    }

    /**
     * Backward from dL/dz, the gradient with respect to the pre-activation values z = x·kernel +
     * bias of the last forward (the logits of a softmax head): returns dx, accumulates (+=) the
     * kernel and bias gradients. What {@link Model#backwardTo} uses to explain a logit.
     */
    Tensor backwardLinear(Tensor grad) {
        int n = x.dim(0);
        int in = inputShape.dim(0);
        float[] g = grad.data();
        Gemm.gemm(x.data(), 0, in, true, g, 0, units, false, kernel.grad(), 0, units, in, units, n, true);
        if (useBias) {
            Convolution.biasGrad(g, bias.grad(), n, units);
        }
        dx = reuse(dx, x.shape());
        Gemm.gemm(g, 0, units, false, kernel.value(), 0, units, true, dx.data(), 0, in, n, in, units, false);
        return dx;
    }

    @Override
    public Map<String, Object> config() {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("units", units);
        c.put("activation", activation.keras());
        c.put("use_bias", useBias);
        if (kernelInitializer != KernelInitializer.GLOROT_UNIFORM) {
            c.put("kernel_initializer", kernelInitializer.keras());
        }
        return c;
    }

    /**
     * Reads what {@link #config()} writes, and Keras's Dense config: zero bias init, no
     * regularizer, constraint, LoRA or quantization, else an error.
     */
    static Dense fromConfig(LayerConfig c) {
        Dense d = new Dense(Config.of(c.required("units")).activation(c.activation()).useBias(c.bool("use_bias", true))
                .kernelInitializer(c.kernelInitializer()));
        c.constant("bias_initializer", "zeros");
        c.none("kernel_regularizer", "bias_regularizer", "kernel_constraint", "bias_constraint", "lora_rank",
                "quantization_config");
        c.ignore("lora_alpha");
        return d;
    }
}
