package dev.fovea.nn;

import dev.fovea.kernel.Pool2d;
import dev.fovea.tensor.Rng;
import dev.fovea.tensor.Shape;
import dev.fovea.tensor.Tensor;
import java.util.Map;

/**
 * Keras {@code GlobalMaxPooling2D} ({@code keepdims=False}): the maximum over all positions of
 * each channel, (H, W, C) → (C,). Backward routes each gradient to the first maximum.
 */
public final class GlobalMaxPooling2D extends BaseLayer {
    private final Pooling pool = new Pooling();

    public GlobalMaxPooling2D() {
    }

    @Override
    public String typeName() {
        return "GlobalMaxPooling2D";
    }

    @Override
    public Shape build(Shape in, Rng rng) {
        outputShape = pool.buildGlobal(name(), in);
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
        return Pooling.globalConfig();
    }
}
