package dev.fovea.optim;

import dev.fovea.FoveaException;

/**
 * Keras's {@code CosineDecay} without warm-up (wrap it in {@link LinearWarmup} for that):
 * with s = min(step, decaySteps), {@code initial · ((1 − alpha)·½(1 + cos(π·s/decaySteps)) + alpha)}.
 * After decaySteps the rate stays at {@code initial · alpha}.
 */
public record CosineDecay(double initial, long decaySteps, double alpha) implements LearningRateSchedule {
    public CosineDecay {
        if (!(initial >= 0) || decaySteps < 1 || !(alpha >= 0 && alpha <= 1)) {
            throw new FoveaException("CosineDecay: expects initial >= 0, decaySteps >= 1 and alpha in [0, 1], received "
                    + initial + ", " + decaySteps + ", " + alpha);
        }
    }

    /** Keras default alpha 0: decays to zero. */
    public CosineDecay(double initial, long decaySteps) {
        this(initial, decaySteps, 0.0);
    }

    @Override
    public double at(long step) {
        double s = Math.min(step, decaySteps);
        double cosine = 0.5 * (1 + Math.cos(Math.PI * s / decaySteps));
        return initial * ((1 - alpha) * cosine + alpha);
    }
}
