package dev.fovea.tensor;

import java.util.Arrays;

/**
 * A dense float32 array with a shape, row-major (NHWC for images, HWIO for conv kernels).
 * The array is exposed on purpose: kernels work on {@code float[]} directly. Not a view type:
 * a tensor owns its whole array.
 */
public final class Tensor {
    private final Shape shape;
    private final float[] data;

    public Tensor(Shape shape, float[] data) {
        if (data.length != shape.size()) {
            throw new IllegalArgumentException("shape " + shape + " needs " + shape.size()
                    + " elements, received an array of " + data.length);
        }
        this.shape = shape;
        this.data = data;
    }

    public static Tensor zeros(Shape shape) {
        return new Tensor(shape, new float[shape.size()]);
    }

    public static Tensor zeros(int... dims) {
        return zeros(Shape.of(dims));
    }

    public Shape shape() {
        return shape;
    }

    public float[] data() {
        return data;
    }

    public int size() {
        return data.length;
    }

    public int dim(int i) {
        return shape.dim(i);
    }

    /** The same data under another shape of equal size (shares the array). */
    public Tensor reshape(Shape newShape) {
        return new Tensor(newShape, data);
    }

    public Tensor copy() {
        return new Tensor(shape, data.clone());
    }

    public void fill(float v) {
        Arrays.fill(data, v);
    }

    @Override
    public String toString() {
        return "Tensor" + shape;
    }
}
