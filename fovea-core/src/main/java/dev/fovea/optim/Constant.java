package dev.fovea.optim;

import dev.fovea.FoveaException;

/** A fixed learning rate; what an optimizer built from a plain number uses. */
public record Constant(double learningRate) implements LearningRateSchedule {
    public Constant {
        if (!(learningRate >= 0) || Double.isInfinite(learningRate)) {
            throw new FoveaException("learning rate must be finite and >= 0, received " + learningRate);
        }
    }

    @Override
    public double at(long step) {
        return learningRate;
    }

    @Override
    public String toString() {
        return Double.toString(learningRate);
    }
}
