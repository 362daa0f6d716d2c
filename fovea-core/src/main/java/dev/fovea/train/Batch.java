package dev.fovea.train;

import dev.fovea.tensor.Tensor;

/**
 * One batch as the trainer consumes it: float inputs {@code x (n, ...)} already preprocessed,
 * and labels (n). Both may be recycled buffers, valid until the next batch is requested.
 */
public record Batch(Tensor x, int[] labels) {
    public int size() {
        return labels.length;
    }
}
