package dev.fovea.train;

import java.util.Map;

/**
 * Hooks into {@code Trainer.fit}, as Keras callbacks. Lifecycle: {@link #onTrainBegin} once per
 * {@code fit} call → for each epoch {@link #onEpochBegin}, {@link #onBatchEnd} after every step,
 * {@link #onEpochEnd} with the epoch's logs (train and {@code val_} metrics) → {@link #onTrainEnd}.
 * Epoch numbers count from 1. A callback stops training with {@link TrainContext#stop(String)}.
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
}
