package dev.fovea.nn;

import java.util.List;

/**
 * One call of a layer on symbolic inputs: the edge list of a functional model, kept apart from
 * the layer as in Keras. {@code layer} is null for the input node.
 */
final class Node {
    final Layer layer;
    final List<SymbolicTensor> inputs;
    SymbolicTensor output;

    Node(Layer layer, List<SymbolicTensor> inputs) {
        this.layer = layer;
        this.inputs = inputs;
    }

    boolean isInput() {
        return layer == null;
    }

    String layerName() {
        return layer != null ? layer.name() : "input_layer";
    }
}
