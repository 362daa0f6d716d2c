package dev.fovea.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Value-axis ticks as people draw them: consecutive multiples {@code first·step .. last·step} of
 * a step of 1, 2 or 5 times a power of ten, covering the data, 4 to 7 of them, each printed with
 * the step's decimals ({@code 1.2, 1.4, …} or {@code 2.30240, 2.30245, …}). The same rule as
 * Heckbert's "nice numbers" and matplotlib's default locator, simplified to one step candidate.
 * Not a chart: {@link Charts} hands these to XChart.
 *
 * @param step the distance between ticks, {@code m·10^e} with m in {1, 2, 5}
 * @param first the lowest tick in steps (the axis minimum is {@code first·step})
 * @param last the highest tick in steps
 * @param decimals decimals that print every multiple of {@code step} exactly
 */
record NiceTicks(double step, long first, long last, int decimals) {
    /** Fewest intervals wanted: with at most 5 the ticks number 4 to 7 (see {@link #of}). */
    private static final int INTERVALS = 5;
    // Data that lands within this fraction of a step from a tick counts as on it, so that
    // 2.3024 / 0.00005 = 46047.99999999999 still starts the axis at 2.30240.
    private static final double SNAP = 1e-6;

    /**
     * Ticks for data in {@code [lo, hi]} (finite). The step is the smallest 1-2-5 value of at
     * least (hi − lo)/5, so the data spans between 2 and 5 steps and the rounded-out ends add at
     * most one more. A single value is widened by 5% of itself (or 0.05 around zero) so it sits
     * mid-axis.
     */
    static NiceTicks of(double lo, double hi) {
        if (!(Double.isFinite(lo) && Double.isFinite(hi) && lo <= hi)) {
            throw new IllegalArgumentException("axis range needs finite lo ≤ hi, received [" + lo + ", " + hi + "]");
        }
        if (hi - lo <= Math.ulp(Math.max(Math.abs(lo), Math.abs(hi))) * 16) {
            double pad = lo == 0 ? 0.05 : Math.abs(lo) * 0.05;
            lo -= pad;
            hi += pad;
        }
        double raw = (hi - lo) / INTERVALS;
        int exponent = (int) Math.floor(Math.log10(raw));
        double power = Math.pow(10, exponent);
        double step = 10 * power;
        for (int m : new int[] {1, 2, 5}) {
            if (m * power >= raw * (1 - 1e-12)) {
                step = m * power;
                break;
            }
        }
        long first = (long) Math.floor(lo / step + SNAP);
        long last = (long) Math.ceil(hi / step - SNAP);
        int decimals = Math.max(0, -(int) Math.floor(Math.log10(step) + 1e-9));
        return new NiceTicks(step, first, last, decimals);
    }

    /** The label of the tick {@code k} steps from zero, e.g. {@code 2.30245} for k = 46049 at step 0.00005. */
    String label(long k) {
        return String.format(Locale.ROOT, "%." + decimals + "f", k * step);
    }

    /** Every tick's label, lowest first. */
    List<String> labels() {
        List<String> out = new ArrayList<>();
        for (long k = first; k <= last; k++) {
            out.add(label(k));
        }
        return out;
    }
}
