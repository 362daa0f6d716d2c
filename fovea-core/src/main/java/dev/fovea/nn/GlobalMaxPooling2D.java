package dev.fovea.nn;

/**
 * Keras {@code GlobalMaxPooling2D} ({@code keepdims=False}): the maximum over all positions of
 * each channel, (H, W, C) → (C,). Backward routes each gradient to the first maximum.
 */
public final class GlobalMaxPooling2D extends PoolingLayer {
    public GlobalMaxPooling2D() {
        super(null, true);
    }

    static GlobalMaxPooling2D fromConfig(LayerConfig c) {
        return globalFromConfig(c, new GlobalMaxPooling2D());
    }
}
