package dev.fovea.nn;

import dev.fovea.tensor.Shape;
import dev.fovea.tensor.Tensor;

/**
 * The one shared helper of layer implementations: the name, the built input/output shapes and
 * reusable per-batch-size buffers. Not a place for behaviour: layers implement forward and
 * backward themselves.
 */
public abstract class BaseLayer implements Layer {
    private String name;
    protected Shape inputShape;
    protected Shape outputShape;

    protected BaseLayer() {
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
        if (s.rank() != inputShape.rank() + 1 || !s.dropFirst().equals(inputShape)) {
            throw new IllegalArgumentException(name() + ": expects input of shape "
                    + inputShape.toBatchString() + ", received " + s);
        }
    }
}
