package dev.fovea.optim;

import dev.fovea.FoveaException;

/**
 * A learning rate rising geometrically from {@code start} at step 0 to {@code end} at step
 * {@code steps − 1}, and holding {@code end} after it: the schedule of the learning-rate range
 * test ({@link dev.fovea.train.LearningRateFinder}), equal steps on a log axis.
 */
public record ExponentialRamp(double start, double end, long steps) implements LearningRateSchedule {
    public ExponentialRamp {
        if (!(start > 0) || !(end > start) || Double.isInfinite(end)) {
            throw new FoveaException("learning-rate ramp: expected 0 < start < end, both finite, received start "
                    + start + " and end " + end);
        }
        if (steps < 2) {
            throw new FoveaException("learning-rate ramp: expected at least 2 steps, received " + steps);
        }
    }

    @Override
    public double at(long step) {
        double t = Math.min(Math.max(step, 0), steps - 1) / (double) (steps - 1);
        return start * Math.pow(end / start, t);
    }
}
