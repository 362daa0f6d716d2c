package dev.fovea.nn;

import java.util.HashMap;
import java.util.Map;

/** Keras's naming: {@code BatchNormalization} → {@code batch_normalization}, then {@code _1}, {@code _2}, … */
final class Names {
    private final Map<String, Integer> counts = new HashMap<>();

    /** Keras's {@code to_snake_case}: {@code MaxPooling2D} → {@code max_pooling2d}. */
    static String snake(String typeName) {
        String s = typeName.replaceAll("(.)([A-Z][a-z]+)", "$1_$2");
        s = s.replaceAll("([a-z])([A-Z])", "$1_$2");
        return s.toLowerCase(java.util.Locale.ROOT);
    }

    /** The next unique name for a type: the first is bare, later ones get {@code _1}, {@code _2}. */
    String next(String typeName) {
        String base = snake(typeName);
        int k = counts.merge(base, 1, Integer::sum) - 1;
        return k == 0 ? base : base + "_" + k;
    }

    /** Reserves a user-given name so generated ones never collide with it. */
    void reserve(String name) {
        int cut = name.lastIndexOf('_');
        if (cut > 0 && name.substring(cut + 1).matches("\\d+")) {
            String base = name.substring(0, cut);
            int k = Integer.parseInt(name.substring(cut + 1));
            counts.merge(base, k + 1, Math::max);
        } else {
            counts.merge(name, 1, Math::max);
        }
    }
}
