package dev.fovea.nn;

import dev.fovea.FoveaException;
import dev.fovea.tensor.Shape;
import java.util.List;

/** Keras {@code Input(shape=...)}: the symbolic entry point of a functional model. */
public final class Input {
    private Input() {
    }

    /** A symbolic batch of samples of shape {@code dims}, e.g. {@code Input.of(32, 32, 3)}. */
    public static SymbolicTensor of(int... dims) {
        return of(Shape.of(dims));
    }

    public static SymbolicTensor of(Shape shape) {
        for (int d : shape.dims()) {
            if (d <= 0) {
                throw new FoveaException("Input: every dimension must be positive, received " + shape);
            }
        }
        Node node = new Node(null, List.of());
        SymbolicTensor t = new SymbolicTensor(shape, node);
        node.output = t;
        return t;
    }
}
