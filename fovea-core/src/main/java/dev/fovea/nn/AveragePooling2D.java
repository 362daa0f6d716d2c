package dev.fovea.nn;

import dev.fovea.kernel.Pool2d;
import dev.fovea.tensor.Rng;
import dev.fovea.tensor.Shape;
import dev.fovea.tensor.Tensor;
import java.util.Map;

/**
 * Keras {@code AveragePooling2D}: the mean of each window over NHWC input, channel by channel.
 * With SAME padding the mean is over the valid (non-padded) elements only, as in Keras and
 * TensorFlow (PyTorch's {@code count_include_pad=False}). Has no parameters.
 */
public final class AveragePooling2D extends BaseLayer {
    private final PoolWindow window;
    private int padTop;
    private int padLeft;
    private int batch;
    private Tensor y;
    private Tensor dx;

    /** A square pool with strides equal to the pool size and VALID padding (Keras's defaults). */
    public AveragePooling2D(int poolSize) {
        this(PoolWindow.of(poolSize));
    }

    /** Any configuration: {@code new AveragePooling2D(PoolWindow.of(3).strides(2).padding(Padding.SAME))}. */
    public AveragePooling2D(PoolWindow window) {
        this.window = window;
    }

    /** Pool size, strides and padding. */
    public PoolWindow window() {
        return window;
    }

    @Override
    public String typeName() {
        return "AveragePooling2D";
    }

    @Override
    public Shape build(Shape in, Rng rng) {
        outputShape = window.outputShape(name(), in);
        inputShape = in;
        padTop = window.padTop(in);
        padLeft = window.padLeft(in);
        return outputShape;
    }

    @Override
    public Tensor forward(Tensor x, boolean training) {
        checkInput(x);
        batch = x.dim(0);
        y = reuse(y, outputShape.withBatch(batch));
        Pool2d.avgForward(x.data(), y.data(), batch, inputShape.dim(0), inputShape.dim(1),
                inputShape.dim(2), outputShape.dim(0), outputShape.dim(1), window.poolH(), window.poolW(),
                window.strideH(), window.strideW(), padTop, padLeft);
        return y;
    }

    @Override
    public Tensor backward(Tensor dy) {
        dx = reuse(dx, inputShape.withBatch(batch));
        Pool2d.avgBackward(dy.data(), dx.data(), batch, inputShape.dim(0), inputShape.dim(1),
                inputShape.dim(2), outputShape.dim(0), outputShape.dim(1), window.poolH(), window.poolW(),
                window.strideH(), window.strideW(), padTop, padLeft);
        return dx;
    }

    @Override
    public Map<String, Object> config() {
        return window.config();
    }
}
