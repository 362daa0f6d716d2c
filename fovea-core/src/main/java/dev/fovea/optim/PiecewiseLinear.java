package dev.fovea.optim;

import dev.fovea.FoveaException;
import java.util.Arrays;

/**
 * A learning rate interpolated linearly between knots, as {@code np.interp(step, steps, rates)}:
 * constant at the first rate before the first knot and at the last rate after the last one.
 * airbench's schedule is {@link #warmupDecay}: the base rate times a multiplier rising from 0.2
 * to 1 over the first 23% of the steps, then falling to 0.07 at the end.
 *
 * @param steps knots, in steps, strictly increasing (at least one)
 * @param rates the learning rate at each knot, finite and ≥ 0
 */
public record PiecewiseLinear(double[] steps, double[] rates) implements LearningRateSchedule {
    public PiecewiseLinear {
        if (steps == null || rates == null || steps.length == 0 || steps.length != rates.length) {
            throw new FoveaException("PiecewiseLinear: expects as many knots as rates, at least one, received "
                    + (steps == null ? "no" : steps.length) + " knots and " + (rates == null ? "no" : rates.length)
                    + " rates");
        }
        steps = steps.clone();
        rates = rates.clone();
        for (int i = 0; i < steps.length; i++) {
            if (!Double.isFinite(steps[i]) || (i > 0 && !(steps[i] > steps[i - 1]))) {
                throw new FoveaException("PiecewiseLinear: knots must be finite and strictly increasing, received "
                        + Arrays.toString(steps));
            }
            if (!(rates[i] >= 0) || Double.isInfinite(rates[i])) {
                throw new FoveaException("PiecewiseLinear: rates must be finite and >= 0, received "
                        + Arrays.toString(rates));
            }
        }
    }

    /**
     * {@code baseLr × np.interp(step, [0, ⌊peakFraction·T⌋, T], [start, 1, end])}, airbench's
     * schedule with (0.23, 0.2, 0.07); the peak step is truncated as airbench's {@code int()}.
     */
    public static PiecewiseLinear warmupDecay(double baseLr, long totalSteps, double peakFraction,
                                              double startMultiplier, double endMultiplier) {
        long peak = (long) (peakFraction * totalSteps);
        if (totalSteps < 1 || !(peakFraction >= 0 && peakFraction < 1) || peak >= totalSteps) {
            throw new FoveaException("PiecewiseLinear.warmupDecay: expects totalSteps >= 1 and a peak fraction in"
                    + " [0, 1) that leaves the peak before the end, received " + totalSteps + " and " + peakFraction);
        }
        if (peak == 0) {
            return new PiecewiseLinear(new double[]{0, totalSteps}, new double[]{baseLr, baseLr * endMultiplier});
        }
        return new PiecewiseLinear(new double[]{0, peak, totalSteps},
                new double[]{baseLr * startMultiplier, baseLr, baseLr * endMultiplier});
    }

    @Override
    public double[] steps() {
        return steps.clone();
    }

    @Override
    public double[] rates() {
        return rates.clone();
    }

    @Override
    public double at(long step) {
        int n = steps.length;
        if (step <= steps[0]) {
            return rates[0];
        }
        if (step >= steps[n - 1]) {
            return rates[n - 1];
        }
        int i = 1;
        while (steps[i] < step) {
            i++;
        }
        double slope = (rates[i] - rates[i - 1]) / (steps[i] - steps[i - 1]);
        return slope * (step - steps[i - 1]) + rates[i - 1];
    }

    @Override
    public String toString() {
        return "PiecewiseLinear(steps=" + Arrays.toString(steps) + ", rates=" + Arrays.toString(rates) + ")";
    }
}
