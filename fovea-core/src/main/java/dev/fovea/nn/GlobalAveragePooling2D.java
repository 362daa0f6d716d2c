package dev.fovea.nn;

/**
 * Keras {@code GlobalAveragePooling2D} ({@code keepdims=False}): the mean over all positions of
 * each channel, (H, W, C) → (C,).
 */
public final class GlobalAveragePooling2D extends PoolingLayer {
    public GlobalAveragePooling2D() {
        super(null, false);
    }

    static GlobalAveragePooling2D fromConfig(LayerConfig c) {
        return globalFromConfig(c, new GlobalAveragePooling2D());
    }
}
