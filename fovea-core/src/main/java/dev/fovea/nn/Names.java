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

    /**
     * The name a model would give the unnamed {@code layer} applied to {@code x}: Keras's
     * numbering over the layers before it (the graph upstream of {@code x}, in topological
     * order), as {@link Model} numbers them.
     */
    static String predicted(BaseLayer layer, SymbolicTensor x) {
        java.util.List<Node> order = new java.util.ArrayList<>();
        upstream(x.node(), java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>()), order);
        Names names = new Names();
        for (Node n : order) {
            if (n.layer instanceof BaseLayer b && b.hasName()) {
                names.reserve(b.name());
            } else if (n.merge instanceof BaseMerge m && m.hasName()) {
                names.reserve(m.name());
            }
        }
        for (Node n : order) {
            if (n.layer instanceof BaseLayer b && !b.hasName()) {
                names.next(b.typeName());
            } else if (n.merge instanceof BaseMerge m && !m.hasName()) {
                names.next(m.typeName());
            }
        }
        return names.next(layer.typeName());
    }

    private static void upstream(Node n, java.util.Set<Node> seen, java.util.List<Node> order) {
        if (!seen.add(n)) {
            return;
        }
        for (SymbolicTensor in : n.inputs) {
            upstream(in.node(), seen, order);
        }
        order.add(n);
    }
}
