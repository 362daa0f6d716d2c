package dev.fovea.nn;

import java.util.List;

/**
 * One call of a layer on symbolic inputs: the edge list of a functional model, kept apart from
 * the layer as in Keras. Exactly one of {@code layer} and {@code merge} is set, or neither for an
 * input node.
 */
final class Node {
    final Layer layer;
    final MergeLayer merge;
    final List<SymbolicTensor> inputs;
    SymbolicTensor output;

    Node(Layer layer, MergeLayer merge, List<SymbolicTensor> inputs) {
        this.layer = layer;
        this.merge = merge;
        this.inputs = inputs;
    }

    boolean isInput() {
        return layer == null && merge == null;
    }

    String layerName() {
        return layer != null ? layer.name() : merge != null ? merge.name() : "input";
    }
}
