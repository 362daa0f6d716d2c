package dev.fovea.nn;

/**
 * Keras {@code MaxPooling2D}: the maximum of each window over NHWC input, channel by channel.
 * With SAME padding, padded positions never win. Backward routes each gradient to the first
 * maximum of its window. Has no parameters.
 */
public final class MaxPooling2D extends PoolingLayer {
    /** A square pool with strides equal to the pool size and VALID padding (Keras's defaults). */
    public MaxPooling2D(int poolSize) {
        this(poolSize, poolSize, poolSize, poolSize, Padding.VALID);
    }

    public MaxPooling2D(int poolH, int poolW, int strideH, int strideW, Padding padding) {
        super(new PoolWindow(poolH, poolW, strideH, strideW, padding), true);
    }

    @Override
    public String typeName() {
        return "MaxPooling2D";
    }
}
