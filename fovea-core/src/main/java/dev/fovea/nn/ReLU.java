package dev.fovea.nn;

import dev.fovea.FoveaException;
import dev.fovea.tensor.Rng;
import dev.fovea.tensor.Shape;
import dev.fovea.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Keras {@code ReLU(max_value=None, negative_slope=0, threshold=0)}, element-wise:
 * f(x) = max_value for x ≥ max_value, x for threshold ≤ x < max_value, and
 * negative_slope·(x − threshold) below the threshold. MobileNet's {@code ReLU(6.)} is relu6;
 * Keras's {@code LeakyReLU(alpha)} is {@code ReLU(negative_slope=alpha)} (the Keras import maps
 * it so). The derivative is 0 at and above max_value, 1 between, negative_slope below, as
 * TensorFlow's gradient takes it (the kinks go to the side the comparisons put them). Any shape;
 * no parameters.
 */
public final class ReLU extends BaseLayer {
    /** No upper bound. */
    public static final float NO_MAX = Float.POSITIVE_INFINITY;

    private final float maxValue;
    private final float negativeSlope;
    private final float threshold;
    private Tensor x;
    private Tensor y;
    private Tensor dx;

    public ReLU(float maxValue, float negativeSlope, float threshold) {
        if (!(maxValue > threshold) || !(negativeSlope >= 0) || !Float.isFinite(negativeSlope)
                || !Float.isFinite(threshold)) {
            throw new FoveaException("ReLU: expected max_value > threshold, a finite negative_slope ≥ 0 and a finite"
                    + " threshold, received max_value=" + maxValue + ", negative_slope=" + negativeSlope + ", threshold="
                    + threshold);
        }
        this.maxValue = maxValue;
        this.negativeSlope = negativeSlope;
        this.threshold = threshold;
    }

    /** Keras's {@code ReLU(max_value)}: 6 for relu6, {@link #NO_MAX} for none. */
    public ReLU(float maxValue) {
        this(maxValue, 0f, 0f);
    }

    public float maxValue() {
        return maxValue;
    }

    public float negativeSlope() {
        return negativeSlope;
    }

    public float threshold() {
        return threshold;
    }

    @Override
    public Shape build(Shape in, Rng rng) {
        inputShape = in;
        outputShape = in;
        return in;
    }

    /** y = f(x), x (N, ...) read and kept for the backward pass. */
    @Override
    public Tensor forward(Tensor input, boolean training) {
        checkInput(input);
        x = input;
        y = reuse(y, input.shape());
        float[] a = input.data();
        float[] out = y.data();
        for (int i = 0; i < out.length; i++) {
            float v = a[i];
            out[i] = v >= maxValue ? maxValue : v >= threshold ? v : negativeSlope * (v - threshold);
        }
        return y;
    }

    /** dx = dy·f'(x) with the x of the last forward. */
    @Override
    public Tensor backward(Tensor dy) {
        if (x == null) {
            throw new IllegalStateException(name() + ": backward before forward");
        }
        dx = reuse(dx, dy.shape());
        float[] a = x.data();
        float[] g = dy.data();
        float[] out = dx.data();
        for (int i = 0; i < out.length; i++) {
            float v = a[i];
            out[i] = v >= maxValue ? 0f : v >= threshold ? g[i] : negativeSlope * g[i];
        }
        return dx;
    }

    @Override
    public Map<String, Object> config() {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("max_value", maxValue == NO_MAX ? null : (Object) (double) maxValue);
        c.put("negative_slope", (double) negativeSlope);
        c.put("threshold", (double) threshold);
        return c;
    }

    /** Reads what {@link #config()} writes, which is Keras's: max_value None means no bound. */
    static ReLU fromConfig(LayerConfig c) {
        Object max = c.raw("max_value");
        if (max != null && !(max instanceof Number)) {
            throw c.unsupported("max_value", max, "a number or None");
        }
        return new ReLU(max == null ? NO_MAX : ((Number) max).floatValue(), c.real("negative_slope", 0f),
                c.real("threshold", 0f));
    }
}
