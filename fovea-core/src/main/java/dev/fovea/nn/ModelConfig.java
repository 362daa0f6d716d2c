package dev.fovea.nn;

import dev.fovea.FoveaException;
import dev.fovea.tensor.Shape;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A model's architecture as plain maps and lists (JSON-ready), and back: what the model file
 * stores so that loading needs no code. The shape follows Keras's {@code get_config()} loosely:
 * {@code {"class_name": "Functional", "name": …, "input_shape": [32, 32, 3], "layers": [{"class_name":
 * "Conv2D", "name": "conv2d", "config": {…}, "inbound": ["input_layer"]}, …], "output": "dense_1"}}.
 * A nested model is a layer entry whose {@code config} is such a map; each other layer's
 * {@code config} is its own {@link Layer#config()}, read back by {@link LayerRegistry}.
 */
public final class ModelConfig {
    /** The class names of a model, which nests in another as a layer. */
    private static final List<String> NESTED = List.of("Functional", "Sequential");

    private ModelConfig() {
    }

    public static Map<String, Object> toConfig(Model model) {
        List<Node> nodes = model.graph().order;
        List<Object> layers = new ArrayList<>();
        for (int i = 1; i < nodes.size(); i++) {
            Node n = nodes.get(i);
            Map<String, Object> l = new LinkedHashMap<>();
            l.put("class_name", n.layer.typeName());
            l.put("name", n.layerName());
            l.put("config", n.layer.config());
            List<String> inbound = new ArrayList<>();
            for (int j : model.graph().inputsOf[i]) {
                inbound.add(nodes.get(j).layerName());
            }
            l.put("inbound", inbound);
            layers.add(l);
        }
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("class_name", model.typeName());
        c.put("name", model.name());
        c.put("input_shape", toList(model.inputShape()));
        c.put("layers", layers);
        c.put("output", nodes.get(nodes.size() - 1).layerName());
        return c;
    }

    private static List<Integer> toList(Shape s) {
        List<Integer> l = new ArrayList<>();
        for (int d : s.dims()) {
            l.add(d);
        }
        return l;
    }

    /**
     * Rebuilds a model from {@link #toConfig} output; weights are freshly initialized (seed 0)
     * until loaded. {@code where} names the source in error messages.
     */
    @SuppressWarnings("unchecked")
    public static Model fromConfig(Map<String, Object> c, String where) {
        try {
            List<Integer> dims = (List<Integer>) req(c, "input_shape", where);
            SymbolicTensor input = Input.of(dims.stream().mapToInt(Integer::intValue).toArray());
            Map<String, SymbolicTensor> outputs = new HashMap<>();
            outputs.put("input_layer", input);
            List<Layer> chain = new ArrayList<>();
            for (Object o : (List<Object>) req(c, "layers", where)) {
                Map<String, Object> l = (Map<String, Object>) o;
                String type = (String) req(l, "class_name", where);
                String layerName = (String) req(l, "name", where);
                Map<String, Object> cfg = (Map<String, Object>) l.getOrDefault("config", Map.of());
                List<String> inbound = (List<String>) req(l, "inbound", where);
                List<SymbolicTensor> args = new ArrayList<>();
                for (String src : inbound) {
                    SymbolicTensor t = outputs.get(src);
                    if (t == null) {
                        throw new FoveaException(where + ": layer '" + layerName + "' reads '" + src
                                + "', which is not defined before it");
                    }
                    args.add(t);
                }
                String at = where + ": layer '" + layerName + "'";
                // A nested model's config is a model config; every other type is a registered layer.
                Layer layer = NESTED.contains(type) ? fromConfig(cfg, at) : LayerRegistry.create(type, cfg, at);
                layer.setName(layerName);
                chain.add(layer);
                outputs.put(layerName, building(where, () -> layer.apply(args.toArray(new SymbolicTensor[0]))));
            }
            String outName = (String) req(c, "output", where);
            SymbolicTensor output = outputs.get(outName);
            if (output == null) {
                throw new FoveaException(where + ": the output layer '" + outName + "' is not defined");
            }
            String name = (String) c.getOrDefault("name", "functional");
            if ("Sequential".equals(c.get("class_name"))) {
                return building(where, () -> Model.sequential(name, input, chain));
            }
            return building(where, () -> Model.of(name, input, output));
        } catch (ClassCastException | NullPointerException e) {
            throw new FoveaException(where + ": the model config is malformed (" + e.getMessage()
                    + "); was the file written by Fovea?", e);
        }
    }

    /** Runs one graph-building step, naming {@code where} in a failure (a layer's messages name only the layer). */
    private static <T> T building(String where, java.util.function.Supplier<T> step) {
        try {
            return step.get();
        } catch (FoveaException e) {
            throw new FoveaException(where + ": the model config does not build: " + e.getMessage(), e);
        }
    }

    private static Object req(Map<String, Object> m, String key, String where) {
        Object v = m.get(key);
        if (v == null) {
            throw new FoveaException(where + ": the model config lacks '" + key + "'; was the file written by Fovea?");
        }
        return v;
    }
}
