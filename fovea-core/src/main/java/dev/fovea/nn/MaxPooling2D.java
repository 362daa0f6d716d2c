package dev.fovea.nn;

import dev.fovea.kernel.Pool2d;
import dev.fovea.tensor.Rng;
import dev.fovea.tensor.Shape;
import dev.fovea.tensor.Tensor;
import java.util.Map;

/**
 * Keras {@code MaxPooling2D}: the maximum of each window over NHWC input, channel by channel.
 * With SAME padding, padded positions never win. Backward routes each gradient to the first
 * maximum of its window. Has no parameters.
 */
public final class MaxPooling2D extends BaseLayer {
    private final PoolWindow window;
    private final Pooling pool = new Pooling();

    /** A square pool with strides equal to the pool size and VALID padding (Keras's defaults). */
    public MaxPooling2D(int poolSize) {
        this(poolSize, poolSize, poolSize, poolSize, Padding.VALID);
    }

    public MaxPooling2D(int poolH, int poolW, int strideH, int strideW, Padding padding) {
        this.window = new PoolWindow(poolH, poolW, strideH, strideW, padding);
    }

    /** Pool size, strides and padding (for {@link ConvArithmetic}). */
    PoolWindow window() {
        return window;
    }

    @Override
    public String typeName() {
        return "MaxPooling2D";
    }

    @Override
    public Shape build(Shape in, Rng rng) {
        outputShape = pool.build(name(), window, in);
        inputShape = in;
        return outputShape;
    }

    @Override
    public Tensor forward(Tensor x, boolean training) {
        checkInput(x);
        Tensor y = pool.output(x.dim(0));
        Pool2d.maxForward(x.data(), y.data(), pool.argmax(), pool.geometry(), pool.batch(), pool.channels());
        return y;
    }

    @Override
    public Tensor backward(Tensor dy) {
        Tensor dx = pool.inputGradient();
        Pool2d.maxBackward(dy.data(), pool.argmax(), dx.data(), pool.geometry(), pool.batch(), pool.channels());
        return dx;
    }

    @Override
    public Map<String, Object> config() {
        return window.config();
    }
}
