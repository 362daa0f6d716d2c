package dev.fovea.optim;

import dev.fovea.FoveaException;

/**
 * A linear ramp from {@code start} to {@code after.at(0)} over {@code warmupSteps}, then
 * {@code after} shifted by the warm-up: {@code after.at(step − warmupSteps)}. This is Keras's
 * {@code CosineDecay(initial_learning_rate=start, warmup_target=T, warmup_steps=W)} when
 * {@code after} is a {@code CosineDecay} starting at T.
 */
public record LinearWarmup(LearningRateSchedule after, long warmupSteps, double start) implements LearningRateSchedule {
    public LinearWarmup {
        if (after == null || warmupSteps < 0 || !(start >= 0)) {
            throw new FoveaException("LinearWarmup: expects a schedule, warmupSteps >= 0 and start >= 0, received "
                    + after + ", " + warmupSteps + ", " + start);
        }
    }

    /** Warm-up from zero. */
    public LinearWarmup(LearningRateSchedule after, long warmupSteps) {
        this(after, warmupSteps, 0.0);
    }

    @Override
    public double at(long step) {
        if (step >= warmupSteps) {
            return after.at(step - warmupSteps);
        }
        return start + (after.at(0) - start) * ((double) step / warmupSteps);
    }
}
