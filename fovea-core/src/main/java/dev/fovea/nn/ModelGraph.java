package dev.fovea.nn;

import dev.fovea.FoveaException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Graph building for {@link Model}: the layer calls from one {@link Input} to one output put in
 * topological order once, who reads whom, and Keras-style names for unnamed layers. Fixed once
 * built; holds no activations or gradients ({@link ModelExecution} does) and answers no
 * questions about the layers beyond their order ({@link Model} does).
 */
final class ModelGraph {
    final SymbolicTensor input;
    final SymbolicTensor output;
    final boolean sequential;
    /** The nodes in topological order; node 0 is the input (its layer is null). */
    final List<Node> order;
    /** For every node: indices (in {@link #order}) of the nodes it reads. */
    final int[][] inputsOf;
    /** How many node inputs read each node's output (plus 1 for the model output). */
    final int[] consumers;

    ModelGraph(SymbolicTensor input, SymbolicTensor output, boolean sequential) {
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
        for (int i = 0; i < order.size(); i++) {
            inputsOf[i] = order.get(i).inputs.stream().mapToInt(t -> index.get(t.node())).toArray();
            for (int j : inputsOf[i]) {
                consumers[j]++;
            }
        }
        consumers[order.size() - 1]++;
        nameLayers();
    }

    /** Number of nodes, the input included. */
    int size() {
        return order.size();
    }

    /** The layer of node i (node 0 is the input: null). */
    Layer layer(int i) {
        return order.get(i).layer;
    }

    /** The index of the layer named {@code name}, else −1. */
    int indexOf(String name) {
        for (int i = 1; i < order.size(); i++) {
            if (order.get(i).layerName().equals(name)) {
                return i;
            }
        }
        return -1;
    }

    /** The names of this graph's own layers, in order (a nested model is one). */
    List<String> layerNames() {
        return order.stream().filter(n -> !n.isInput()).map(Node::layerName).toList();
    }

    private static List<Node> topologicalOrder(SymbolicTensor input, SymbolicTensor output) {
        List<Node> order = new ArrayList<>();
        Set<Node> done = Collections.newSetFromMap(new IdentityHashMap<>());
        // Iterative DFS so very deep models do not overflow the stack: each entry is a node and
        // the index of the next input to visit.
        List<Node> stackNodes = new ArrayList<>();
        List<Integer> stackNext = new ArrayList<>();
        stackNodes.add(output.node());
        stackNext.add(0);
        while (!stackNodes.isEmpty()) {
            int top = stackNodes.size() - 1;
            Node n = stackNodes.get(top);
            int next = stackNext.get(top);
            if (next == 0 && done.contains(n)) {
                stackNodes.remove(top);
                stackNext.remove(top);
                continue;
            }
            if (next < n.inputs.size()) {
                stackNext.set(top, next + 1);
                Node m = n.inputs.get(next).node();
                if (!done.contains(m)) {
                    stackNodes.add(m);
                    stackNext.add(0);
                }
            } else {
                stackNodes.remove(top);
                stackNext.remove(top);
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
        Set<Layer> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        for (Node n : order) {
            if (!n.isInput() && !seen.add(n.layer)) {
                throw new FoveaException(n.layerName() + ": the same layer object is called twice in "
                        + "one model; shared layers are not supported, create a second layer instead");
            }
        }
        return order;
    }

    /**
     * Numbers the unnamed layers Keras-style in topological order, never taking a name a layer
     * already has, here or inside a nested model: weights, checkpoints and {@code --freeze}
     * name parameters by their layer's own name ({@code conv2d/kernel}, nested or not), so two
     * layers anywhere in one model must not share one. Keras 2 keeps names unique the same way
     * (one counter per type across the session).
     */
    private void nameLayers() {
        Names names = new Names();
        for (Node n : order) {
            if (n.isInput()) {
                continue;
            }
            if (Names.userNamed(n.layer)) {
                names.reserve(n.layer.name());
            }
            if (n.layer instanceof Model m) {
                for (Map.Entry<String, Layer> e : m.namedLayers().entrySet()) {
                    names.reserve(e.getValue().name());
                }
            }
        }
        Set<String> used = new HashSet<>();
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
        Map<String, String> leaves = new java.util.HashMap<>();
        for (Node n : order) {
            if (n.isInput()) {
                continue;
            }
            Map<String, Layer> inner = n.layer instanceof Model m ? m.namedLayers() : Map.of("", n.layer);
            for (Map.Entry<String, Layer> e : inner.entrySet()) {
                if (e.getValue() instanceof Model) {
                    continue;
                }
                String path = e.getKey().isEmpty() ? n.layerName() : n.layerName() + "/" + e.getKey();
                String other = leaves.putIfAbsent(e.getValue().name(), path);
                if (other != null) {
                    throw new FoveaException(e.getValue().name() + ": two layers of one model share this name ("
                            + other + " and " + path + "); names must be unique, nested models included, because"
                            + " weights are stored under them; name one of them apart");
                }
            }
        }
    }
}
