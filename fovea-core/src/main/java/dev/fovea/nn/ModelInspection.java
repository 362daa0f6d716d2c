package dev.fovea.nn;

import dev.fovea.FoveaException;
import dev.fovea.kernel.SoftmaxCrossEntropy;
import dev.fovea.tensor.Shape;
import dev.fovea.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Inspection for {@link Model}: the answers the apps ask of a built model, each in one place —
 * every layer under its path, nested models included ({@link #namedLayers}, the one walk into
 * nested models), parameters under their names, whether the outputs are probabilities, and a
 * layer's output, output shape or gradient by path. The public methods are {@link Model}'s, which
 * documents them; this class reads the graph and the last forward's buffers and changes nothing
 * but what {@link Model#backwardTo} documents.
 */
final class ModelInspection {
    private ModelInspection() {
    }

    /** See {@link Model#namedLayers()}. */
    static Map<String, Layer> namedLayers(Model model) {
        Map<String, Layer> out = new LinkedHashMap<>();
        walk(model, "", out);
        return out;
    }

    private static void walk(Model model, String prefix, Map<String, Layer> out) {
        ModelGraph g = model.graph();
        for (int i = 1; i < g.size(); i++) {
            Layer l = g.layer(i);
            String path = prefix + l.name();
            out.put(path, l);
            if (l instanceof Model nested) {
                walk(nested, path + "/", out);
            }
        }
    }

    /** See {@link Model#namedParams()}. */
    static Map<String, Param> namedParams(Model model) {
        Map<String, Param> out = new LinkedHashMap<>();
        for (Layer l : namedLayers(model).values()) {
            if (l instanceof Model) {
                continue;
            }
            for (Param p : l.params()) {
                out.put(l.name() + "/" + p.name(), p);
            }
        }
        return out;
    }

    /** See {@link Model#endsInSoftmax()}. */
    static boolean endsInSoftmax(Model model) {
        ModelGraph g = model.graph();
        Layer last = g.size() > 1 ? g.layer(g.size() - 1) : null;
        ActivationFunction f = last instanceof Dense d ? d.activation()
                : last instanceof Conv2D c ? c.activation()
                : last instanceof Activation a ? a.function() : null;
        return last instanceof Model m ? m.endsInSoftmax() : f == ActivationFunction.SOFTMAX;
    }

    /** See {@link Model#probabilities(float[], int, float[])}. */
    static void probabilities(Model model, float[] outputs, int rows, float[] probs) {
        int k = model.outputShape().dim(-1);
        if (rows < 0 || (long) rows * k > outputs.length || (long) rows * k > probs.length) {
            throw new IllegalArgumentException(model.name() + ": " + rows + " rows of " + k + " outputs do not fit"
                    + " arrays of " + outputs.length + " and " + probs.length);
        }
        if (endsInSoftmax(model)) {
            if (probs != outputs) {
                System.arraycopy(outputs, 0, probs, 0, rows * k);
            }
        } else {
            SoftmaxCrossEntropy.softmax(outputs, probs, rows, k);
        }
    }

    /** See {@link Model#forwardCollect}. */
    static Map<String, Tensor> forwardCollect(Model model, Tensor x, Set<String> paths) {
        Map<String, Layer> all = namedLayers(model);
        Set<String> unknown = new TreeSet<>(paths);
        unknown.removeAll(all.keySet());
        if (!unknown.isEmpty()) {
            throw new FoveaException(model.name() + ": no layer named " + unknown + "; layers are "
                    + all.keySet());
        }
        model.forward(x, false);
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (String path : all.keySet()) {
            if (paths.contains(path)) {
                out.put(path, activation(model, path).copy());
            }
        }
        return out;
    }

    /** See {@link Model#activation}. */
    static Tensor activation(Model model, String path) {
        if (!model.execution().ran()) {
            throw new IllegalStateException(model.name() + ": activation(" + path + ") before any forward");
        }
        int i = pathIndex(model, path);
        if (i > 0) {
            return model.execution().activation(i);
        }
        int slash = path.indexOf('/');
        return activation(nested(model, path.substring(0, slash)), path.substring(slash + 1));
    }

    /** See {@link Model#backwardTo}. */
    static Tensor backwardTo(Model model, String path, Tensor dy, boolean logits) {
        if (!model.execution().ran()) {
            throw new IllegalStateException(model.name() + ": backwardTo before any forward");
        }
        int i = pathIndex(model, path);
        if (i > 0) {
            return model.execution().backpropagateTo(i, dy, logits);
        }
        int slash = path.indexOf('/');
        String outer = path.substring(0, slash);
        int o = pathIndex(model, outer);
        Tensor g = model.execution().backpropagateTo(o, dy, logits);
        // A nested model that is the output layer holds the softmax head, so it takes the logit case.
        return backwardTo(nested(model, outer), path.substring(slash + 1), g,
                logits && o == model.graph().size() - 1);
    }

    /** See {@link Model#outputShapeOf}. */
    static Shape outputShapeOf(Model model, String path) {
        int i = pathIndex(model, path);
        if (i > 0) {
            return model.graph().order.get(i).output.shape();
        }
        int slash = path.indexOf('/');
        return outputShapeOf(nested(model, path.substring(0, slash)), path.substring(slash + 1));
    }

    /** See {@link Model#layer}. */
    static Layer layer(Model model, String name) {
        int i = model.graph().indexOf(name);
        if (i < 0) {
            throw unknownLayer(model, name);
        }
        return model.graph().layer(i);
    }

    private static FoveaException unknownLayer(Model model, String name) {
        return new FoveaException(model.name() + ": no layer named '" + name + "'; layers are "
                + model.graph().layerNames());
    }

    /** The index of the layer named {@code path}, −1 when it is a {@code nested/inner} path, or an error. */
    private static int pathIndex(Model model, String path) {
        int i = model.graph().indexOf(path);
        int slash = path.indexOf('/');
        if (i < 0 && slash > 0) {
            nested(model, path.substring(0, slash));
        } else if (i < 0) {
            throw unknownLayer(model, path);
        }
        return i;
    }

    private static Model nested(Model model, String name) {
        Layer l = layer(model, name);
        if (l instanceof Model m) {
            return m;
        }
        throw new FoveaException(model.name() + ": layer '" + name + "' is a " + l.typeName()
                + ", not a nested model; name a layer of this model or nested/inner");
    }
}
