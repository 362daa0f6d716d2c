package dev.fovea.nn;

import dev.fovea.tensor.Rng;
import dev.fovea.tensor.Shape;
import dev.fovea.tensor.Tensor;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * A parameter-free layer of several inputs ({@link Add}, {@link Concatenate}), the branch points
 * residual and multi-path networks need. Same lifecycle as {@link Layer}; backward returns one
 * gradient per input.
 */
public interface MergeLayer {
    String name();

    void setName(String name);

    String typeName();

    /** Validates the per-sample input shapes and returns the output shape. */
    Shape build(List<Shape> inputShapes, Rng rng);

    Tensor forward(List<Tensor> inputs, boolean training);

    List<Tensor> backward(Tensor dy);

    Map<String, Object> config();

    /** Records a call of this layer on symbolic inputs, inferring the output shape now. */
    default SymbolicTensor apply(SymbolicTensor... inputs) {
        if (inputs.length < 2) {
            throw new IllegalArgumentException(name() + ": expects at least 2 inputs, received " + inputs.length);
        }
        List<SymbolicTensor> in = Arrays.asList(inputs);
        Shape out = build(in.stream().map(SymbolicTensor::shape).toList(), new Rng(0));
        Node node = new Node(null, this, List.copyOf(in));
        SymbolicTensor t = new SymbolicTensor(out, node);
        node.output = t;
        return t;
    }
}
