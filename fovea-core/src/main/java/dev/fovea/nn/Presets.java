package dev.fovea.nn;

import static dev.fovea.nn.ActivationFunction.RELU;
import static dev.fovea.nn.ActivationFunction.SOFTMAX;
import static dev.fovea.nn.Padding.SAME;

import dev.fovea.FoveaException;
import java.util.List;

/** Built-in architectures, by name, for {@code --model PRESET}. */
public final class Presets {
    private Presets() {
    }

    public static List<String> names() {
        return List.of("tutorial-cnn");
    }

    /** The preset {@code name} for inputs of {@code (height, width, channels)} and {@code classes} outputs. */
    public static Model create(String name, int height, int width, int channels, int classes) {
        return switch (name) {
            case "tutorial-cnn" -> tutorialCnn(height, width, channels, classes, 0.2f, SOFTMAX);
            default -> throw new FoveaException("unknown model preset '" + name + "'; presets are " + names()
                    + ", or pass a model file (.safetensors)");
        };
    }

    /**
     * The Keras tutorial's CIFAR-10 CNN, line for line:
     * <pre>
     * x = Input(shape=(32, 32, 3))
     * for filters in (32, 64, 128):
     *     x = Conv2D(filters, 3, padding="same", activation="relu")(x); x = BatchNormalization()(x)
     *     x = Conv2D(filters, 3, padding="same", activation="relu")(x); x = BatchNormalization()(x)
     *     x = MaxPooling2D(2)(x)
     * x = Flatten()(x); x = Dropout(0.2)(x)
     * x = Dense(1024, activation="relu")(x); x = Dropout(0.2)(x)
     * x = Dense(10, activation="softmax")(x)
     * </pre>
     * {@code head} is the last layer's activation: softmax in the tutorial, linear for logits.
     */
    public static Model tutorialCnn(int height, int width, int channels, int classes, float dropout,
                                    ActivationFunction head) {
        SymbolicTensor input = Input.of(height, width, channels);
        SymbolicTensor x = input;
        for (int filters : new int[]{32, 64, 128}) {
            x = new Conv2D(filters, 3, SAME, RELU).apply(x);
            x = new BatchNormalization().apply(x);
            x = new Conv2D(filters, 3, SAME, RELU).apply(x);
            x = new BatchNormalization().apply(x);
            x = new MaxPooling2D(2).apply(x);
        }
        x = new Flatten().apply(x);
        x = new Dropout(dropout).apply(x);
        x = new Dense(1024, RELU).apply(x);
        x = new Dropout(dropout).apply(x);
        SymbolicTensor output = new Dense(classes, head).apply(x);
        return Model.of(input, output);
    }
}
