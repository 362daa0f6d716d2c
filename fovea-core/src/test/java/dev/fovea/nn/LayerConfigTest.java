package dev.fovea.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fovea.FoveaException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Config records: Keras's defaults, copies per option, and the model-file keys they map to. */
class LayerConfigTest {
    @Test
    void conv2dConfigStartsFromKerasDefaultsAndCopiesPerOption() {
        Conv2D.Config base = Conv2D.Config.of(64, 3);
        assertEquals(new Conv2D.Config(64, 3, 3, 1, 1, Padding.VALID, ActivationFunction.LINEAR, true, KernelInitializer.GLOROT_UNIFORM), base);
        Conv2D.Config c = base.strides(2).padding(Padding.SAME).useBias(false).kernelSize(3, 5);
        assertEquals(new Conv2D.Config(64, 3, 5, 2, 2, Padding.SAME, ActivationFunction.LINEAR, false, KernelInitializer.GLOROT_UNIFORM), c);
        assertEquals(Conv2D.Config.of(64, 3), base, "options return copies");
        assertEquals(ActivationFunction.LINEAR, base.activation(null).activation(), "None is linear, as in Keras");
    }

    @Test
    void modelFileKeysAreKerasNames() {
        Conv2D conv = new Conv2D(Conv2D.Config.of(4, 3).kernelSize(3, 2).strides(2, 1).padding(Padding.SAME)
                .activation(ActivationFunction.RELU).useBias(false));
        assertEquals(map("filters", 4, "kernel_size", List.of(3, 2), "strides", List.of(2, 1), "padding", "same",
                "activation", "relu", "use_bias", false), conv.config());
        assertEquals(map("units", 7, "activation", "softmax", "use_bias", false),
                new Dense(Dense.Config.of(7).activation(ActivationFunction.SOFTMAX).useBias(false)).config());
        assertEquals(map("axis", -1, "momentum", 0.9f, "epsilon", 1e-5f, "center", false, "scale", true),
                new BatchNormalization(BatchNormalization.Config.defaults().momentum(0.9f).epsilon(1e-5f)
                        .center(false)).config());
        assertEquals(map("pool_size", List.of(3, 2), "strides", List.of(2, 2), "padding", "same",
                "data_format", "channels_last"),
                new MaxPooling2D(PoolWindow.of(3, 2).strides(2).padding(Padding.SAME)).config());
        assertEquals(map("pool_size", List.of(2, 2), "strides", List.of(2, 2), "padding", "valid",
                "data_format", "channels_last"), new AveragePooling2D(2).config());
    }

    /** A config map as model files written before the config records hold it (JSON types). */
    @Test
    void configsWrittenBeforeStillLoad() {
        Layer conv = LayerRegistry.create("Conv2D", map("filters", 4, "kernel_size", List.of(3, 5),
                "strides", List.of(2, 1), "padding", "same", "activation", "relu", "use_bias", false), "file");
        Conv2D c = (Conv2D) conv;
        assertEquals(List.of(4, 3, 5, 2, 1), List.of(c.filters(), c.kernelH(), c.kernelW(), c.strideH(), c.strideW()));
        assertEquals(Padding.SAME, c.padding());
        assertEquals(ActivationFunction.RELU, c.activation());
        assertEquals(false, c.useBias());
        MaxPooling2D pool = (MaxPooling2D) LayerRegistry.create("MaxPooling2D", map("pool_size", List.of(3, 3),
                "strides", List.of(2, 2), "padding", "valid", "data_format", "channels_last"), "file");
        assertEquals(new PoolWindow(3, 3, 2, 2, Padding.VALID), pool.window());
        BatchNormalization bn = (BatchNormalization) LayerRegistry.create("BatchNormalization",
                map("axis", -1, "momentum", 0.9, "epsilon", 0.001, "center", true, "scale", false), "file");
        assertEquals(0.9f, bn.momentum());
        assertEquals(false, bn.config().get("scale"));
        Dense d = (Dense) LayerRegistry.create("Dense", map("units", 3), "file");
        assertEquals(List.of(3, ActivationFunction.LINEAR, true), List.of(d.units(), d.activation(), d.useBias()));
    }

    @Test
    void badValuesAreUserErrorsNamingTheFileAndTheValue() {
        FoveaException e = assertThrows(FoveaException.class, () -> LayerRegistry.create("Conv2D",
                map("filters", 0, "kernel_size", 3), "model.safetensors: layer 'conv2d'"));
        assertTrue(e.getMessage().startsWith("model.safetensors: layer 'conv2d': Conv2D: filters, kernel_size and "
                + "strides must be positive, received filters=0"), e.getMessage());
        e = assertThrows(FoveaException.class, () -> LayerRegistry.create("Dense",
                map("units", 2, "activation", "swish"), "m: layer 'dense'"));
        assertEquals("m: layer 'dense': Dense option activation = 'swish' is not supported; Fovea's Dense supports"
                + " activation linear, relu, sigmoid, tanh, gelu or softmax", e.getMessage());
        e = assertThrows(FoveaException.class, () -> LayerRegistry.create("Conv3D", map(), "m: layer 'c'"));
        assertTrue(e.getMessage().startsWith("m: layer 'c': unknown layer type 'Conv3D'; this Fovea knows [Conv2D,"),
                e.getMessage());
        e = assertThrows(FoveaException.class, () -> PoolWindow.of(2).strides(0));
        assertTrue(e.getMessage().contains("strides=(0, 0)"), e.getMessage());
    }

    private static Map<String, Object> map(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }
}
