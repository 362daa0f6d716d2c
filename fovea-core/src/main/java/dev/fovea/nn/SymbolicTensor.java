package dev.fovea.nn;

import dev.fovea.tensor.Shape;

/**
 * A placeholder for a batch of tensors of a known per-sample shape while a functional model is
 * being described: {@code x = new Conv2D(32, 3).apply(x)}. It records the node that produces it;
 * it never holds data.
 */
public final class SymbolicTensor {
    private final Shape shape;
    private final Node node;

    SymbolicTensor(Shape shape, Node node) {
        this.shape = shape;
        this.node = node;
    }

    /** Per-sample shape (no batch dimension). */
    public Shape shape() {
        return shape;
    }

    Node node() {
        return node;
    }

    @Override
    public String toString() {
        return "SymbolicTensor" + shape.toBatchString() + " from " + node.layerName();
    }
}
