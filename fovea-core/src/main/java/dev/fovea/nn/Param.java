package dev.fovea.nn;

import dev.fovea.tensor.Shape;

/**
 * One named weight of a layer (a conv kernel, a bias, a moving mean) with its gradient.
 * {@code value} and {@code grad} are plain arrays that kernels read and write directly;
 * backward passes <em>add</em> into {@code grad} and the trainer zeroes it once per step.
 * Non-trainable parameters (BatchNormalization's moving statistics) have a gradient array
 * that stays zero and are skipped by optimizers.
 */
public final class Param {
    private final String name;
    private final Shape shape;
    private final float[] value;
    private final float[] grad;
    private final boolean trainable;

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

    public int size() {
        return value.length;
    }
}
