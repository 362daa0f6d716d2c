package dev.fovea.nn;

import dev.fovea.FoveaException;
import dev.fovea.tensor.Rng;
import dev.fovea.tensor.Shape;
import dev.fovea.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Keras {@code Rescaling(scale, offset=0.0)}: y = x·scale + offset element-wise, no parameters.
 * The fast preset's head multiplies its logits by 1/9 with it (airbench's
 * {@code scaling_factor}), which sharpens nothing at inference but sets the loss's temperature
 * during training. Keras applies it to images ({@code 1/255}); here it takes any shape.
 */
public final class Rescaling extends BaseLayer {
    private final float scale;
    private final float offset;
    private Tensor y;
    private Tensor dx;

    public Rescaling(float scale) {
        this(scale, 0f);
    }

    public Rescaling(float scale, float offset) {
        if (!Float.isFinite(scale) || !Float.isFinite(offset)) {
            throw new FoveaException("Rescaling: scale and offset must be finite, received scale=" + scale
                    + ", offset=" + offset);
        }
        this.scale = scale;
        this.offset = offset;
    }

    public float scale() {
        return scale;
    }

    public float offset() {
        return offset;
    }

    @Override
    public Shape build(Shape in, Rng rng) {
        inputShape = in;
        outputShape = in;
        return in;
    }

    /** y (N, ...) = x·scale + offset; x (N, ...) read. */
    @Override
    public Tensor forward(Tensor input, boolean training) {
        checkInput(input);
        y = reuse(y, input.shape());
        float[] x = input.data();
        float[] out = y.data();
        for (int i = 0; i < out.length; i++) {
            out[i] = x[i] * scale + offset;
        }
        return y;
    }

    /** dx = dy·scale. */
    @Override
    public Tensor backward(Tensor dy) {
        dx = reuse(dx, dy.shape());
        float[] g = dy.data();
        float[] out = dx.data();
        for (int i = 0; i < out.length; i++) {
            out[i] = g[i] * scale;
        }
        return dx;
    }

    @Override
    public Map<String, Object> config() {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("scale", (double) scale);
        c.put("offset", (double) offset);
        return c;
    }

    /** Reads what {@link #config()} writes, and Keras's: one scale and offset for every channel. */
    static Rescaling fromConfig(LayerConfig c) {
        return new Rescaling(c.real("scale", 1f), c.real("offset", 0f));
    }
}
