package dev.fovea.nn;

import dev.fovea.FoveaException;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The layer types a model file (or a Keras config) may name, each mapped to its class's own
 * {@code fromConfig}, which reads the keys its {@code config()} writes (see
 * {@link LayerConfig}). Nothing else: adding a layer type is its class and one line here. A
 * nested model's entry holds a whole model config, which {@link ModelConfig} reads itself.
 */
public final class LayerRegistry {
    private static final Map<String, Function<LayerConfig, Layer>> FACTORIES = factories();

    private LayerRegistry() {
    }

    private static Map<String, Function<LayerConfig, Layer>> factories() {
        Map<String, Function<LayerConfig, Layer>> m = new LinkedHashMap<>();
        m.put("Conv2D", Conv2D::fromConfig);
        m.put("Dense", Dense::fromConfig);
        m.put("BatchNormalization", BatchNormalization::fromConfig);
        m.put("MaxPooling2D", MaxPooling2D::fromConfig);
        m.put("AveragePooling2D", AveragePooling2D::fromConfig);
        m.put("GlobalMaxPooling2D", GlobalMaxPooling2D::fromConfig);
        m.put("GlobalAveragePooling2D", GlobalAveragePooling2D::fromConfig);
        m.put("Dropout", Dropout::fromConfig);
        m.put("Flatten", Flatten::fromConfig);
        m.put("Rescaling", Rescaling::fromConfig);
        m.put("Activation", Activation::fromConfig);
        m.put("Add", Add::fromConfig);
        m.put("Concatenate", Concatenate::fromConfig);
        m.put("ZeroPadding2D", ZeroPadding2D::fromConfig);
        m.put("ReLU", ReLU::fromConfig);
        m.put("DepthwiseConv2D", DepthwiseConv2D::fromConfig);
        return Collections.unmodifiableMap(m);
    }

    /**
     * A new layer of {@code type} from its config map (JSON types: Number, String, Boolean, List,
     * Map); {@code where} (the file and the layer's name) prefixes error messages.
     */
    public static Layer create(String type, Map<String, Object> c, String where) {
        Function<LayerConfig, Layer> factory = FACTORIES.get(type);
        if (factory == null) {
            throw new FoveaException(where + ": unknown layer type '" + type + "'; this Fovea knows " + known()
                    + " and nested Functional or Sequential models");
        }
        try {
            LayerConfig config = new LayerConfig(type, c);
            Layer layer = factory.apply(config);
            config.finish();
            return layer;
        } catch (FoveaException e) {
            throw new FoveaException(where + ": " + e.getMessage(), e);
        }
    }

    /** The layer type names, Keras's class names. */
    static List<String> known() {
        return List.copyOf(FACTORIES.keySet());
    }
}
