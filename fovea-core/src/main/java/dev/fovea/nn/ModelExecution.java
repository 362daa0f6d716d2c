package dev.fovea.nn;

import dev.fovea.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Execution for {@link Model}: runs the nodes of a {@link ModelGraph} forward in order and
 * backward in reverse, keeping each node's output from the last forward and summing gradients
 * where a tensor feeds several layers. Owns the per-node buffers and nothing else; the caller
 * checks input shapes. A step allocates nothing: the argument lists are fixed views over
 * reused arrays.
 */
final class ModelExecution {
    private final ModelGraph graph;
    /** For every non-input node: a fixed list view over its input activations. */
    private final Tensor[][] argsOf;
    private final List<List<Tensor>> argViews = new ArrayList<>();
    private Tensor[] activations;
    private Tensor[] gradAccum;
    private Tensor[] gradOf;
    /** Per node, in the backward in progress: does its output need a gradient? */
    private boolean[] needsGrad;

    ModelExecution(ModelGraph graph) {
        this.graph = graph;
        argsOf = new Tensor[graph.size()][];
        for (int i = 0; i < graph.size(); i++) {
            argsOf[i] = new Tensor[graph.inputsOf[i].length];
            argViews.add(Arrays.asList(argsOf[i]));
        }
    }

    /** Forgets the last forward (the weights were re-created). */
    void reset() {
        activations = null;
    }

    /** Whether a forward has run since the last {@link #reset}. */
    boolean ran() {
        return activations != null;
    }

    /** Node i's output from the last forward: the layer's own buffer, not a copy. */
    Tensor activation(int i) {
        return activations[i];
    }

    /** Every node in order on a batch {@code x} of the model's input; returns the output node's. */
    Tensor forward(Tensor x, boolean training) {
        int nodes = graph.size();
        if (activations == null) {
            activations = new Tensor[nodes];
            gradAccum = new Tensor[nodes];
            gradOf = new Tensor[nodes];
        }
        activations[0] = x;
        for (int i = 1; i < nodes; i++) {
            int[] from = graph.inputsOf[i];
            for (int k = 0; k < from.length; k++) {
                argsOf[i][k] = activations[from[k]];
            }
            activations[i] = graph.layer(i).forward(argViews.get(i), training);
        }
        return activations[nodes - 1];
    }

    /** Zeroes every parameter gradient, nested models' included. */
    void zeroGrads() {
        // Indexed loops over the layers' own lists: a training step calls this, and builds no list.
        for (int i = 1; i < graph.size(); i++) {
            Layer l = graph.layer(i);
            if (l instanceof Model m) {
                m.zeroGrads();
                continue;
            }
            List<Param> ps = l.params();
            for (int k = 0; k < ps.size(); k++) {
                Arrays.fill(ps.get(k).grad(), 0f);
            }
        }
    }

    /**
     * Backward through the nodes whose outputs need a gradient: a node's does when its layer
     * updates a parameter or when a node it reads needs one (the input's when the caller asks).
     * So once the layers near the input are frozen (airbench's whitening conv after its first
     * epochs), their backward and the data gradient of the layer above them are skipped; the
     * skipped gradients would only have reached frozen parameters, which get none, so the result
     * is the same. Frozen states may change between steps, so this is worked out on every call.
     * Returns dL/dx for the model input, or null when {@code inputGradient} is false.
     */
    Tensor backpropagate(Tensor dy, boolean inputGradient) {
        int last = graph.size() - 1;
        if (needsGrad == null) {
            needsGrad = new boolean[graph.size()];
        }
        needsGrad[0] = inputGradient;
        for (int j = 1; j <= last; j++) {
            boolean need = learns(graph.layer(j));
            for (int k : graph.inputsOf[j]) {
                need |= needsGrad[k];
            }
            needsGrad[j] = need;
        }
        Arrays.fill(gradOf, null);
        deliver(last, dy);
        runBackward(last, 0, needsGrad);
        return gradOf[0];
    }

    /**
     * Backward from the output down to node {@code target}'s output only (0: the model input),
     * after a forward of either mode; see {@link Model#backwardTo}. With {@code logits} and an
     * output layer that applies softmax, {@code dy} is taken as the gradient of the logits.
     */
    Tensor backpropagateTo(int target, Tensor dy, boolean logits) {
        int last = graph.size() - 1;
        if (target == last) {
            return dy;
        }
        boolean[] feeds = new boolean[graph.size()];
        feeds[target] = true;
        for (int i = target + 1; i <= last; i++) {
            for (int j : graph.inputsOf[i]) {
                feeds[i] |= feeds[j];
            }
        }
        Arrays.fill(gradOf, null);
        int top = last;
        Layer out = graph.layer(last);
        if (logits && (out instanceof Activation a && a.function() == ActivationFunction.SOFTMAX
                || out instanceof Model)) {
            Tensor g = out instanceof Model m ? m.execution().backpropagateTo(0, dy, true) : dy;
            deliver(graph.inputsOf[last][0], g);
            top = last - 1;
        } else if (logits && out instanceof Dense d && d.activation() == ActivationFunction.SOFTMAX) {
            deliver(graph.inputsOf[last][0], d.backwardLinear(dy));
            top = last - 1;
        } else {
            deliver(last, dy);
        }
        runBackward(top, target, feeds);
        return gradOf[target];
    }

    /** Runs the backward of nodes {@code top} down to {@code stop + 1} whose outputs need a gradient. */
    private void runBackward(int top, int stop, boolean[] need) {
        for (int i = top; i > stop; i--) {
            if (!need[i] || gradOf[i] == null) {
                continue;
            }
            int[] from = graph.inputsOf[i];
            boolean any = false;
            for (int j : from) {
                any |= need[j];
            }
            List<Tensor> gs = graph.layer(i).backward(gradOf[i], any);
            for (int k = 0; k < from.length; k++) {
                if (need[from[k]]) {
                    deliver(from[k], gs.get(k));
                }
            }
        }
    }

    /** True when the layer (or a layer of a nested model) has a parameter an optimizer updates. */
    private static boolean learns(Layer layer) {
        if (layer instanceof Model m) {
            ModelGraph g = m.graph();
            for (int i = 1; i < g.size(); i++) {
                if (learns(g.layer(i))) {
                    return true;
                }
            }
            return false;
        }
        List<Param> ps = layer.params();
        for (int k = 0; k < ps.size(); k++) {
            if (ps.get(k).updatable()) {
                return true;
            }
        }
        return false;
    }

    /** Hands gradient {@code g} to node {@code j}, summing into a buffer when it has several readers. */
    private void deliver(int j, Tensor g) {
        if (graph.consumers[j] == 1) {
            gradOf[j] = g;
            return;
        }
        if (gradOf[j] == null) {
            gradAccum[j] = BaseLayer.reuse(gradAccum[j], g.shape());
            System.arraycopy(g.data(), 0, gradAccum[j].data(), 0, g.size());
            gradOf[j] = gradAccum[j];
        } else {
            float[] a = gradOf[j].data();
            float[] b = g.data();
            for (int k = 0; k < a.length; k++) {
                a[k] += b[k];
            }
        }
    }
}
