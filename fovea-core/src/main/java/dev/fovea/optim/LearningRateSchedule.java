package dev.fovea.optim;

/**
 * The base learning rate as a function of the global step: the number of optimizer steps
 * already applied (0 for the first batch), as Keras's {@code LearningRateSchedule.__call__(step)}.
 * Schedules that need the run length (one-cycle) take the total number of steps when built;
 * epoch-based schedules are expressed in steps ({@code epochs × steps per epoch}).
 * Implementations are immutable records, so resuming only needs the step count.
 */
public interface LearningRateSchedule {
    double at(long step);
}
