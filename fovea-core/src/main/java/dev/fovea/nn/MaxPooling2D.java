package dev.fovea.nn;

/**
 * Keras {@code MaxPooling2D}: the maximum of each window over NHWC input, channel by channel.
 * With SAME padding, padded positions never win. Backward routes each gradient to the first
 * maximum of its window. Has no parameters.
 */
public final class MaxPooling2D extends PoolingLayer {
    /** A square pool with strides equal to the pool size and VALID padding (Keras's defaults). */
    public MaxPooling2D(int poolSize) {
        this(PoolWindow.of(poolSize));
    }

    /** Any configuration: {@code new MaxPooling2D(PoolWindow.of(3).strides(2).padding(Padding.SAME))}. */
    public MaxPooling2D(PoolWindow window) {
        super(window, true);
    }

    /** Pool size, strides and padding. */
    @Override
    public PoolWindow window() {
        return super.window();
    }

    static MaxPooling2D fromConfig(LayerConfig c) {
        return new MaxPooling2D(PoolWindow.fromConfig(c));
    }
}
