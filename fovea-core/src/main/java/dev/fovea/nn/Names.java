package dev.fovea.nn;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

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

    /** Whether the user named {@code layer}; layers of other implementations always count as named. */
    static boolean userNamed(Layer layer) {
        return layer instanceof BaseLayer b ? b.hasName() : !(layer instanceof BaseMerge m) || m.hasName();
    }

    /**
     * The name a model would give the unnamed {@code layer} applied to {@code inputs}: Keras's
     * numbering over the layers before it (the graph upstream of the inputs, in topological
     * order), as {@link Model} numbers them. Exact for chains; in a branching model a layer
     * outside this layer's ancestry may take a number first.
     */
    static String predicted(Layer layer, List<SymbolicTensor> inputs) {
        List<Node> order = new ArrayList<>();
        Set<Node> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        for (SymbolicTensor x : inputs) {
            upstream(x.node(), seen, order);
        }
        Names names = new Names();
        for (Node n : order) {
            if (!n.isInput() && userNamed(n.layer)) {
                names.reserve(n.layer.name());
            }
        }
        for (Node n : order) {
            if (!n.isInput() && !userNamed(n.layer)) {
                names.next(n.layer.typeName());
            }
        }
        return names.next(layer.typeName());
    }

    private static void upstream(Node n, Set<Node> seen, List<Node> order) {
        if (!seen.add(n)) {
            return;
        }
        for (SymbolicTensor in : n.inputs) {
            upstream(in.node(), seen, order);
        }
        order.add(n);
    }
}
