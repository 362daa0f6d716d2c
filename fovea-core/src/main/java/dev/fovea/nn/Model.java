package dev.fovea.nn;

import dev.fovea.FoveaException;
import dev.fovea.tensor.Rng;
import dev.fovea.tensor.Shape;
import dev.fovea.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A functional model: a DAG of layer calls from one {@link Input} to one output, ordered
 * topologically once at construction (Keras's {@code keras.Model(inputs, outputs)}). Layers
 * without a name are numbered Keras-style in that order ({@code conv2d}, {@code conv2d_1}, …).
 *
 * <p>A model is itself a {@link Layer} of one input, so it nests in another model:
 * {@link #forward}/{@link #backward} run the nodes in order and in reverse, summing gradients
 * where a tensor feeds several layers. {@link #initialize}
 * (re)creates every weight from one seed. Training, losses and optimizers live in higher
 * packages ({@code dev.fovea.train}); this class only computes.
 */
public final class Model extends BaseLayer {
    private final SymbolicTensor input;
    private final SymbolicTensor output;
    private final List<Node> order;
    private final boolean sequential;
    /** For every non-input node: indices (in {@link #order}) of the nodes it reads. */
    private final int[][] inputsOf;
    /** How many node inputs read each node's output (plus 1 for the model output). */
    private final int[] consumers;
    /** For every non-input node: a fixed list view over its input activations (no per-step allocation). */
    private final Tensor[][] argsOf;
    private final List<List<Tensor>> argViews = new ArrayList<>();
    private Tensor[] activations;
    private Tensor[] gradAccum;
    private Tensor[] gradOf;
    /** Per node, in the backward in progress: does its output need a gradient? */
    private boolean[] needsGrad;

    private Model(String name, SymbolicTensor input, SymbolicTensor output, boolean sequential) {
        setName(name);
        this.inputShape = input.shape();
        this.outputShape = output.shape();
        this.input = input;
        this.output = output;
        this.sequential = sequential;
        this.order = topologicalOrder(input, output);
        Map<Node, Integer> index = new IdentityHashMap<>();
        for (int i = 0; i < order.size(); i++) {
            index.put(order.get(i), i);
        }
        inputsOf = new int[order.size()][];
        consumers = new int[order.size()];
        argsOf = new Tensor[order.size()][];
        for (int i = 0; i < order.size(); i++) {
            Node n = order.get(i);
            inputsOf[i] = n.inputs.stream().mapToInt(t -> index.get(t.node())).toArray();
            for (int j : inputsOf[i]) {
                consumers[j]++;
            }
            argsOf[i] = new Tensor[inputsOf[i].length];
            argViews.add(Arrays.asList(argsOf[i]));
        }
        consumers[order.size() - 1]++;
        nameLayers();
        initialize(0);
    }

    /** Keras {@code keras.Model(inputs=input, outputs=output)}. */
    public static Model of(SymbolicTensor input, SymbolicTensor output) {
        return new Model("functional", input, output, false);
    }

    public static Model of(String name, SymbolicTensor input, SymbolicTensor output) {
        return new Model(name, input, output, false);
    }

    /** Keras {@code Sequential([Input(shape), layer, …])}: each layer applied to the previous output. */
    public static Model sequential(SymbolicTensor input, Layer... layers) {
        return sequential("sequential", input, List.of(layers));
    }

    public static Model sequential(String name, SymbolicTensor input, List<Layer> layers) {
        if (!input.node().isInput()) {
            throw new FoveaException("sequential: the first element must be Input.of(...), received the output of "
                    + input.node().layerName());
        }
        SymbolicTensor x = input;
        for (Layer l : layers) {
            x = l.apply(x);
        }
        return new Model(name, input, x, true);
    }

    private static List<Node> topologicalOrder(SymbolicTensor input, SymbolicTensor output) {
        List<Node> order = new ArrayList<>();
        Set<Node> done = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
        Set<Node> active = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
        // Iterative DFS so very deep models do not overflow the stack.
        Deque<Object[]> stack = new Deque<>();
        stack.push(new Object[]{output.node(), 0});
        while (!stack.isEmpty()) {
            Object[] top = stack.peek();
            Node n = (Node) top[0];
            int next = (Integer) top[1];
            if (next == 0) {
                if (done.contains(n)) {
                    stack.pop();
                    continue;
                }
                active.add(n);
            }
            if (next < n.inputs.size()) {
                top[1] = next + 1;
                Node m = n.inputs.get(next).node();
                if (!done.contains(m)) {
                    stack.push(new Object[]{m, 0});
                }
            } else {
                stack.pop();
                active.remove(n);
                if (done.add(n)) {
                    if (n.isInput() && n != input.node()) {
                        throw new FoveaException("model: the output depends on an Input"
                                + n.output.shape().toBatchString() + " that is not the model's input; "
                                + "pass that Input to Model.of or remove the branch");
                    }
                    order.add(n);
                }
            }
        }
        if (order.get(0) != input.node()) {
            throw new FoveaException("model: the output does not depend on the given input; "
                    + "build the output by applying layers to that Input");
        }
        Set<Layer> seen = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
        for (Node n : order) {
            if (!n.isInput() && !seen.add(n.layer)) {
                throw new FoveaException(n.layerName() + ": the same layer object is called twice in "
                        + "one model; shared layers are not supported, create a second layer instead");
            }
        }
        return order;
    }

    /** A minimal stack (avoids java.util.Deque's generics noise in the DFS above). */
    private static final class Deque<T> {
        private final ArrayList<T> items = new ArrayList<>();

        void push(T t) {
            items.add(t);
        }

        T pop() {
            return items.remove(items.size() - 1);
        }

        T peek() {
            return items.get(items.size() - 1);
        }

        boolean isEmpty() {
            return items.isEmpty();
        }
    }

    private void nameLayers() {
        Names names = new Names();
        Set<String> used = new HashSet<>();
        for (Node n : order) {
            if (!n.isInput() && Names.userNamed(n.layer)) {
                names.reserve(n.layer.name());
            }
        }
        for (Node n : order) {
            if (!n.isInput() && !Names.userNamed(n.layer)) {
                n.layer.setName(names.next(n.layer.typeName()));
            }
            String nm = n.layerName();
            if (!used.add(nm)) {
                throw new FoveaException(nm + ": two layers of one model share this name; "
                        + "names must be unique because weights are stored under them");
            }
        }
    }

    /**
     * Re-creates every weight from {@code seed}: layer i in topological order draws from stream
     * i of the seed, so adding a layer at the end never changes the others' initial weights.
     */
    public void initialize(long seed) {
        Rng root = new Rng(seed);
        for (int i = 1; i < order.size(); i++) {
            Node n = order.get(i);
            n.layer.build(n.inputs.stream().map(SymbolicTensor::shape).toList(), root.split(i));
        }
        activations = null;
    }

    // ---- Layer --------------------------------------------------------------------------

    @Override
    public String typeName() {
        return sequential ? "Sequential" : "Functional";
    }

    public boolean isSequential() {
        return sequential;
    }

    /** Checks the shape and re-initializes from the given stream (used when nested in another model). */
    @Override
    public Shape build(Shape inputShape, Rng rng) {
        if (!inputShape.equals(input.shape())) {
            throw new FoveaException(name() + ": expects input of shape " + input.shape().toBatchString()
                    + ", received " + inputShape.toBatchString());
        }
        initialize(rng.nextLong());
        return output.shape();
    }

    /** All parameters in topological layer order, each layer's in Keras weight order. */
    @Override
    public List<Param> params() {
        List<Param> all = new ArrayList<>();
        for (int i = 1; i < order.size(); i++) {
            all.addAll(order.get(i).layer.params());
        }
        return all;
    }

    /** Parameters under Keras-style full names, {@code conv2d/kernel}, in {@link #params()} order. */
    public Map<String, Param> namedParams() {
        Map<String, Param> out = new LinkedHashMap<>();
        for (Node n : order) {
            if (n.layer instanceof Model m) {
                out.putAll(m.namedParams());
            } else if (!n.isInput()) {
                for (Param p : n.layer.params()) {
                    out.put(n.layer.name() + "/" + p.name(), p);
                }
            }
        }
        return out;
    }

    /**
     * True when the output layer applies a softmax (a Dense, Conv2D or Activation layer with
     * softmax, or a nested model that ends so): the outputs are then class probabilities, and
     * otherwise logits, which a loss, a prediction or Grad-CAM must treat as such.
     */
    public boolean endsInSoftmax() {
        Layer last = order.size() > 1 ? order.get(order.size() - 1).layer : null;
        ActivationFunction f = last instanceof Dense d ? d.activation()
                : last instanceof Conv2D c ? c.activation()
                : last instanceof Activation a ? a.function() : null;
        return last instanceof Model m ? m.endsInSoftmax() : f == ActivationFunction.SOFTMAX;
    }

    /** The layer of node i in topological order (node 0 is the input: null). For inference plans. */
    Layer nodeLayer(int i) {
        return order.get(i).layer;
    }

    /** Number of nodes, the input included. */
    int nodeCount() {
        return order.size();
    }

    /** Indices of the nodes node i reads (not a copy: do not modify). */
    int[] nodeInputs(int i) {
        return inputsOf[i];
    }

    /** How many node inputs read node i's output, plus 1 for the model output. */
    int nodeConsumers(int i) {
        return consumers[i];
    }

    /** Layers in topological order, excluding the input; a nested model counts as one layer. */
    public List<Layer> layers() {
        List<Layer> out = new ArrayList<>();
        for (int i = 1; i < order.size(); i++) {
            out.add(order.get(i).layer);
        }
        return out;
    }

    /** The layer named {@code layerName}, or an error listing the names there are. */
    public Layer layer(String layerName) {
        int i = nodeIndex(layerName);
        if (i < 0) {
            throw unknownLayer(layerName);
        }
        return order.get(i).layer;
    }

    private FoveaException unknownLayer(String layerName) {
        return new FoveaException(name() + ": no layer named '" + layerName + "'; layers are "
                + order.stream().filter(n -> !n.isInput()).map(Node::layerName).toList());
    }

    public void zeroGrads() {
        // Indexed loops over the layers' own lists: a training step calls this, and builds no list.
        for (int i = 1; i < order.size(); i++) {
            Layer l = order.get(i).layer;
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

    @Override
    public Tensor forward(Tensor x, boolean training) {
        Shape s = x.shape();
        if (!s.isBatchOf(input.shape())) {
            throw new FoveaException(name() + ": expects input of shape " + input.shape().toBatchString()
                    + ", received " + s + "; resize the images or build the model for this input");
        }
        if (activations == null) {
            activations = new Tensor[order.size()];
            gradAccum = new Tensor[order.size()];
            gradOf = new Tensor[order.size()];
        }
        activations[0] = x;
        for (int i = 1; i < order.size(); i++) {
            for (int k = 0; k < inputsOf[i].length; k++) {
                argsOf[i][k] = activations[inputsOf[i][k]];
            }
            activations[i] = order.get(i).layer.forward(argViews.get(i), training);
        }
        return activations[order.size() - 1];
    }

    /** {@code forward(x, false)}: for method references where a function of one tensor is wanted. */
    public Tensor forwardInference(Tensor x) {
        return forward(x, false);
    }

    /**
     * Runs the model in inference mode on {@code x} and returns copies of the outputs of the
     * named layers, in topological order: for looking inside a model (feature maps), never
     * needed for training. Names are this model's own layers; a nested model counts as one.
     * Copies, because layer outputs are buffers reused by the next forward.
     */
    public Map<String, Tensor> forwardCollect(Tensor x, Set<String> layerNames) {
        Set<String> unknown = new java.util.TreeSet<>(layerNames);
        for (Node n : order) {
            if (!n.isInput()) {
                unknown.remove(n.layerName());
            }
        }
        if (!unknown.isEmpty()) {
            throw new FoveaException(name() + ": no layer named " + unknown + "; layers are "
                    + order.stream().filter(n -> !n.isInput()).map(Node::layerName).toList());
        }
        forward(x, false);
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (int i = 1; i < order.size(); i++) {
            String nm = order.get(i).layerName();
            if (layerNames.contains(nm)) {
                out.put(nm, activations[i].copy());
            }
        }
        return out;
    }

    /**
     * Backward through every node in reverse order; returns dL/dx for the model input and adds
     * into every parameter gradient. Call after a {@code forward(x, true)}.
     */
    @Override
    public Tensor backward(Tensor dy) {
        return backpropagate(dy, true);
    }

    /** Training's backward: the layers reading the model input may skip their dx; returns null. */
    @Override
    protected Tensor backwardParamsOnly(Tensor dy) {
        return backpropagate(dy, false);
    }

    /**
     * Backward through the nodes whose outputs need a gradient: a node's does when its layer
     * updates a parameter or when a node it reads needs one (the input's when the caller asks).
     * So once the layers near the input are frozen (airbench's whitening conv after its first
     * epochs), their backward and the data gradient of the layer above them are skipped; the
     * skipped gradients would only have reached frozen parameters, which get none, so the result
     * is the same. Frozen states may change between steps, so this is worked out on every call.
     */
    private Tensor backpropagate(Tensor dy, boolean inputGradient) {
        int last = order.size() - 1;
        if (needsGrad == null) {
            needsGrad = new boolean[order.size()];
        }
        needsGrad[0] = inputGradient;
        for (int j = 1; j <= last; j++) {
            boolean need = learns(order.get(j).layer);
            for (int k : inputsOf[j]) {
                need |= needsGrad[k];
            }
            needsGrad[j] = need;
        }
        Arrays.fill(gradOf, null);
        deliver(last, dy);
        for (int i = last; i >= 1; i--) {
            if (!needsGrad[i] || gradOf[i] == null) {
                continue;
            }
            int[] from = inputsOf[i];
            boolean need = false;
            for (int j : from) {
                need |= needsGrad[j];
            }
            List<Tensor> gs = order.get(i).layer.backward(gradOf[i], need);
            for (int k = 0; k < from.length; k++) {
                if (needsGrad[from[k]]) {
                    deliver(from[k], gs.get(k));
                }
            }
        }
        return gradOf[0];
    }

    /** True when the layer (or a layer of a nested model) has a parameter an optimizer updates. */
    private static boolean learns(Layer layer) {
        if (layer instanceof Model m) {
            for (int i = 1; i < m.order.size(); i++) {
                if (learns(m.order.get(i).layer)) {
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
        if (consumers[j] == 1) {
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

    // ---- looking inside: activations and gradients at a layer (Grad-CAM) -----------------

    /**
     * The output of the layer at {@code path} from the last {@link #forward}: the layer's own
     * buffer, overwritten by the next forward, not a copy. A path is a layer name of this model,
     * or {@code nested/inner} for a layer inside a nested model (recursively).
     */
    public Tensor activation(String path) {
        if (activations == null) {
            throw new IllegalStateException(name() + ": activation(" + path + ") before any forward");
        }
        int i = pathIndex(path);
        if (i > 0) {
            return activations[i];
        }
        int slash = path.indexOf('/');
        return nested(path.substring(0, slash)).activation(path.substring(slash + 1));
    }

    /**
     * Backward from the model output down to the output of the layer at {@code path} (a name, or
     * {@code nested/inner} as in {@link #activation}) only, after a forward of either mode:
     * returns d(score)/d(that layer's output) for {@code dy} = d(score)/d(model output). Layers
     * at or below the target are not run; layers above it that do not depend on it are skipped.
     * With {@code logits} true and an output layer that applies softmax (an {@code Activation}
     * softmax layer, a {@code Dense} with softmax activation, or a nested model ending so),
     * {@code dy} is taken as the gradient with respect to the pre-softmax logits: the softmax
     * Jacobian is singular, so a logit's gradient cannot be sent through it. Parameter gradients
     * of the layers passed through accumulate (+=) as in any backward; a caller that must leave
     * them alone saves and restores them. The result may be a layer's reused buffer.
     */
    public Tensor backwardTo(String path, Tensor dy, boolean logits) {
        int i = pathIndex(path);
        if (i > 0) {
            return backpropagateTo(i, dy, logits);
        }
        int slash = path.indexOf('/');
        String outer = path.substring(0, slash);
        int o = pathIndex(outer);
        Tensor g = backpropagateTo(o, dy, logits);
        // A nested model that is the output layer holds the softmax head, so it takes the logit case.
        return nested(outer).backwardTo(path.substring(slash + 1), g, logits && o == order.size() - 1);
    }

    /** The per-sample output shape of the layer at {@code path} (a name or {@code nested/inner}). */
    public Shape outputShapeOf(String path) {
        int i = pathIndex(path);
        if (i > 0) {
            return order.get(i).output.shape();
        }
        int slash = path.indexOf('/');
        return nested(path.substring(0, slash)).outputShapeOf(path.substring(slash + 1));
    }

    /** The index of this model's layer named {@code name}, else −1. */
    private int nodeIndex(String name) {
        for (int i = 1; i < order.size(); i++) {
            if (order.get(i).layerName().equals(name)) {
                return i;
            }
        }
        return -1;
    }

    /** The index of the layer named {@code path}, −1 when it is a {@code nested/inner} path, or an error. */
    private int pathIndex(String path) {
        int i = nodeIndex(path);
        int slash = path.indexOf('/');
        if (i < 0 && slash > 0) {
            nested(path.substring(0, slash));
        } else if (i < 0) {
            throw unknownLayer(path);
        }
        return i;
    }

    private Model nested(String name) {
        if (layer(name) instanceof Model m) {
            return m;
        }
        throw new FoveaException(name() + ": layer '" + name + "' is a " + layer(name).typeName()
                + ", not a nested model; name a layer of this model or nested/inner");
    }

    /** See {@link #backwardTo}; {@code target} 0 means down to the model input. */
    private Tensor backpropagateTo(int target, Tensor dy, boolean logits) {
        if (activations == null) {
            throw new IllegalStateException(name() + ": backwardTo before any forward");
        }
        int last = order.size() - 1;
        if (target == last) {
            return dy;
        }
        boolean[] feeds = new boolean[order.size()];
        feeds[target] = true;
        for (int i = target + 1; i <= last; i++) {
            for (int j : inputsOf[i]) {
                feeds[i] |= feeds[j];
            }
        }
        Arrays.fill(gradOf, null);
        int top = last;
        Layer out = order.get(last).layer;
        if (logits && (out instanceof Activation a && a.function() == ActivationFunction.SOFTMAX
                || out instanceof Model)) {
            Tensor g = out instanceof Model m ? m.backpropagateTo(0, dy, true) : dy;
            deliver(inputsOf[last][0], g);
            top = last - 1;
        } else if (logits && out instanceof Dense d && d.activation() == ActivationFunction.SOFTMAX) {
            deliver(inputsOf[last][0], d.backwardLinear(dy));
            top = last - 1;
        } else {
            deliver(last, dy);
        }
        for (int i = top; i > target; i--) {
            if (!feeds[i] || gradOf[i] == null) {
                continue;
            }
            int[] from = inputsOf[i];
            boolean need = false;
            for (int j : from) {
                need |= feeds[j];
            }
            List<Tensor> gs = order.get(i).layer.backward(gradOf[i], need);
            for (int k = 0; k < from.length; k++) {
                if (feeds[from[k]]) {
                    deliver(from[k], gs.get(k));
                }
            }
        }
        return gradOf[target];
    }

    @Override
    public Map<String, Object> config() {
        return ModelConfig.toConfig(this);
    }

    // ---- package access for ModelConfig and Summary -----------------------------------

    List<Node> nodes() {
        return order;
    }

    int[] inputsOfNode(int i) {
        return inputsOf[i];
    }

    /** Prints Keras's summary table to standard output. */
    public void summary() {
        System.out.print(Summary.of(this));
    }
}
