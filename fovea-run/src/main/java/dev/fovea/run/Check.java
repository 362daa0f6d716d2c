package dev.fovea.run;

import dev.fovea.FoveaException;
import java.util.Locale;

/**
 * The one way every command validates its numeric options, so each rejects nonsense before any
 * work starts and in the same words: {@code --limit 0: expected a whole number ≥ 1 (images of
 * each split), received 0}. A null value means "not given" and passes (the default applies).
 * Failures are {@link FoveaException}s, which every front end prints as its message alone (exit 2).
 */
public final class Check {
    private Check() {
    }

    /** {@code value ≥ min}; {@code what} names the unit, e.g. "images of each split". */
    public static Integer atLeast(String option, Integer value, int min, String what) {
        if (value != null && value < min) {
            throw new FoveaException(option + " " + value + ": expected a whole number ≥ " + min + " (" + what
                    + "), received " + value);
        }
        return value;
    }

    /** A whole number ≥ 1. */
    public static Integer positive(String option, Integer value, String what) {
        return atLeast(option, value, 1, what);
    }

    /** {@code min ≤ value ≤ max}. */
    public static Integer between(String option, Integer value, int min, int max, String what) {
        if (value != null && (value < min || value > max)) {
            throw new FoveaException(option + " " + value + ": expected a whole number from " + min + " to " + max
                    + " (" + what + "), received " + value);
        }
        return value;
    }

    /** A finite number in [lo, hi) (or [lo, hi] when {@code hiInclusive}); NaN and infinities fail. */
    public static Double range(String option, Double value, double lo, double hi, boolean hiInclusive, String what) {
        if (value != null && !(value >= lo && (hiInclusive ? value <= hi : value < hi))) {
            throw new FoveaException(option + " " + fmt(value) + ": expected a number in [" + fmt(lo) + ", "
                    + (Double.isInfinite(hi) ? "∞)" : fmt(hi) + (hiInclusive ? "]" : ")")) + " (" + what
                    + "), received " + fmt(value));
        }
        return value;
    }

    /** A finite number {@code > 0}. */
    public static Double positive(String option, Double value, String what) {
        if (value != null && !(value > 0 && Double.isFinite(value))) {
            throw new FoveaException(option + " " + fmt(value) + ": expected a number > 0 (" + what + "), received "
                    + fmt(value));
        }
        return value;
    }

    private static String fmt(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? String.valueOf((long) v) : String.format(Locale.ROOT, "%s", v);
    }
}
