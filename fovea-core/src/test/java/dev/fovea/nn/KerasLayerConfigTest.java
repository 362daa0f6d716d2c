package dev.fovea.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fovea.FoveaException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Layer configs as Keras writes them read the Keras way: keys that change nothing Fovea computes
 * are ignored, Keras options at the value Fovea computes are accepted, and any other value, or
 * an unknown key, is one error naming the layer class, the layer, the option and what is
 * supported. The real configs are those of {@code ../shared/models/sylvain-cifar10-bn.h5}
 * (tf.keras 2.1.6, MIT licence), its {@code model_config} attribute copied to
 * {@code src/test/resources/keras/}; the Keras 3 ones follow {@code get_config} in keras-team/keras
 * ({@code keras/src/layers}).
 */
class KerasLayerConfigTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> realLayers() throws Exception {
        try (InputStream in = KerasLayerConfigTest.class.getResourceAsStream("/keras/sylvain-cifar10-bn.model_config.json")) {
            Map<String, Object> model = JSON.readValue(in, new TypeReference<>() { });
            return (List<Map<String, Object>>) ((Map<String, Object>) model.get("config")).get("layers");
        }
    }

    @SuppressWarnings("unchecked")
    private static Layer create(Map<String, Object> entry) {
        Map<String, Object> c = (Map<String, Object>) entry.get("config");
        return LayerRegistry.create((String) entry.get("class_name"), c, "sylvain: layer '" + c.get("name") + "'");
    }

    /**
     * The real tf.keras model's ten layers read into Fovea layers with their settings, and chain
     * into the model its README describes: the shapes and parameter counts worked out by hand.
     */
    @Test
    void aRealTfKerasModelsLayerConfigsRead() throws Exception {
        List<Layer> layers = new ArrayList<>();
        for (Map<String, Object> entry : realLayers()) {
            layers.add(create(entry));
        }
        Conv2D conv = (Conv2D) layers.get(0);
        assertEquals(List.of(32, 5, 5, 1, 1), List.of(conv.filters(), conv.kernelH(), conv.kernelW(), conv.strideH(),
                conv.strideW()));
        assertEquals(Padding.SAME, conv.padding());
        assertEquals(ActivationFunction.RELU, conv.activation());
        // VarianceScaling(scale 1, fan_avg, uniform) is glorot_uniform, Fovea's default: not written back.
        assertFalse(conv.config().containsKey("kernel_initializer"));
        assertEquals(new PoolWindow(3, 3, 2, 2, Padding.SAME), ((MaxPooling2D) layers.get(1)).window());
        BatchNormalization bn = (BatchNormalization) layers.get(2);
        assertEquals(List.of(0.99f, 0.001f), List.of(bn.momentum(), bn.epsilon()));
        assertEquals(new PoolWindow(3, 3, 2, 2, Padding.VALID), ((AveragePooling2D) layers.get(4)).window());
        Dense dense = (Dense) layers.get(9);
        assertEquals(List.of(10, ActivationFunction.SOFTMAX, true), List.of(dense.units(), dense.activation(),
                dense.useBias()));

        Model m = Model.sequential("sylvain", Input.of(32, 32, 3), layers);
        // 32×32×3 → conv 32 same → pool 3/2 same (16) → BN (axis [3]: the channels) → conv 32 →
        // avg 3/2 valid (7) → BN → conv 64 → avg 3/2 valid (3) → flatten 576 → dense 10.
        assertEquals(List.of(32, 32, 32, 16, 16, 32, 16, 16, 32, 16, 16, 32, 7, 7, 32, 7, 7, 32, 7, 7, 64, 3, 3, 64,
                576, 10), m.layers().stream().flatMap(l -> java.util.Arrays.stream(((BaseLayer) l).outputShape().dims())
                .boxed()).toList());
        assertEquals(5 * 5 * 3 * 32 + 32 + 4 * 32 + 5 * 5 * 32 * 32 + 32 + 4 * 32 + 5 * 5 * 32 * 64 + 64 + 576 * 10 + 10,
                m.params().stream().mapToInt(Param::size).sum());
    }

    /** Keras 3's configs: serialized initializers and dtype policies, and its newer keys at their defaults. */
    @Test
    void keras3ConfigsRead() {
        Map<String, Object> policy = map("module", "keras", "class_name", "DTypePolicy",
                "config", map("name", "float32"), "registered_name", null);
        Map<String, Object> conv = keras3("conv2d_7", policy);
        conv.putAll(map("filters", 8, "kernel_size", List.of(3, 3), "strides", List.of(1, 1), "padding", "valid",
                "data_format", "channels_last", "dilation_rate", List.of(1, 1), "groups", 1, "activation", "relu",
                "use_bias", true, "kernel_initializer", initializer("HeUniform"),
                "bias_initializer", initializer("Zeros"), "kernel_regularizer", null, "bias_regularizer", null,
                "activity_regularizer", null, "kernel_constraint", null, "bias_constraint", null));
        Conv2D c = (Conv2D) LayerRegistry.create("Conv2D", conv, "m.keras: layer 'conv2d_7'");
        assertEquals(List.of(8, 3, 3), List.of(c.filters(), c.kernelH(), c.kernelW()));
        assertEquals("he_uniform", c.config().get("kernel_initializer"));

        Map<String, Object> dense = keras3("dense", "float32");
        dense.putAll(map("units", 3, "activation", "linear", "use_bias", false,
                "kernel_initializer", map("class_name", "VarianceScaling", "config",
                        map("scale", 0.3333333333333333, "mode", "fan_in", "distribution", "uniform", "seed", null)),
                "bias_initializer", "zeros", "kernel_regularizer", null, "bias_regularizer", null,
                "kernel_constraint", null, "bias_constraint", null, "quantization_config", null));
        assertEquals(map("units", 3, "activation", "linear", "use_bias", false, "kernel_initializer", "fan_in_uniform"),
                LayerRegistry.create("Dense", dense, "m.keras: layer 'dense'").config());

        Map<String, Object> bn = keras3("batch_normalization", policy);
        bn.putAll(map("axis", -1, "momentum", 0.9, "epsilon", 1e-5, "center", true, "scale", false,
                "beta_initializer", initializer("Zeros"), "gamma_initializer", initializer("Ones"),
                "moving_mean_initializer", initializer("Zeros"), "moving_variance_initializer", initializer("Ones"),
                "beta_regularizer", null, "gamma_regularizer", null, "beta_constraint", null, "gamma_constraint", null,
                "synchronized", false, "renorm", false, "renorm_clipping", null, "renorm_momentum", 0.99));
        assertEquals(map("axis", -1, "momentum", 0.9f, "epsilon", 1e-5f, "center", true, "scale", false),
                LayerRegistry.create("BatchNormalization", bn, "m.keras: layer 'bn'").config());

        Map<String, Object> drop = keras3("dropout", policy);
        drop.putAll(map("rate", 0.5, "seed", 1337, "noise_shape", null));
        assertEquals(0.5f, ((Dropout) LayerRegistry.create("Dropout", drop, "m.keras")).rate());
        Map<String, Object> gap = keras3("gap", policy);
        gap.putAll(map("data_format", "channels_last", "keepdims", false));
        LayerRegistry.create("GlobalAveragePooling2D", gap, "m.keras");
        Map<String, Object> pool = keras3("pool", policy);
        pool.putAll(map("pool_size", List.of(2, 2), "padding", "valid", "strides", null, "data_format", null));
        assertEquals(new PoolWindow(2, 2, 2, 2, Padding.VALID),
                ((MaxPooling2D) LayerRegistry.create("MaxPooling2D", pool, "m.keras")).window());
    }

    /** What would change the computation and Fovea does not do is one error naming all four things. */
    @Test
    void unsupportedKerasOptionsAreOneClearError() {
        assertRefused("Conv2D", map("filters", 4, "kernel_size", 3, "dilation_rate", List.of(2, 2)),
                "m.keras: layer 'c': Conv2D option dilation_rate = [2, 2] is not supported; Fovea's Conv2D supports"
                        + " dilation_rate 1 only (no dilation)");
        assertRefused("Conv2D", map("filters", 4, "kernel_size", 3, "groups", 2),
                "m.keras: layer 'c': Conv2D option groups = 2 is not supported; Fovea's Conv2D supports groups 1 only"
                        + " (no grouped convolution)");
        assertRefused("Conv2D", map("filters", 4, "kernel_size", 3, "data_format", "channels_first"),
                "m.keras: layer 'c': Conv2D option data_format = 'channels_first' is not supported; Fovea's Conv2D"
                        + " supports data_format 'channels_last' only (NHWC)");
        assertRefused("Dense", map("units", 4, "kernel_regularizer",
                        map("class_name", "L2", "config", map("l2", 0.01))),
                "m.keras: layer 'c': Dense option kernel_regularizer = {class_name=L2, config={l2=0.01}} is not"
                        + " supported; Fovea's Dense supports kernel_regularizer None only (Fovea has no kernel"
                        + " regularizer)");
        assertRefused("Dense", map("units", 4, "kernel_initializer", initializer("HeNormal")),
                "m.keras: layer 'c': Dense option kernel_initializer = {module=keras.initializers, class_name=HeNormal,"
                        + " config={seed=null}, registered_name=null} is not supported; Fovea's Dense supports kernel_initializer"
                        + " glorot_uniform, he_uniform, lecun_uniform or fan_in_uniform (Keras's VarianceScaling with a"
                        + " uniform distribution and scale 1 fan_avg, 2 fan_in, 1 fan_in or 1/3 fan_in)");
        assertRefused("Dense", map("units", 4, "trainable", false),
                "m.keras: layer 'c': Dense option trainable = false is not supported; Fovea's Dense supports"
                        + " trainable true only (a layer frozen in Keras: freeze it in Fovea with --freeze or"
                        + " train.FreezeSchedule)");
        assertRefused("Dense", map("units", 4, "dtype", "mixed_float16"),
                "m.keras: layer 'c': Dense option dtype = 'mixed_float16' is not supported; Fovea's Dense supports"
                        + " dtype float32 only (Fovea computes in float32)");
        assertRefused("BatchNormalization", map("renorm", true),
                "m.keras: layer 'c': BatchNormalization option renorm = true is not supported; Fovea's"
                        + " BatchNormalization supports renorm false only (no batch renormalization)");
        assertRefused("BatchNormalization", map("axis", List.of(1, 2)),
                "m.keras: layer 'c': BatchNormalization option axis = [1, 2] is not supported; Fovea's"
                        + " BatchNormalization supports axis -1 only (the last axis; or its index counting the batch"
                        + " axis, 3 for images)");
        assertRefused("GlobalMaxPooling2D", map("keepdims", true),
                "m.keras: layer 'c': GlobalMaxPooling2D option keepdims = true is not supported; Fovea's"
                        + " GlobalMaxPooling2D supports keepdims false only (the output is (N, C))");
        assertRefused("Dropout", map("rate", 0.5, "noise_shape", List.of(1, 1, 1, 8)),
                "m.keras: layer 'c': Dropout option noise_shape = [1, 1, 1, 8] is not supported; Fovea's Dropout"
                        + " supports noise_shape None only (Fovea has no noise shape)");
        // A key neither Keras nor Fovea writes: Keras's from_config refuses it too.
        assertRefused("Dense", map("units", 4, "use_bais", false),
                "m.keras: layer 'c': Dense has no option use_bais (received false); Fovea's Dense reads units,"
                        + " activation, use_bias, kernel_initializer");
    }

    /** Keras 2 writes BatchNormalization's axis as the list [3]: the channels of an image, checked when built. */
    @Test
    void batchNormalizationsAxisIsCheckedAgainstTheInputWhenBuilt() {
        Layer ok = LayerRegistry.create("BatchNormalization", map("axis", List.of(3)), "m.h5: layer 'bn'");
        ok.build(List.of(dev.fovea.tensor.Shape.of(4, 4, 2)), new dev.fovea.tensor.Rng(0));
        Layer dense = LayerRegistry.create("BatchNormalization", map("axis", 1), "m.h5: layer 'bn'");
        dense.build(List.of(dev.fovea.tensor.Shape.of(7)), new dev.fovea.tensor.Rng(0));
        Layer wrong = LayerRegistry.create("BatchNormalization", map("axis", List.of(1)), "m.h5: layer 'bn'");
        wrong.setName("bn");
        FoveaException e = assertThrows(FoveaException.class,
                () -> wrong.build(List.of(dev.fovea.tensor.Shape.of(4, 4, 2)), new dev.fovea.tensor.Rng(0)));
        assertEquals("bn: axis 1 of input (None, 4, 4, 2) is not its last axis; Fovea's BatchNormalization normalizes"
                + " over the last axis only (axis -1, or 3 here)", e.getMessage());
    }

    private static void assertRefused(String type, Map<String, Object> config, String message) {
        FoveaException e = assertThrows(FoveaException.class, () -> LayerRegistry.create(type, config, "m.keras: layer 'c'"));
        assertEquals(message, e.getMessage());
    }

    /** A Keras 3 layer config's common keys. */
    private static Map<String, Object> keras3(String name, Object dtype) {
        return map("name", name, "trainable", true, "dtype", dtype);
    }

    /** Keras 3's serialized built-in initializer. */
    private static Map<String, Object> initializer(String className) {
        return map("module", "keras.initializers", "class_name", className, "config", map("seed", null),
                "registered_name", null);
    }

    private static Map<String, Object> map(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }
}
