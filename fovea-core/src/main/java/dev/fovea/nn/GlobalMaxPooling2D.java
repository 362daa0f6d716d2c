package dev.fovea.nn;

import dev.fovea.kernel.Pool2d;
import dev.fovea.tensor.Rng;
import dev.fovea.tensor.Shape;
import dev.fovea.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Keras {@code GlobalMaxPooling2D} ({@code keepdims=False}): the maximum over all positions of
 * each channel, (H, W, C) → (C,). Backward routes each gradient to the first maximum.
 */
public final class GlobalMaxPooling2D extends BaseLayer {
    private int batch;
    private int[] argmax = new int[0];
    private Tensor y;
    private Tensor dx;

    public GlobalMaxPooling2D() {
    }

    @Override
    public String typeName() {
        return "GlobalMaxPooling2D";
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
        if (argmax.length != y.size()) {
            argmax = new int[y.size()];
        }
        Pool2d.globalMaxForward(x.data(), y.data(), argmax, batch, inputShape.dim(0), inputShape.dim(1),
                inputShape.dim(2));
        return y;
    }

    @Override
    public Tensor backward(Tensor dy) {
        dx = reuse(dx, inputShape.withBatch(batch));
        Pool2d.globalMaxBackward(dy.data(), argmax, dx.data(), batch, inputShape.dim(0), inputShape.dim(1),
                inputShape.dim(2));
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
