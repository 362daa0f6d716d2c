package dev.fovea.nn;

/**
 * Keras {@code AveragePooling2D}: the mean of each window over NHWC input, channel by channel.
 * With SAME padding the mean is over the valid (non-padded) elements only, as in Keras and
 * TensorFlow (PyTorch's {@code count_include_pad=False}). Has no parameters.
 */
public final class AveragePooling2D extends PoolingLayer {
    /** A square pool with strides equal to the pool size and VALID padding (Keras's defaults). */
    public AveragePooling2D(int poolSize) {
        this(poolSize, poolSize, poolSize, poolSize, Padding.VALID);
    }

    public AveragePooling2D(int poolH, int poolW, int strideH, int strideW, Padding padding) {
        super(new PoolWindow(poolH, poolW, strideH, strideW, padding), false);
    }

    @Override
    public String typeName() {
        return "AveragePooling2D";
    }
}
