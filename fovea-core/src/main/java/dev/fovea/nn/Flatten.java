package dev.fovea.nn;

import dev.fovea.FoveaException;
import dev.fovea.tensor.Rng;
import dev.fovea.tensor.Shape;
import dev.fovea.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Keras {@code Flatten}: (H, W, C) → (H·W·C,) in NHWC (row-major) order, the order Keras uses
 * with {@code channels_last}, so Dense weights after it line up with Keras's. The output and the
 * returned gradient share their arrays with the input and dy: nothing is copied.
 */
public final class Flatten extends BaseLayer {
    public Flatten() {
    }

    @Override
    public String typeName() {
        return "Flatten";
    }

    @Override
    public Shape build(Shape in, Rng rng) {
        if (in.rank() < 1) {
            throw new FoveaException(name() + ": expects input of rank 2 or more (batch, ...), "
                    + "received input of shape " + in.toBatchString());
        }
        inputShape = in;
        outputShape = Shape.of(in.size());
        return outputShape;
    }

    @Override
    public Tensor forward(Tensor x, boolean training) {
        checkInput(x);
        return x.reshape(outputShape.withBatch(x.dim(0)));
    }

    @Override
    public Tensor backward(Tensor dy) {
        return dy.reshape(inputShape.withBatch(dy.dim(0)));
    }

    @Override
    public Map<String, Object> config() {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("data_format", "channels_last");
        return c;
    }
}
