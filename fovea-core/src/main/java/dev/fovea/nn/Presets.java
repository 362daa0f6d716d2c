package dev.fovea.nn;

import static dev.fovea.nn.ActivationFunction.GELU;
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
        return List.of("tutorial-cnn", "fast", "fast-small");
    }

    /** The preset {@code name} for inputs of {@code (height, width, channels)} and {@code classes} outputs. */
    public static Model create(String name, int height, int width, int channels, int classes) {
        return switch (name) {
            case "tutorial-cnn" -> tutorialCnn(height, width, channels, classes, 0.2f, SOFTMAX);
            case "fast" -> fast(height, width, channels, classes, 64, 256, 256);
            case "fast-small" -> fast(height, width, channels, classes, 64, 128, 128);
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

    /** Names the fast preset's whitening conv carries, so a recipe can find it. */
    public static final String WHITEN = "whiten";

    /**
     * airbench94's network (Keller Jordan, 2024; ../shared/RECIPES.md), for inputs normalized per
     * channel. Outputs logits (no softmax):
     * <pre>
     * x = Conv2D(2·2·2·C, 2, bias, name="whiten")(x)       # 32 → 31, weights set from data
     * x = Activation("gelu")(x)
     * for w in widths:                                      # 64, 256, 256 (fast-small: 64, 128, 128)
     *     x = Conv2D(w, 3, padding="same", use_bias=False)(x)
     *     x = MaxPooling2D(2)(x)                            # floor: 31 → 15 → 7 → 3
     *     x = BatchNormalization(momentum=0.6, epsilon=1e-12, scale=False)(x); x = Activation("gelu")(x)
     *     x = Conv2D(w, 3, padding="same", use_bias=False)(x)
     *     x = BatchNormalization(momentum=0.6, epsilon=1e-12, scale=False)(x); x = Activation("gelu")(x)
     * x = MaxPooling2D(3)(x); x = Flatten()(x)
     * x = Dense(classes, use_bias=False)(x); x = Rescaling(1/9)(x)
     * </pre>
     * Keras's BN momentum 0.6 is PyTorch's 0.4 (airbench's running-stat weight). The
     * kernels start from PyTorch's default (fan-in uniform) as airbench's do; the initialization
     * the recipe adds from the data (whitening) and the identity (dirac) is not done here:
     * it belongs to the training recipe, which has the data.
     */
    public static Model fast(int height, int width, int channels, int classes, int... widths) {
        if (widths.length == 0) {
            throw new FoveaException("fast preset: give at least one block width, e.g. 64, 256, 256");
        }
        SymbolicTensor input = Input.of(height, width, channels);
        KernelInitializer fanIn = KernelInitializer.FAN_IN_UNIFORM;
        Conv2D whiten = new Conv2D(Conv2D.Config.of(2 * 2 * 2 * channels, 2).kernelInitializer(fanIn));
        whiten.setName(WHITEN);
        SymbolicTensor x = whiten.apply(input);
        x = new Activation(GELU).apply(x);
        BatchNormalization.Config bn = BatchNormalization.Config.defaults().momentum(0.6f).epsilon(1e-12f).scale(false);
        for (int w : widths) {
            x = new Conv2D(Conv2D.Config.of(w, 3).padding(SAME).useBias(false).kernelInitializer(fanIn)).apply(x);
            x = new MaxPooling2D(2).apply(x);
            x = new BatchNormalization(bn).apply(x);
            x = new Activation(GELU).apply(x);
            x = new Conv2D(Conv2D.Config.of(w, 3).padding(SAME).useBias(false).kernelInitializer(fanIn)).apply(x);
            x = new BatchNormalization(bn).apply(x);
            x = new Activation(GELU).apply(x);
        }
        x = new MaxPooling2D(3).apply(x);
        x = new Flatten().apply(x);
        x = new Dense(Dense.Config.of(classes).useBias(false).kernelInitializer(fanIn)).apply(x);
        SymbolicTensor output = new Rescaling(1f / 9f).apply(x);
        return Model.of(input, output);
    }
}
