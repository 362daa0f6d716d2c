package dev.fovea.nn;

import dev.fovea.kernel.Activations;
import dev.fovea.kernel.SoftmaxCrossEntropy;
import dev.fovea.tensor.Rng;
import dev.fovea.tensor.Shape;
import dev.fovea.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Keras {@code Activation}: applies one {@link ActivationFunction} element-wise (softmax over
 * the last axis). Conv2D and Dense use it internally for their {@code activation} argument.
 */
public final class Activation extends BaseLayer {
    private final ActivationFunction function;
    private Tensor x;
    private Tensor y;
    private Tensor dx;

    public Activation(ActivationFunction function) {
        this.function = function;
    }

    public ActivationFunction function() {
        return function;
    }

    @Override
    public Shape build(Shape in, Rng rng) {
        inputShape = in;
        outputShape = in;
        return in;
    }

    @Override
    public Tensor forward(Tensor input, boolean training) {
        checkInput(input);
        x = input;
        y = reuse(y, input.shape());
        apply(function, input.data(), y.data(), input.shape());
        return y;
    }

    /** y = f(x) for a whole tensor of {@code shape}; softmax runs over the last axis. */
    static void apply(ActivationFunction f, float[] x, float[] y, Shape shape) {
        int n = shape.size();
        switch (f) {
            case LINEAR -> System.arraycopy(x, 0, y, 0, n);
            case RELU -> Activations.relu(x, y, n);
            case SIGMOID -> Activations.sigmoid(x, y, n);
            case TANH -> Activations.tanh(x, y, n);
            case GELU -> Activations.gelu(x, y, n);
            case SOFTMAX -> {
                int cols = shape.dim(-1);
                SoftmaxCrossEntropy.softmax(x, y, n / cols, cols);
            }
        }
    }

    /** dx from x, y = f(x) and dy; dx written (may alias dy for every function but GELU/softmax). */
    static void applyBackward(ActivationFunction f, float[] x, float[] y, float[] dy, float[] dx, Shape shape) {
        int n = shape.size();
        switch (f) {
            case LINEAR -> System.arraycopy(dy, 0, dx, 0, n);
            case RELU -> Activations.reluBackward(y, dy, dx, n);
            case SIGMOID -> Activations.sigmoidBackward(y, dy, dx, n);
            case TANH -> Activations.tanhBackward(y, dy, dx, n);
            case GELU -> Activations.geluBackward(x, dy, dx, n);
            case SOFTMAX -> {
                int cols = shape.dim(-1);
                SoftmaxCrossEntropy.softmaxBackward(y, dy, dx, n / cols, cols);
            }
        }
    }

    @Override
    public Tensor backward(Tensor dy) {
        dx = reuse(dx, dy.shape());
        applyBackward(function, x.data(), y.data(), dy.data(), dx.data(), dy.shape());
        return dx;
    }

    @Override
    public Map<String, Object> config() {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("activation", function.keras());
        return c;
    }

    static Activation fromConfig(LayerConfig c) {
        return new Activation(c.activation());
    }
}
