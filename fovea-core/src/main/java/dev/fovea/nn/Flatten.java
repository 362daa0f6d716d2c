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
    public Shape build(Shape in, Rng rng) {
        if (in.rank() < 1) {
            throw new FoveaException(name() + ": expects input of rank 2 or more (batch, ...), "
                    + "received input of shape " + in.toBatchString());
        }
        inputShape = in;
        outputShape = Shape.of(in.size());
        return outputShape;
    }

    /* The last views handed out: a view of the same array with the same shape is reused, so a step allocates none. */
    private Tensor flat;
    private Tensor unflat;

    @Override
    public Tensor forward(Tensor x, boolean training) {
        checkInput(x);
        flat = view(flat, x, outputShape.withBatch(x.dim(0)));
        return flat;
    }

    @Override
    public Tensor backward(Tensor dy) {
        unflat = view(unflat, dy, inputShape.withBatch(dy.dim(0)));
        return unflat;
    }

    private static Tensor view(Tensor last, Tensor t, Shape shape) {
        return last != null && last.data() == t.data() && last.shape().equals(shape) ? last : t.reshape(shape);
    }

    @Override
    public Map<String, Object> config() {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("data_format", "channels_last");
        return c;
    }

    static Flatten fromConfig(LayerConfig c) {
        c.channelsLast();
        return new Flatten();
    }
}
