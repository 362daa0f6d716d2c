package dev.fovea.nn;

import dev.fovea.tensor.Rng;
import dev.fovea.tensor.Shape;
import dev.fovea.tensor.Tensor;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * A layer: one node type for every computation in a model, whether it reads one tensor
 * ({@link Conv2D}, {@link Dense}, a nested {@link Model}, …) or several ({@link Add},
 * {@link Concatenate}).
 *
 * <p>Lifecycle: construct with configuration (Keras defaults) → {@link #build(List, Rng)} once
 * with the per-sample input shapes (no batch dimension), which validates them, creates and
 * initializes the parameters and returns the per-sample output shape → any number of
 * {@link #forward(List, boolean)}/{@link #backward(Tensor, boolean)} pairs.
 * {@code forward(inputs, true)} keeps what backward needs; backward returns one gradient per
 * input and <em>adds</em> into each parameter's gradient.
 *
 * <p>The list methods are what a {@link Model} calls. Most layers take one input, so the
 * single-tensor forms ({@link #build(Shape, Rng)}, {@link #forward(Tensor, boolean)},
 * {@link #backward(Tensor)}) are there for them and their callers; single-input layers extend
 * {@link BaseLayer}, which implements the list methods on top of the single ones.
 *
 * <p>Returned tensors may be buffers the layer reuses on the next call with the same batch
 * size: callers must not keep them across calls. Layers never modify their input tensors.
 * User mistakes (shapes that do not fit, bad configuration) raise {@link dev.fovea.FoveaException}.
 */
public interface Layer {
    /** Keras-style unique name, e.g. {@code conv2d_1}; set by the model when it is not given. */
    String name();

    void setName(String name);

    /**
     * Keras class name shown in summaries, e.g. {@code Conv2D}: by default the Java class's name,
     * which every Fovea layer shares with its Keras counterpart (a model says Functional or
     * Sequential).
     */
    default String typeName() {
        return getClass().getSimpleName();
    }

    /**
     * Validates the per-sample input shapes (one per input, in order), creates parameters
     * (initialized from {@code rng}) and returns the per-sample output shape.
     *
     * @throws dev.fovea.FoveaException naming the layer, the expected and the received shapes
     */
    Shape build(List<Shape> inputShapes, Rng rng);

    /** The parameters in a fixed order (Keras's weight order); empty for parameter-free layers. */
    default List<Param> params() {
        return List.of();
    }

    /** Forward pass on batches {@code inputs[k] (N, ...inputShapes[k])}; returns the output batch. */
    Tensor forward(List<Tensor> inputs, boolean training);

    /**
     * Backward pass for the last training forward: returns dL/d(input k) for every input k, in
     * input order, and accumulates (+=) parameter gradients. When {@code inputGradients} is
     * false nobody reads the input gradients (the layer reads the model input), so a layer may
     * skip them and return null entries: a convolution over the 3 channels of an image spends
     * as long on dx as on its weight gradient.
     */
    List<Tensor> backward(Tensor dy, boolean inputGradients);

    /** Layer configuration for the model file (JSON-compatible values), Keras key names. */
    Map<String, Object> config();

    /** {@link #build(List, Rng)} for one input. */
    default Shape build(Shape inputShape, Rng rng) {
        return build(List.of(inputShape), rng);
    }

    /** {@link #forward(List, boolean)} for one input. */
    default Tensor forward(Tensor x, boolean training) {
        return forward(List.of(x), training);
    }

    /** {@link #backward(Tensor, boolean)} for one input: returns dx. */
    default Tensor backward(Tensor dy) {
        return backward(dy, true).get(0);
    }

    /**
     * Records a call of this layer on symbolic tensors (Keras's {@code layer(x)} or
     * {@code Add()([a, b])}): builds the layer for their shapes now, so a mismatch fails here
     * with the layer's name, and returns the symbolic output. Weights are initialized again when
     * the model is (see {@code Model}).
     */
    default SymbolicTensor apply(SymbolicTensor... inputs) {
        List<SymbolicTensor> in = List.copyOf(Arrays.asList(inputs));
        List<Shape> shapes = in.stream().map(SymbolicTensor::shape).toList();
        Shape out;
        try {
            out = build(shapes, new Rng(0));
        } catch (RuntimeException e) {
            if (!Names.userNamed(this)) {
                // A model numbers unnamed layers only once it is built, after this call, so the
                // error would name the first layer of this type (max_pooling2d) instead of this
                // one (max_pooling2d_2): build again under the name the model would give it.
                setName(Names.predicted(this, in));
                try {
                    build(shapes, new Rng(0));
                } finally {
                    setName(null);
                }
            }
            throw e;
        }
        Node node = new Node(this, in);
        SymbolicTensor t = new SymbolicTensor(out, node);
        node.output = t;
        return t;
    }
}
