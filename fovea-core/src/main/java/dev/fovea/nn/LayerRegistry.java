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

    /** A new layer (or merge layer) of {@code type}; {@code where} prefixes error messages. */
    public static Object create(String type, Map<String, Object> c, String where) {
        return switch (type) {
            case "Activation" -> new Activation(ActivationFunction.parse(str(c, "activation", "linear")));
            case "Add" -> new Add();
            case "Concatenate" -> new Concatenate(integer(c, "axis", -1));
            default -> throw new FoveaException(where + ": unknown layer type '" + type
                    + "'; this Fovea knows " + known());
        };
    }

    static List<String> known() {
        return List.of("Activation", "Add", "Concatenate");
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
