package dev.fovea.optim;

import dev.fovea.FoveaException;

/**
 * The one-cycle policy as PyTorch's {@code OneCycleLR} (two phases, the learning-rate part
 * only): from {@code maxLr/divFactor} up to {@code maxLr} until step {@code pctStart·totalSteps − 1},
 * then down to {@code maxLr/(divFactor·finalDivFactor)} at step {@code totalSteps − 1}, each phase
 * annealed by cosine or linearly. Steps past the end stay at the final rate (PyTorch raises).
 * Defaults: pctStart 0.3, divFactor 25, finalDivFactor 1e4, cosine.
 */
public record OneCycle(double maxLr, long totalSteps, double pctStart, double divFactor, double finalDivFactor,
                       Anneal anneal) implements LearningRateSchedule {
    public enum Anneal { COSINE, LINEAR }

    public OneCycle {
        if (!(maxLr >= 0) || totalSteps < 1 || !(pctStart > 0 && pctStart < 1) || !(divFactor > 0)
                || !(finalDivFactor > 0) || anneal == null) {
            throw new FoveaException("OneCycle: expects maxLr >= 0, totalSteps >= 1, pctStart in (0, 1), positive "
                    + "divFactor and finalDivFactor, received " + maxLr + ", " + totalSteps + ", " + pctStart + ", "
                    + divFactor + ", " + finalDivFactor);
        }
    }

    /** PyTorch's defaults. */
    public OneCycle(double maxLr, long totalSteps) {
        this(maxLr, totalSteps, 0.3, 25, 1e4, Anneal.COSINE);
    }

    @Override
    public double at(long step) {
        double initial = maxLr / divFactor;
        double last = initial / finalDivFactor;
        double peakStep = pctStart * totalSteps - 1;
        double endStep = totalSteps - 1;
        if (step <= peakStep) {
            return anneal(initial, maxLr, peakStep <= 0 ? 1 : step / peakStep);
        }
        double pct = endStep <= peakStep ? 1 : Math.min(1, (step - peakStep) / (endStep - peakStep));
        return anneal(maxLr, last, pct);
    }

    private double anneal(double from, double to, double pct) {
        return anneal == Anneal.COSINE
                ? to + (from - to) / 2 * (Math.cos(Math.PI * pct) + 1)
                : (to - from) * pct + from;
    }
}
