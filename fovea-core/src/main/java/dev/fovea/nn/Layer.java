package dev.fovea.nn;

import dev.fovea.tensor.Rng;
import dev.fovea.tensor.Shape;
import dev.fovea.tensor.Tensor;
import java.util.List;

/**
 * A single-input, single-output layer with an explicit forward and backward pass.
 *
 * <p>Lifecycle: construct with configuration (Keras defaults) → {@link #build(Shape, Rng)} once
 * with the per-sample input shape (no batch dimension), which validates it, creates and
 * initializes the parameters and returns the per-sample output shape → any number of
 * {@link #forward}/{@link #backward} pairs. {@code forward(x, true)} keeps what backward needs;
 * {@code backward(dy)} returns dL/dx and <em>adds</em> into each parameter's gradient.
 *
 * <p>Returned tensors may be buffers the layer reuses on the next call with the same batch
 * size: callers must not keep them across calls. Layers never modify their input tensor.
 */
public interface Layer {
    /** Keras-style unique name, e.g. {@code conv2d_1}; set by the model when it is not given. */
    String name();

    void setName(String name);

    /** Keras class name shown in summaries, e.g. {@code Conv2D}. */
    String typeName();

    /**
     * Validates the per-sample input shape, creates parameters (initialized from {@code rng})
     * and returns the per-sample output shape.
     *
     * @throws IllegalArgumentException with a message naming the layer, the expected and the received shape
     */
    Shape build(Shape inputShape, Rng rng);

    /** The parameters in a fixed order (Keras's weight order); empty for parameter-free layers. */
    default List<Param> params() {
        return List.of();
    }

    /** Forward pass on a batch {@code x (N, ...inputShape)}. */
    Tensor forward(Tensor x, boolean training);

    /** Backward pass for the last training forward: returns dx, accumulates (+=) parameter gradients. */
    Tensor backward(Tensor dy);

    /**
     * As {@link #backward(Tensor)}; when {@code inputGradient} is false nobody reads dx (the layer
     * reads the model input), so a layer may skip computing it and return null. A convolution
     * over the 3 input channels of an image spends as long on dx as on its weight gradient.
     */
    default Tensor backward(Tensor dy, boolean inputGradient) {
        return backward(dy);
    }

    /** Layer configuration for the model file (JSON-compatible values), Keras key names. */
    java.util.Map<String, Object> config();

    /**
     * Records a call of this layer on a symbolic tensor (Keras's {@code layer(x)}): builds the
     * layer for {@code x}'s shape now, so a mismatch fails here with the layer's name, and returns
     * the symbolic output. Weights are initialized again when the model is (see {@code Model}).
     */
    default SymbolicTensor apply(SymbolicTensor x) {
        Shape out;
        try {
            out = build(x.shape(), new Rng(0));
        } catch (RuntimeException e) {
            if (this instanceof BaseLayer b && !b.hasName()) {
                // A model numbers unnamed layers only once it is built, after this call, so the
                // error would name the first layer of this type (max_pooling2d) instead of this
                // one (max_pooling2d_2): build again under the name the model would give it.
                b.setName(Names.predicted(b, x));
                try {
                    build(x.shape(), new Rng(0));
                } finally {
                    b.setName(null);
                }
            }
            throw e;
        }
        Node node = new Node(this, null, List.of(x));
        SymbolicTensor t = new SymbolicTensor(out, node);
        node.output = t;
        return t;
    }
}
