package dev.fovea.nn;

import dev.fovea.kernel.Pool2d;
import dev.fovea.tensor.Rng;
import dev.fovea.tensor.Shape;
import dev.fovea.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Keras {@code GlobalAveragePooling2D} ({@code keepdims=False}): the mean over all positions of
 * each channel, (H, W, C) → (C,).
 */
public final class GlobalAveragePooling2D extends BaseLayer {
    private int batch;
    private Tensor y;
    private Tensor dx;

    public GlobalAveragePooling2D() {
    }

    @Override
    public String typeName() {
        return "GlobalAveragePooling2D";
    }

    @Override
    public Shape build(Shape in, Rng rng) {
        PoolWindow.requireImage(name(), in);
        inputShape = in;
        outputShape = Shape.of(in.dim(2));
        return outputShape;
    }

    @Override
    public Tensor forward(Tensor x, boolean training) {
        checkInput(x);
        batch = x.dim(0);
        y = reuse(y, outputShape.withBatch(batch));
        Pool2d.globalAvgForward(x.data(), y.data(), batch, inputShape.dim(0), inputShape.dim(1), inputShape.dim(2));
        return y;
    }

    @Override
    public Tensor backward(Tensor dy) {
        dx = reuse(dx, inputShape.withBatch(batch));
        Pool2d.globalAvgBackward(dy.data(), dx.data(), batch, inputShape.dim(0), inputShape.dim(1), inputShape.dim(2));
        return dx;
    }

    @Override
    public Map<String, Object> config() {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("data_format", "channels_last");
        c.put("keepdims", false);
        return c;
    }
}
