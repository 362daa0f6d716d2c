package dev.fovea.interop.keras;

import dev.fovea.FoveaException;
import dev.fovea.nn.Layer;
import dev.fovea.nn.Model;
import dev.fovea.nn.Param;
import dev.fovea.tensor.Shape;
import io.jhdf.api.Attribute;
import io.jhdf.api.Dataset;
import io.jhdf.api.Group;
import io.jhdf.api.Node;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The weights of a Keras model file, by layer name, and their copy into a built Fovea model.
 * Two HDF5 layouts:
 * <ul>
 * <li>legacy {@code .h5} (Keras 2, and Keras 3's {@code model.save("m.h5")}):
 *     {@code model_weights/<layer>} with the attribute {@code weight_names}, e.g.
 *     {@code conv2d/kernel:0}, each a dataset under that path in the group; a nested model's
 *     group lists its layers' weights as {@code <inner>/<var>:0} (all trainable ones first, so
 *     weights are matched by name, never by position);</li>
 * <li>{@code model.weights.h5} of a {@code .keras} zip: {@code layers/<layer>/vars/0, 1, …} in the
 *     layer's variable order (kernel, bias; gamma, beta, moving_mean, moving_variance, each only
 *     when the layer has it: Fovea's {@link Layer#params()} order), a nested model's layers under
 *     {@code layers/<model>/layers/<inner>/vars}; tf.keras 2.13 wrote
 *     {@code _layer_checkpoint_dependencies} for {@code layers}, and a file saved on Windows may
 *     hold {@code layers\conv2d} as one group name (the path joined with backslashes). Other
 *     state (the optimizer's, metrics', a Dropout's seed generator) lies elsewhere and is ignored.</li>
 * </ul>
 */
final class KerasWeights {
    /** One weight: its Keras variable name when the file says it (legacy), else null, and its value. */
    record Weight(String name, Shape shape, float[] value) {
    }

    private final String where;
    private final Map<String, List<Weight>> byLayer = new LinkedHashMap<>();

    private KerasWeights(String where) {
        this.where = where;
    }

    /**
     * The layers' weights of a legacy file's {@code model_weights} group. {@code models} names the
     * top-level layers that are nested models: their groups hold their layers' weights as
     * {@code <inner>/<var>:0}; any other group's weights are that layer's whatever their prefix
     * (tf.keras may number a variable apart from its layer).
     */
    static KerasWeights legacy(Group modelWeights, java.util.Set<String> models, String where) {
        KerasWeights w = new KerasWeights(where);
        for (String layer : strings(modelWeights, "layer_names")) {
            Node g = modelWeights.getChild(layer);
            if (!(g instanceof Group group)) {
                throw new FoveaException(where + ": model_weights lists layer '" + layer + "' but holds no group for"
                        + " it; the file is damaged");
            }
            for (String wn : strings(group, "weight_names")) {
                Node d = group.getByPath(wn);
                if (!(d instanceof Dataset ds)) {
                    throw new FoveaException(where + ": weight '" + wn + "' of layer '" + layer + "' is listed but"
                            + " missing; the file is damaged");
                }
                String[] parts = wn.split("/");
                String var = parts[parts.length - 1].replaceFirst(":\\d+$", "");
                String owner = models.contains(layer) && parts.length >= 2 ? parts[parts.length - 2] : layer;
                w.byLayer.computeIfAbsent(owner, k -> new ArrayList<>()).add(new Weight(var, shape(ds), floats(ds, where)));
            }
        }
        return w;
    }

    /** The layers' weights of a {@code model.weights.h5} (Keras 3, tf.keras 2.13+). */
    static KerasWeights v3(Group root, String where) {
        KerasWeights w = new KerasWeights(where);
        w.walk(root, "");
        return w;
    }

    private void walk(Group g, String path) {
        for (Node child : g.getChildren().values()) {
            String p = (path.isEmpty() ? "" : path + "/") + child.getName().replace('\\', '/');
            if (!(child instanceof Group cg)) {
                continue;
            }
            if (child.getName().equals("vars")) {
                String layer = layerOf(path);
                if (layer != null) {
                    List<Weight> vars = vars(cg);
                    if (!vars.isEmpty()) {
                        byLayer.put(layer, vars);
                    }
                }
            } else {
                walk(cg, p);
            }
        }
    }

    /**
     * The layer a {@code vars} group belongs to: its path must be {@code layers/<name>}, repeated
     * for nested models; anything else (optimizer, metrics, a layer's seed generator) is not a weight.
     */
    private static String layerOf(String path) {
        String[] parts = path.split("/");
        if (parts.length < 2 || parts.length % 2 != 0) {
            return null;
        }
        for (int i = 0; i < parts.length; i += 2) {
            if (!parts[i].equals("layers") && !parts[i].equals("_layer_checkpoint_dependencies")) {
                return null;
            }
        }
        return parts[parts.length - 1];
    }

    /** The datasets {@code 0, 1, …} of a {@code vars} group in index order; non-float state is skipped. */
    private List<Weight> vars(Group vars) {
        List<Weight> out = new ArrayList<>();
        for (int i = 0; vars.getChild(Integer.toString(i)) instanceof Dataset ds; i++) {
            Class<?> t = ds.getJavaType();
            if (t != float.class && t != double.class) {
                return List.of();
            }
            out.add(new Weight(null, shape(ds), floats(ds, where)));
        }
        return out;
    }

    /**
     * Copies every weight into {@code model}'s layers (nested ones too), matched by layer name
     * and then by variable name (legacy) or position (Keras 3), checking count and shapes; every
     * weight in the file must find its layer.
     */
    void copyInto(Model model, Map<String, List<Layer>> split) {
        Map<String, List<Weight>> left = new LinkedHashMap<>(byLayer);
        java.util.Set<Layer> done = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        // A Keras layer computed by several Fovea layers (SeparableConv2D): its weights in order,
        // by position (the variable names differ: pointwise_kernel is the 1×1 Conv2D's kernel).
        for (Map.Entry<String, List<Layer>> e : split.entrySet()) {
            List<Param> params = new ArrayList<>();
            e.getValue().forEach(l -> params.addAll(l.params()));
            done.addAll(e.getValue());
            List<Weight> ws = left.remove(e.getKey());
            String what = "layer '" + e.getKey() + "' (SeparableConv2D)";
            if (ws == null || ws.size() != params.size()) {
                throw new FoveaException(where + ": " + what + " has " + (ws == null ? 0 : ws.size()) + " weights in"
                        + " the file, expected " + params.size() + ": " + describe(params));
            }
            for (int i = 0; i < params.size(); i++) {
                copy(ws.get(i), params.get(i), what);
            }
        }
        for (Layer layer : model.namedLayers().values()) {
            List<Param> params = layer.params();
            if (layer instanceof Model || params.isEmpty() || done.contains(layer)) {
                continue;
            }
            List<Weight> ws = left.remove(layer.name());
            String what = "layer '" + layer.name() + "' (" + layer.typeName() + ")";
            if (ws == null) {
                throw new FoveaException(where + ": the file holds no weights for " + what + ", which expects "
                        + describe(params) + "; the weights do not belong to this model config");
            }
            if (ws.size() != params.size()) {
                throw new FoveaException(where + ": " + what + " has " + ws.size() + " weights in the file, Fovea's "
                        + layer.typeName() + " expects " + params.size() + ": " + describe(params));
            }
            for (int i = 0; i < params.size(); i++) {
                Param p = params.get(i);
                Weight wt = ws.get(i);
                if (wt.name() != null) {
                    wt = ws.stream().filter(x -> x.name().equals(p.name())).findFirst().orElseThrow(() ->
                            new FoveaException(where + ": " + what + " has no weight '" + p.name() + "' in the file;"
                                    + " it holds " + ws.stream().map(Weight::name).toList()));
                }
                copy(wt, p, what);
            }
        }
        if (!left.isEmpty()) {
            throw new FoveaException(where + ": the file holds weights for " + left.keySet() + ", which the model"
                    + " config has no weighted layer of that name for; the file is inconsistent");
        }
    }

    private void copy(Weight w, Param p, String what) {
        if (!w.shape().equals(p.shape())) {
            throw new FoveaException(where + ": " + what + " weight '" + p.name() + "' has shape " + w.shape()
                    + " in the file, the model expects " + p.shape());
        }
        System.arraycopy(w.value(), 0, p.value(), 0, w.value().length);
    }

    private static String describe(List<Param> params) {
        return String.join(", ", params.stream().map(p -> p.name() + " " + p.shape()).toList());
    }

    private static Shape shape(Dataset ds) {
        int[] d = ds.getDimensions();
        return d.length == 0 ? Shape.of(1) : Shape.of(d);
    }

    private static float[] floats(Dataset ds, String where) {
        Object data = ds.getDataFlat();
        if (data instanceof float[] f) {
            return f;
        }
        if (data instanceof double[] d) {
            float[] f = new float[d.length];
            for (int i = 0; i < d.length; i++) {
                f[i] = (float) d[i];
            }
            return f;
        }
        throw new FoveaException(where + ": weight " + ds.getPath() + " holds " + ds.getJavaType().getSimpleName()
                + " values; Fovea reads float32 (or float64) weights");
    }

    /**
     * A string-list attribute of a group as Keras writes it: whole, or, past HDF5's 64 KB object
     * header (a model of many layers), cut into {@code name0}, {@code name1}, … in order.
     */
    static List<String> strings(Group g, String name) {
        if (g.getAttribute(name) != null) {
            return strings(g.getAttribute(name));
        }
        List<String> all = new ArrayList<>();
        for (int i = 0; g.getAttribute(name + i) != null; i++) {
            all.addAll(strings(g.getAttribute(name + i)));
        }
        return all;
    }

    /** A string or string-array attribute (weight_names, layer_names); an absent or numeric empty one is none. */
    static List<String> strings(Attribute a) {
        if (a == null) {
            return List.of();
        }
        Object d = a.getData();
        if (d instanceof String s) {
            return List.of(s);
        }
        if (d instanceof String[] s) {
            return Arrays.asList(s);
        }
        return List.of();
    }
}
