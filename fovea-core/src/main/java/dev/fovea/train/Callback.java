package dev.fovea.train;

import java.util.Map;

/**
 * Hooks into {@code Trainer.fit}, as Keras callbacks. Lifecycle: {@link #onTrainBegin} once per
 * {@code fit} call → for each epoch {@link #onEpochBegin}, {@link #onBatchEnd} after every step,
 * {@link #onEpochEnd} with the epoch's logs (train and {@code val_} metrics) → {@link #onTrainEnd}.
 * Epoch numbers count from 1. A callback stops training with {@link TrainContext#stop(String)}.
 *
 * <p>A callback that carries numbers from step to step (an EMA of the weights) returns them from
 * {@link #state()}; training checkpoints save them and a resumed {@code fit} hands them back
 * through {@link #restoreState} before {@link #onTrainBegin}, so the run continues bit-for-bit.
 */
public interface Callback {
    default void onTrainBegin(TrainContext ctx) {
    }

    default void onEpochBegin(TrainContext ctx, int epoch) {
    }

    default void onBatchEnd(TrainContext ctx, int step, Map<String, Double> logs) {
    }

    default void onEpochEnd(TrainContext ctx, int epoch, Map<String, Double> logs) {
    }

    default void onTrainEnd(TrainContext ctx) {
    }

    /**
     * Copies of the tensors a checkpoint must keep for this callback, saved as
     * {@code callback/<key>}; keys start with the callback's own prefix (e.g. {@code ema/}) so
     * callbacks do not collide. Empty by default.
     */
    default Map<String, float[]> state() {
        return Map.of();
    }

    /**
     * Called once, before {@link #onTrainBegin} of the first {@code fit} after a checkpoint was
     * restored, with every callback tensor of that checkpoint (keys as {@link #state()} returned
     * them); a callback takes its own keys and ignores the others. Not modified.
     */
    default void restoreState(Map<String, float[]> saved) {
    }
}
