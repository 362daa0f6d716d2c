package dev.fovea.nn;

import dev.fovea.FoveaException;
import java.util.List;
import java.util.Map;

/**
 * Creates layers from their Keras class name and {@code config()} map, so model files rebuild
 * without code. Every layer type of this package is listed here; config values arrive as JSON
 * types (Integer/Double/String/Boolean/List).
 */
public final class LayerRegistry {
    private LayerRegistry() {
    }

    /** A new layer of {@code type}; {@code where} prefixes error messages. */
    public static Layer create(String type, Map<String, Object> c, String where) {
        if (!known().contains(type)) {
            throw new FoveaException(where + ": unknown layer type '" + type + "'; this Fovea knows " + known());
        }
        try {
            return createUnchecked(type, c);
        } catch (ClassCastException | NullPointerException e) {
            throw new FoveaException(where + ": config " + c + " of " + type + " is malformed (" + e.getMessage() + ")", e);
        } catch (FoveaException e) {
            throw new FoveaException(where + ": " + e.getMessage(), e);
        }
    }

    private static Layer createUnchecked(String type, Map<String, Object> c) {
        return switch (type) {
            case "Conv2D" -> {
                int[] k = pair(c, "kernel_size", null);
                int[] s = pair(c, "strides", new int[]{1, 1});
                yield new Conv2D(Conv2D.Config.of(integer(c, "filters", 0), k[0]).kernelSize(k[0], k[1])
                        .strides(s[0], s[1]).padding(Padding.parse(str(c, "padding", "valid")))
                        .activation(ActivationFunction.parse(str(c, "activation", "linear")))
                        .useBias(bool(c, "use_bias", true))
                        .kernelInitializer(KernelInitializer.parse(str(c, "kernel_initializer", "glorot_uniform"))));
            }
            case "Dense" -> new Dense(Dense.Config.of(integer(c, "units", 0))
                    .activation(ActivationFunction.parse(str(c, "activation", "linear"))).useBias(bool(c, "use_bias", true))
                    .kernelInitializer(KernelInitializer.parse(str(c, "kernel_initializer", "glorot_uniform"))));
            case "BatchNormalization" -> new BatchNormalization(new BatchNormalization.Config(real(c, "momentum", 0.99f),
                    real(c, "epsilon", 1e-3f), bool(c, "center", true), bool(c, "scale", true)));
            case "MaxPooling2D", "AveragePooling2D" -> {
                int[] p = pair(c, "pool_size", new int[]{2, 2});
                int[] s = pair(c, "strides", p);
                PoolWindow w = PoolWindow.of(p[0], p[1]).strides(s[0], s[1])
                        .padding(Padding.parse(str(c, "padding", "valid")));
                yield type.equals("MaxPooling2D") ? new MaxPooling2D(w) : new AveragePooling2D(w);
            }
            case "GlobalMaxPooling2D" -> new GlobalMaxPooling2D();
            case "GlobalAveragePooling2D" -> new GlobalAveragePooling2D();
            case "Dropout" -> new Dropout(real(c, "rate", 0f));
            case "Flatten" -> new Flatten();
            case "Rescaling" -> new Rescaling(real(c, "scale", 1f), real(c, "offset", 0f));
            case "Activation" -> new Activation(ActivationFunction.parse(str(c, "activation", "linear")));
            case "Add" -> new Add();
            case "Concatenate" -> new Concatenate(integer(c, "axis", -1));
            default -> throw new IllegalStateException("LayerRegistry.known() lists " + type + " but create lacks it");
        };
    }

    static List<String> known() {
        return List.of("Conv2D", "Dense", "BatchNormalization", "MaxPooling2D", "AveragePooling2D",
                "GlobalMaxPooling2D", "GlobalAveragePooling2D", "Dropout", "Flatten", "Rescaling", "Activation", "Add", "Concatenate");
    }

    static String str(Map<String, Object> c, String key, String dflt) {
        Object v = c.get(key);
        return v == null ? dflt : v.toString();
    }

    static int integer(Map<String, Object> c, String key, int dflt) {
        Object v = c.get(key);
        return v == null ? dflt : ((Number) v).intValue();
    }

    static float real(Map<String, Object> c, String key, float dflt) {
        Object v = c.get(key);
        return v == null ? dflt : ((Number) v).floatValue();
    }

    static boolean bool(Map<String, Object> c, String key, boolean dflt) {
        Object v = c.get(key);
        return v == null ? dflt : (Boolean) v;
    }

    /** A Keras pair such as {@code kernel_size}: a number or a two-element list. */
    @SuppressWarnings("unchecked")
    static int[] pair(Map<String, Object> c, String key, int[] dflt) {
        Object v = c.get(key);
        if (v == null) {
            return dflt;
        }
        if (v instanceof Number n) {
            return new int[]{n.intValue(), n.intValue()};
        }
        List<Number> l = (List<Number>) v;
        return new int[]{l.get(0).intValue(), l.get(l.size() - 1).intValue()};
    }
}
