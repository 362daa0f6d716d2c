package dev.fovea.interop.keras;

import dev.fovea.FoveaException;
import dev.fovea.nn.Input;
import dev.fovea.nn.Layer;
import dev.fovea.nn.LayerRegistry;
import dev.fovea.nn.Model;
import dev.fovea.nn.SymbolicTensor;
import dev.fovea.tensor.Shape;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A Keras model config (the JSON of {@code model.to_json()}, {@code config.json} in a
 * {@code .keras} zip, the {@code model_config} attribute of a legacy {@code .h5}) built into a
 * Fovea {@link Model} with fresh weights. Keras's layer configs are read by Fovea's own layer
 * readers ({@link LayerRegistry}: Keras's keys, Keras's defaults, one error naming the layer,
 * its class, the option and what is supported); this class only reads what lies around them:
 * <ul>
 * <li>Sequential, in its three spellings: Keras 2.0–2.2's bare list of layers, the later
 *     {@code {"name", "layers"}}, and Keras 3's, whose list opens with an {@code InputLayer};
 *     the input shape comes from that InputLayer or the first layer's {@code batch_input_shape},
 *     or, for a nested model without one, from the tensor it is called on;</li>
 * <li>Functional ({@code Model} before tf.keras 2.4, {@code Functional} after): layers with their
 *     {@code inbound_nodes}, in Keras 2's nested lists {@code [[["conv2d", 0, 0, {}]]]} or
 *     Keras 3's {@code [{"args": [keras tensors], "kwargs": {}}]}, one input and one output;</li>
 * <li>nested models (a Sequential or Functional entry in another's layers), recursively;</li>
 * <li>Keras's aliases: {@code MaxPool2D}, {@code AvgPool2D}, {@code GlobalAvgPool2D},
 *     {@code GlobalMaxPool2D}; {@code LeakyReLU(alpha)} is {@code ReLU(negative_slope=alpha)},
 *     {@code Softmax} (last axis) an {@code Activation}; {@code SeparableConv2D} becomes a
 *     {@code DepthwiseConv2D} and a 1×1 {@code Conv2D} (see {@link #separable});
 *     {@code SpatialDropout2D} becomes {@link dev.fovea.nn.Dropout} of
 *     the same rate (the same at inference; when fine-tuning it drops single values rather than
 *     whole channels); a positive {@code Concatenate} axis counts the batch axis in Keras.</li>
 * </ul>
 * What only training reads is dropped and counted ({@link Built#ignored}): initializers,
 * regularizers, constraints, {@code trainable} and a mixed-precision dtype policy (float32
 * variables either way). A layer called more than once (a shared
 * layer), several inputs or outputs, and a layer with several outputs are refused: Fovea's graph
 * runs each layer once on one input. Not thread-safe.
 */
final class KerasGraph {
    /** Keras class names of a model, which may nest in another as a layer. */
    private static final List<String> MODELS = List.of("Sequential", "Functional", "Model");
    private static final Map<String, String> ALIASES = Map.of(
            "MaxPool2D", "MaxPooling2D",
            "AvgPool2D", "AveragePooling2D",
            "GlobalAvgPool2D", "GlobalAveragePooling2D",
            "GlobalMaxPool2D", "GlobalMaxPooling2D",
            "SpatialDropout2D", "Dropout");

    /** The file, prefixing every message. */
    private final String where;
    /** Each Keras SeparableConv2D's name and the two Fovea layers holding its weights, in Keras's order. */
    private final Map<String, List<Layer>> separables = new LinkedHashMap<>();

    /**
     * Training-only settings dropped from the layer configs, by key, with how many layers had
     * one: the weights are the file's, so an initializer, regularizer, constraint or a layer
     * frozen in Keras does not change what the model computes.
     */
    private final Map<String, Integer> ignored = new java.util.TreeMap<>();

    /**
     * A built model, the Keras layers whose weights lie in several Fovea layers, and the
     * training-only settings dropped ({@link #ignored}).
     */
    record Built(Model model, Map<String, List<Layer>> split, Map<String, Integer> ignored) {
    }

    private KerasGraph(String where) {
        this.where = where;
    }

    /** Builds the model of a top-level config ({@code {"class_name": "Sequential", "config": …}}). */
    static Model build(Map<String, Object> top, String where) {
        return read(top, where).model();
    }

    /** As {@link #build}, with the layers a Keras layer was split into (SeparableConv2D). */
    static Built read(Map<String, Object> top, String where) {
        KerasGraph g = new KerasGraph(where);
        Model m = g.model(g.string(top, "class_name", "the model config"), top.get("config"), null, "the model");
        return new Built(m, Map.copyOf(g.separables), java.util.Collections.unmodifiableMap(g.ignored));
    }

    /**
     * One model. {@code outer} is the shape of the tensor a nested model is called on (null at
     * the top); {@code what} names it in messages.
     */
    private Model model(String className, Object config, Shape outer, String what) {
        if ("Sequential".equals(className)) {
            return sequential(config, outer, what);
        }
        if ("Functional".equals(className) || "Model".equals(className)) {
            return functional(map(config, what), outer, what);
        }
        throw new FoveaException(where + ": " + what + " is a Keras " + className + "; Fovea imports Sequential and"
                + " Functional models (a subclassed model has no config to read: save it as a Functional model)");
    }

    private Model sequential(Object config, Shape outer, String what) {
        // Keras 2.0–2.2 wrote a Sequential's config as the bare list of its layers.
        List<Object> entries = config instanceof List<?> l ? list(l, what)
                : list(map(config, what).get("layers"), what + "'s layers");
        String name = config instanceof Map<?, ?> m && m.get("name") instanceof String s ? s : "sequential";
        Shape shape = null;
        List<Map<String, Object>> layers = new ArrayList<>();
        for (Object o : entries) {
            Map<String, Object> entry = map(o, what + "'s layer");
            if ("InputLayer".equals(entry.get("class_name"))) {
                shape = inputShape(map(entry.get("config"), "InputLayer"), "InputLayer");
            } else {
                layers.add(entry);
            }
        }
        if (shape == null && !layers.isEmpty() && layers.get(0).get("config") instanceof Map<?, ?> first) {
            shape = declaredShape(cast(first));
        }
        if (shape == null && config instanceof Map<?, ?> m && m.get("build_input_shape") != null) {
            // A Sequential built with model.build(input_shape) rather than an Input.
            shape = declaredShape(Map.of("batch_shape", m.get("build_input_shape")));
        }
        shape = inputOf(shape, outer, name);
        SymbolicTensor input = Input.of(shape);
        SymbolicTensor x = input;
        List<Layer> chain = new ArrayList<>();
        for (Map<String, Object> entry : layers) {
            for (Layer layer : layers(entry, x.shape())) {
                chain.add(layer);
                SymbolicTensor in = x;
                x = building(layer.name(), () -> layer.apply(in));
            }
        }
        return building(name, () -> Model.sequential(name, input, chain));
    }

    private Model functional(Map<String, Object> config, Shape outer, String what) {
        String name = config.get("name") instanceof String s ? s : "functional";
        List<Object> inputs = tensorList(config.get("input_layers"), name + "'s input_layers");
        List<Object> outputs = tensorList(config.get("output_layers"), name + "'s output_layers");
        if (inputs.size() != 1 || outputs.size() != 1) {
            throw new FoveaException(where + ": model '" + name + "' has " + inputs.size() + " input(s) and "
                    + outputs.size() + " output(s) (" + inputs + " → " + outputs + "); Fovea models have one input"
                    + " and one output");
        }
        String inputName = tensorLayer(inputs.get(0), name);
        String outputName = tensorLayer(outputs.get(0), name);
        Map<String, SymbolicTensor> tensors = new LinkedHashMap<>();
        SymbolicTensor input = null;
        List<Map<String, Object>> pending = new ArrayList<>();
        for (Object o : list(config.get("layers"), name + "'s layers")) {
            Map<String, Object> entry = map(o, name + "'s layer");
            if ("InputLayer".equals(entry.get("class_name"))) {
                String n = layerName(entry);
                if (!n.equals(inputName)) {
                    throw new FoveaException(where + ": model '" + name + "' has a second input '" + n
                            + "'; Fovea models have one input");
                }
                input = Input.of(inputOf(inputShape(map(entry.get("config"), "InputLayer"), "InputLayer '" + n + "'"),
                        outer, name));
                tensors.put(n, input);
            } else {
                pending.add(entry);
            }
        }
        if (input == null) {
            throw new FoveaException(where + ": model '" + name + "' lists no InputLayer '" + inputName
                    + "'; the model config is incomplete");
        }
        // Keras lists layers in the order they were created, which is not always an order their
        // inputs are ready in: take each layer once its inputs are, until none is left.
        while (!pending.isEmpty()) {
            boolean progress = false;
            for (var it = pending.iterator(); it.hasNext(); ) {
                Map<String, Object> entry = it.next();
                List<String> inbound = inbound(entry);
                if (!tensors.keySet().containsAll(inbound)) {
                    continue;
                }
                List<SymbolicTensor> args = inbound.stream().map(tensors::get).toList();
                SymbolicTensor[] in = args.toArray(new SymbolicTensor[0]);
                for (Layer layer : layers(entry, args.get(0).shape())) {
                    SymbolicTensor[] now = in;
                    in = new SymbolicTensor[]{building(layer.name(), () -> layer.apply(now))};
                }
                tensors.put(layerName(entry), in[0]);
                it.remove();
                progress = true;
            }
            if (!progress) {
                Map<String, Object> stuck = pending.get(0);
                List<String> missing = new ArrayList<>(inbound(stuck));
                missing.removeAll(tensors.keySet());
                throw new FoveaException(where + ": layer '" + layerName(stuck) + "' of model '" + name + "' reads "
                        + missing + ", which no layer of the model produces; the model config is inconsistent");
            }
        }
        SymbolicTensor output = tensors.get(outputName);
        if (output == null) {
            throw new FoveaException(where + ": model '" + name + "' names output '" + outputName
                    + "', which is not one of its layers");
        }
        SymbolicTensor in = input;
        return building(name, () -> Model.of(name, in, output));
    }

    /** One layer entry as a Fovea layer (a nested model when it is one), named as in Keras. */
    private List<Layer> layers(Map<String, Object> entry, Shape in) {
        String type = string(entry, "class_name", "a layer entry");
        if ("SeparableConv2D".equals(type)) {
            return separable(entry);
        }
        return List.of(layer(entry, in));
    }

    /** One Keras layer entry as one Fovea layer (a nested model when it is one), named as in Keras. */
    private Layer layer(Map<String, Object> entry, Shape in) {
        String type = string(entry, "class_name", "a layer entry");
        Object config = entry.get("config");
        String name = layerName(entry);
        Layer layer;
        if (MODELS.contains(type)) {
            layer = model(type, config, in, "nested model '" + name + "'");
        } else {
            Map<String, Object> c = trainingOnlyDropped(map(config, "layer '" + name + "'"));
            String at = where + ": layer '" + name + "'";
            if ("LeakyReLU".equals(type)) {
                // Keras 2 calls the slope alpha, Keras 3 negative_slope; both default to 0.3.
                Object slope = c.containsKey("negative_slope") ? c.remove("negative_slope") : c.remove("alpha");
                c.put("negative_slope", slope == null ? 0.3 : slope);
                c.put("max_value", null);
                type = "ReLU";
            } else if ("Softmax".equals(type)) {
                Object axis = c.remove("axis");
                if (axis != null && !(axis instanceof Number a && a.intValue() == -1)) {
                    throw new FoveaException(at + ": Softmax option axis = " + axis + " is not supported; Fovea's"
                            + " softmax supports axis -1 only (the last axis)");
                }
                c.put("activation", "softmax");
                type = "Activation";
            }
            if ("SpatialDropout2D".equals(type)) {
                Object format = c.remove("data_format");
                if (format != null && !"channels_last".equals(format)) {
                    throw new FoveaException(at + ": SpatialDropout2D option data_format = '" + format + "' is not"
                            + " supported; Fovea supports data_format 'channels_last' only (NHWC)");
                }
            }
            if ("Concatenate".equals(type) && c.get("axis") instanceof Number a && a.intValue() > 0) {
                c.put("axis", a.intValue() - 1);
            }
            String fovea = ALIASES.getOrDefault(type, type);
            String keras = string(entry, "class_name", "a layer entry");
            layer = LayerRegistry.create(fovea, c, fovea.equals(keras) ? at : at + " (Keras " + keras + ")");
        }
        layer.setName(name);
        return layer;
    }

    /**
     * Keras's SeparableConv2D as the two layers it computes: a {@code DepthwiseConv2D} named
     * {@code <name>_depthwise} (no bias, linear) and a 1×1 {@code Conv2D} named {@code <name>} with
     * the filters, activation and bias. The file holds the three weights under {@code <name>}
     * (depthwise_kernel, pointwise_kernel, bias), which {@link #separables} tells the weight copy.
     */
    private List<Layer> separable(Map<String, Object> entry) {
        String name = layerName(entry);
        String at = where + ": layer '" + name + "'";
        Map<String, Object> c = trainingOnlyDropped(map(entry.get("config"), "layer '" + name + "'"));
        Map<String, Object> depthwise = new LinkedHashMap<>();
        Map<String, Object> pointwise = new LinkedHashMap<>();
        for (String k : List.of("name", "trainable", "dtype")) {
            if (c.containsKey(k)) {
                depthwise.put(k, c.get(k));
                pointwise.put(k, c.get(k));
            }
        }
        move(c, depthwise, "kernel_size", "kernel_size");
        move(c, depthwise, "strides", "strides");
        move(c, depthwise, "padding", "padding");
        move(c, depthwise, "depth_multiplier", "depth_multiplier");
        move(c, depthwise, "dilation_rate", "dilation_rate");
        move(c, depthwise, "depthwise_initializer", "depthwise_initializer");
        move(c, depthwise, "depthwise_regularizer", "depthwise_regularizer");
        move(c, depthwise, "depthwise_constraint", "depthwise_constraint");
        Object format = c.remove("data_format");
        depthwise.put("data_format", format);
        pointwise.put("data_format", format);
        depthwise.put("use_bias", false);
        move(c, pointwise, "filters", "filters");
        move(c, pointwise, "activation", "activation");
        move(c, pointwise, "use_bias", "use_bias");
        move(c, pointwise, "pointwise_initializer", "kernel_initializer");
        move(c, pointwise, "bias_initializer", "bias_initializer");
        move(c, pointwise, "pointwise_regularizer", "kernel_regularizer");
        move(c, pointwise, "bias_regularizer", "bias_regularizer");
        move(c, pointwise, "activity_regularizer", "activity_regularizer");
        move(c, pointwise, "pointwise_constraint", "kernel_constraint");
        move(c, pointwise, "bias_constraint", "bias_constraint");
        move(c, depthwise, "groups", "groups");
        c.keySet().removeAll(List.of("name", "trainable", "dtype"));
        if (!c.isEmpty()) {
            throw new FoveaException(at + ": SeparableConv2D has no option " + String.join(", ", c.keySet())
                    + " (received " + c.values().iterator().next() + "); Fovea reads it as a DepthwiseConv2D and a 1×1"
                    + " Conv2D");
        }
        pointwise.put("kernel_size", List.of(1, 1));
        Layer d = LayerRegistry.create("DepthwiseConv2D", depthwise, at + " (Keras SeparableConv2D)");
        d.setName(name + "_depthwise");
        Layer p = LayerRegistry.create("Conv2D", pointwise, at + " (Keras SeparableConv2D)");
        p.setName(name);
        separables.put(name, List.of(d, p));
        return List.of(d, p);
    }

    /**
     * A copy of a layer config without what only training reads: initializers (the weights are
     * the file's), regularizers and constraints (Fovea regularizes with --weight-decay), and
     * {@code trainable} (a layer frozen in Keras: freeze it with --freeze to fine-tune). Each
     * regularizer, constraint or frozen layer is counted in {@link #ignored}.
     */
    private Map<String, Object> trainingOnlyDropped(Map<String, Object> config) {
        Map<String, Object> c = new LinkedHashMap<>(config);
        for (var it = c.entrySet().iterator(); it.hasNext(); ) {
            var e = it.next();
            String k = e.getKey();
            if (k.endsWith("_initializer")) {
                it.remove();
            } else if (k.endsWith("_regularizer") || k.endsWith("_constraint")) {
                if (e.getValue() != null) {
                    ignored.merge(k, 1, Integer::sum);
                }
                it.remove();
            } else if (k.equals("dtype") && mixedPolicy(e.getValue()) != null) {
                // Mixed precision keeps float32 variables and computes in float16: Fovea computes the
                // same weights in float32, which is at least as exact.
                ignored.merge("dtype " + mixedPolicy(e.getValue()), 1, Integer::sum);
                it.remove();
            } else if (k.equals("trainable")) {
                if (Boolean.FALSE.equals(e.getValue())) {
                    ignored.merge("trainable false", 1, Integer::sum);
                }
                it.remove();
            }
        }
        return c;
    }

    /** A Keras mixed-precision policy's name ({@code mixed_float16}, {@code mixed_bfloat16}), else null. */
    private static String mixedPolicy(Object dtype) {
        Object name = dtype instanceof Map<?, ?> m && m.get("config") instanceof Map<?, ?> c ? c.get("name") : dtype;
        return name instanceof String n && n.startsWith("mixed_") ? n : null;
    }

    private static void move(Map<String, Object> from, Map<String, Object> to, String key, String as) {
        if (from.containsKey(key)) {
            to.put(as, from.remove(key));
        }
    }

    /** The input layers a Functional layer entry reads, by name, in order. */
    private List<String> inbound(Map<String, Object> entry) {
        List<Object> nodes = list(entry.getOrDefault("inbound_nodes", List.of()), "inbound_nodes");
        String name = layerName(entry);
        if (nodes.size() != 1) {
            throw new FoveaException(where + ": layer '" + name + "' is called " + nodes.size() + " times in the model"
                    + (nodes.isEmpty() ? "" : " (a shared layer)") + "; Fovea's graph runs each layer once on one"
                    + " input: build the model with one layer per call");
        }
        List<String> names = new ArrayList<>();
        collect(nodes.get(0), names, name);
        if (names.isEmpty()) {
            throw new FoveaException(where + ": layer '" + name + "' reads no tensor; the model config is malformed");
        }
        return names;
    }

    /**
     * The layer names of the tensors a node reads: Keras 2's {@code ["conv2d", 0, 0, {}]} entries
     * or Keras 3's {@code {"class_name": "__keras_tensor__", "config": {"keras_history": […]}}},
     * at any depth of its lists and args.
     */
    private void collect(Object node, List<String> names, String layer) {
        if (node instanceof List<?> l && !l.isEmpty() && l.get(0) instanceof String s) {
            names.add(checkedHistory(s, l, layer));
        } else if (node instanceof List<?> l) {
            for (Object o : l) {
                collect(o, names, layer);
            }
        } else if (node instanceof Map<?, ?> m && "__keras_tensor__".equals(m.get("class_name"))
                && m.get("config") instanceof Map<?, ?> c && c.get("keras_history") instanceof List<?> h
                && !h.isEmpty() && h.get(0) instanceof String s) {
            names.add(checkedHistory(s, h, layer));
        } else if (node instanceof Map<?, ?> m && m.containsKey("args")) {
            collect(m.get("args"), names, layer);
        }
    }

    /** A tensor reference {@code [layer, node_index, tensor_index, …]}: only a layer's one output is a tensor here. */
    private String checkedHistory(String source, List<?> history, String layer) {
        if (history.size() > 2 && history.get(2) instanceof Number t && t.intValue() != 0) {
            throw new FoveaException(where + ": layer '" + layer + "' reads output " + t + " of '" + source
                    + "'; Fovea layers have one output");
        }
        return source;
    }

    /**
     * The entries of {@code input_layers} or {@code output_layers}: a list of
     * {@code ["input_1", 0, 0]}, or Keras 3's bare {@code ["input_layer", 0, 0]} for a model
     * called on a single tensor rather than a list.
     */
    private List<Object> tensorList(Object o, String what) {
        List<Object> l = list(o, what);
        return !l.isEmpty() && l.get(0) instanceof String ? List.of(l) : l;
    }

    /** The layer name of an input_layers/output_layers entry {@code ["input_1", 0, 0]}. */
    private String tensorLayer(Object entry, String model) {
        if (entry instanceof List<?> l && !l.isEmpty() && l.get(0) instanceof String s) {
            return s;
        }
        throw new FoveaException(where + ": model '" + model + "' has a malformed input or output entry " + entry);
    }

    /** The per-sample shape an InputLayer declares: Keras 2's {@code batch_input_shape}, Keras 3's {@code batch_shape}. */
    private Shape inputShape(Map<String, Object> config, String what) {
        Shape s = declaredShape(config);
        if (s == null) {
            throw new FoveaException(where + ": " + what + " declares no shape (batch_shape or batch_input_shape)");
        }
        return s;
    }

    private Shape declaredShape(Map<String, Object> config) {
        Object b = config.containsKey("batch_shape") ? config.get("batch_shape") : config.get("batch_input_shape");
        if (!(b instanceof List<?> l) || l.size() < 2) {
            return null;
        }
        int[] dims = new int[l.size() - 1];
        for (int i = 1; i < l.size(); i++) {
            if (!(l.get(i) instanceof Number n)) {
                throw new FoveaException(where + ": the input shape " + l + " has a dimension of unknown size; Fovea"
                        + " models take images of one fixed size: save the model with a fixed input shape");
            }
            dims[i - 1] = n.intValue();
        }
        return Shape.of(dims);
    }

    /** The model's input shape: the declared one (checked against the tensor it is called on), else that tensor's. */
    private Shape inputOf(Shape declared, Shape outer, String model) {
        if (declared != null && outer != null && !declared.equals(outer)) {
            throw new FoveaException(where + ": nested model '" + model + "' expects input " + declared.toBatchString()
                    + " but is called on " + outer.toBatchString());
        }
        if (declared == null && outer == null) {
            throw new FoveaException(where + ": model '" + model + "' declares no input shape (no InputLayer, no"
                    + " batch_input_shape); Fovea needs one: build the Keras model with keras.Input(shape=...)");
        }
        return declared != null ? declared : outer;
    }

    private String layerName(Map<String, Object> entry) {
        if (entry.get("name") instanceof String s) {
            return s;
        }
        if (entry.get("config") instanceof Map<?, ?> c && c.get("name") instanceof String s) {
            return s;
        }
        throw new FoveaException(where + ": a " + entry.get("class_name") + " layer has no name; the model config"
                + " is malformed");
    }

    /** Runs one graph-building step, naming the file and the layer in a failure. */
    private <T> T building(String layer, java.util.function.Supplier<T> step) {
        try {
            return step.get();
        } catch (FoveaException e) {
            String m = e.getMessage();
            throw new FoveaException(m.startsWith(where) ? m : where + ": layer '" + layer + "': " + m, e);
        }
    }

    private String string(Map<String, Object> m, String key, String what) {
        if (m.get(key) instanceof String s) {
            return s;
        }
        throw new FoveaException(where + ": " + what + " has no '" + key + "'; the model config is malformed");
    }

    private Map<String, Object> map(Object o, String what) {
        if (o instanceof Map<?, ?> m) {
            return cast(m);
        }
        throw new FoveaException(where + ": " + what + "'s config is " + (o == null ? "missing" : "not an object: " + o)
                + "; the model config is malformed");
    }

    @SuppressWarnings("unchecked")
    private List<Object> list(Object o, String what) {
        if (o instanceof List<?> l) {
            return (List<Object>) l;
        }
        throw new FoveaException(where + ": " + what + " is " + (o == null ? "missing" : "not a list: " + o)
                + "; the model config is malformed");
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> cast(Map<?, ?> m) {
        return (Map<String, Object>) m;
    }
}
