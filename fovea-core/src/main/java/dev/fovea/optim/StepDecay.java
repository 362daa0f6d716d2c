package dev.fovea.optim;

import dev.fovea.FoveaException;

/**
 * Piecewise-constant decay: {@code initial · factor^floor(step / everySteps)}, e.g. factor 0.1
 * every 30 epochs' worth of steps. Equals Keras's {@code ExponentialDecay(initial, everySteps,
 * factor, staircase=True)} and PyTorch's {@code StepLR(step_size, gamma=factor)} counted in steps.
 */
public record StepDecay(double initial, double factor, long everySteps) implements LearningRateSchedule {
    public StepDecay {
        if (!(initial >= 0) || !(factor > 0) || everySteps < 1) {
            throw new FoveaException("StepDecay: expects initial >= 0, factor > 0 and everySteps >= 1, received "
                    + initial + ", " + factor + ", " + everySteps);
        }
    }

    @Override
    public double at(long step) {
        return initial * Math.pow(factor, (double) (step / everySteps));
    }
}
