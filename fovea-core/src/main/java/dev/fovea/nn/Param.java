package dev.fovea.nn;

import dev.fovea.tensor.Shape;

/**
 * One named weight of a layer (a conv kernel, a bias, a moving mean) with its gradient.
 * {@code value} and {@code grad} are plain arrays that kernels read and write directly;
 * backward passes <em>add</em> into {@code grad} and the trainer zeroes it once per step.
 * Non-trainable parameters (BatchNormalization's moving statistics) have a gradient array
 * that stays zero and are skipped by optimizers; that is fixed when the layer is built.
 *
 * <p>A trainable parameter can also be <em>frozen</em>, a state that may change between steps
 * (airbench94 trains the whitening conv's bias for 3 epochs, then freezes it): optimizers leave a
 * frozen parameter untouched (no update, no weight decay; its optimizer slots keep their values
 * for when it is unfrozen), and a layer may skip computing its gradient, which then stays zero.
 * Frozen parameters count as non-trainable in {@link Summary}, as in Keras. The state is not
 * saved in model or checkpoint files: derive it from the epoch (a {@code FreezeSchedule}
 * callback) so that a resumed run gets it back.
 */
public final class Param {
    private final String name;
    private final Shape shape;
    private final float[] value;
    private final float[] grad;
    private final boolean trainable;
    private boolean frozen;

    public Param(String name, Shape shape, boolean trainable) {
        this.name = name;
        this.shape = shape;
        this.value = new float[shape.size()];
        this.grad = new float[shape.size()];
        this.trainable = trainable;
    }

    /** Short name within its layer, as Keras names it: {@code kernel}, {@code bias}, {@code gamma}, {@code moving_mean}. */
    public String name() {
        return name;
    }

    public Shape shape() {
        return shape;
    }

    public float[] value() {
        return value;
    }

    public float[] grad() {
        return grad;
    }

    public boolean trainable() {
        return trainable;
    }

    /** Trained by optimizers when the model trains: {@link #trainable()} and not {@link #frozen()}. */
    public boolean updatable() {
        return trainable && !frozen;
    }

    public boolean frozen() {
        return frozen;
    }

    /**
     * Freezes or unfreezes this parameter from the next step on. Freezing a non-trainable
     * parameter changes nothing (it is never trained).
     */
    public void setFrozen(boolean frozen) {
        this.frozen = frozen;
    }

    public int size() {
        return value.length;
    }
}
