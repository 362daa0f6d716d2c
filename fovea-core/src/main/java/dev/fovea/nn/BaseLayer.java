package dev.fovea.nn;

import dev.fovea.FoveaException;
import dev.fovea.tensor.Rng;
import dev.fovea.tensor.Shape;
import dev.fovea.tensor.Tensor;
import java.util.Arrays;
import java.util.List;

/**
 * The one shared helper of single-input layers (and of {@link Model}, which has one input): the
 * name, the built input/output shapes, reusable per-batch-size buffers, and the list methods of
 * {@link Layer} implemented on top of the single-tensor ones a subclass writes. Not a place for
 * behaviour: layers implement forward and backward themselves.
 */
public abstract class BaseLayer implements Layer {
    private String name;
    protected Shape inputShape;
    protected Shape outputShape;
    /* One-element views handed to the model, so the list calls allocate nothing per step. */
    private final Tensor[] gradient = new Tensor[1];
    private final List<Tensor> gradientView = Arrays.asList(gradient);

    protected BaseLayer() {
    }

    /** Validates the per-sample input shape, creates parameters and returns the output shape. */
    @Override
    public abstract Shape build(Shape inputShape, Rng rng);

    /** Forward pass on a batch {@code x (N, ...inputShape)}. */
    @Override
    public abstract Tensor forward(Tensor x, boolean training);

    /** Backward pass for the last training forward: returns dx, accumulates (+=) parameter gradients. */
    @Override
    public abstract Tensor backward(Tensor dy);

    /**
     * As {@link #backward(Tensor)} when nobody reads dx (the layer reads the model input): a
     * layer whose dx is costly may skip it and return null. By default dx is computed anyway.
     */
    protected Tensor backwardParamsOnly(Tensor dy) {
        return backward(dy);
    }

    @Override
    public final Shape build(List<Shape> inputShapes, Rng rng) {
        requireOne(inputShapes.size());
        return build(inputShapes.get(0), rng);
    }

    @Override
    public final Tensor forward(List<Tensor> inputs, boolean training) {
        requireOne(inputs.size());
        return forward(inputs.get(0), training);
    }

    @Override
    public final List<Tensor> backward(Tensor dy, boolean inputGradients) {
        gradient[0] = inputGradients ? backward(dy) : backwardParamsOnly(dy);
        return gradientView;
    }

    private void requireOne(int received) {
        if (received != 1) {
            throw new FoveaException(name() + ": " + typeName() + " takes one input, received " + received
                    + "; merge tensors with Add or Concatenate first");
        }
    }

    /** The given name, or Keras's default for the type ({@code conv2d}) until a model numbers it. */
    @Override
    public String name() {
        return name == null ? Names.snake(typeName()) : name;
    }

    @Override
    public void setName(String name) {
        this.name = name;
    }

    /** Whether a name was set; a model numbers unnamed layers Keras-style ({@code conv2d_1}). */
    public boolean hasName() {
        return name != null;
    }

    /** The shape this layer was built with (no batch dimension), or null before build. */
    public Shape inputShape() {
        return inputShape;
    }

    public Shape outputShape() {
        return outputShape;
    }

    /** {@code buf} when it already has {@code shape}, else a new zeroed tensor of that shape. */
    protected static Tensor reuse(Tensor buf, Shape shape) {
        return buf != null && buf.shape().equals(shape) ? buf : Tensor.zeros(shape);
    }

    /** Fails with a Keras-style message unless {@code x} is a batch of {@link #inputShape}. */
    protected void checkInput(Tensor x) {
        if (inputShape == null) {
            throw new IllegalStateException(name() + ": forward called before build");
        }
        Shape s = x.shape();
        if (!s.isBatchOf(inputShape)) {
            throw new FoveaException(name() + ": expects input of shape "
                    + inputShape.toBatchString() + ", received " + s);
        }
    }
}
