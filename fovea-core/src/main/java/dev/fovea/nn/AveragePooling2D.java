package dev.fovea.nn;

/**
 * Keras {@code AveragePooling2D}: the mean of each window over NHWC input, channel by channel.
 * With SAME padding the mean is over the valid (non-padded) elements only, as in Keras and
 * TensorFlow (PyTorch's {@code count_include_pad=False}). Has no parameters.
 */
public final class AveragePooling2D extends PoolingLayer {
    /** A square pool with strides equal to the pool size and VALID padding (Keras's defaults). */
    public AveragePooling2D(int poolSize) {
        this(PoolWindow.of(poolSize));
    }

    /** Any configuration: {@code new AveragePooling2D(PoolWindow.of(3).strides(2).padding(Padding.SAME))}. */
    public AveragePooling2D(PoolWindow window) {
        super(window, false);
    }

    /** Pool size, strides and padding. */
    @Override
    public PoolWindow window() {
        return super.window();
    }

    static AveragePooling2D fromConfig(LayerConfig c) {
        return new AveragePooling2D(PoolWindow.fromConfig(c));
    }
}
