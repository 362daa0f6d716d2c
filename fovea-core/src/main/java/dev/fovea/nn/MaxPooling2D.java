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
    private int padTop;
    private int padLeft;
    private int batch;
    private int[] argmax = new int[0];
    private Tensor y;
    private Tensor dx;

    /** A square pool with strides equal to the pool size and VALID padding (Keras's defaults). */
    public MaxPooling2D(int poolSize) {
        this(PoolWindow.of(poolSize));
    }

    /** Any configuration: {@code new MaxPooling2D(PoolWindow.of(3).strides(2).padding(Padding.SAME))}. */
    public MaxPooling2D(PoolWindow window) {
        this.window = window;
    }

    /** Pool size, strides and padding. */
    public PoolWindow window() {
        return window;
    }

    @Override
    public String typeName() {
        return "MaxPooling2D";
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
        if (argmax.length != y.size()) {
            argmax = new int[y.size()];
        }
        Pool2d.maxForward(x.data(), y.data(), argmax, batch, inputShape.dim(0), inputShape.dim(1),
                inputShape.dim(2), outputShape.dim(0), outputShape.dim(1), window.poolH(), window.poolW(),
                window.strideH(), window.strideW(), padTop, padLeft);
        return y;
    }

    @Override
    public Tensor backward(Tensor dy) {
        dx = reuse(dx, inputShape.withBatch(batch));
        Pool2d.maxBackward(dy.data(), argmax, dx.data(), batch, inputShape.dim(0), inputShape.dim(1),
                inputShape.dim(2), outputShape.dim(0), outputShape.dim(1), window.poolH(), window.poolW(),
                window.strideH(), window.strideW(), padTop, padLeft);
        return dx;
    }

    @Override
    public Map<String, Object> config() {
        return window.config();
    }
}
