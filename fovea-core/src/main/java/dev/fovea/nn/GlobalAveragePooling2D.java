package dev.fovea.nn;

import dev.fovea.kernel.Pool2d;
import dev.fovea.tensor.Rng;
import dev.fovea.tensor.Shape;
import dev.fovea.tensor.Tensor;
import java.util.Map;

/**
 * Keras {@code GlobalAveragePooling2D} ({@code keepdims=False}): the mean over all positions of
 * each channel, (H, W, C) → (C,).
 */
public final class GlobalAveragePooling2D extends BaseLayer {
    private final Pooling pool = new Pooling();

    public GlobalAveragePooling2D() {
    }

    @Override
    public String typeName() {
        return "GlobalAveragePooling2D";
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
        Pool2d.avgForward(x.data(), y.data(), pool.geometry(), pool.batch(), pool.channels());
        return y;
    }

    @Override
    public Tensor backward(Tensor dy) {
        Tensor dx = pool.inputGradient();
        Pool2d.avgBackward(dy.data(), dx.data(), pool.geometry(), pool.batch(), pool.channels());
        return dx;
    }

    @Override
    public Map<String, Object> config() {
        return Pooling.globalConfig();
    }
}
