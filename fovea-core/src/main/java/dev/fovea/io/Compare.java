package dev.fovea.io;

/**
 * The tolerance rule for checking float32 results against the float64 PyTorch reference cases:
 * an element passes when {@code |a − b| ≤ 1e-4 + 1e-3·|b|}, with {@code a} the actual and
 * {@code b} the expected value (the rule of /shared/reference/README.md, numpy's
 * {@code isclose} with atol 1e-4 and rtol 1e-3). NaN never passes. Not a test assertion
 * library: it returns a {@link Result} that callers report or assert on.
 */
public final class Compare {
    public static final double ATOL = 1e-4;
    public static final double RTOL = 1e-3;

    private Compare() {
    }

    /** Whether one element passes; evaluated in double so the bound itself is not rounded to float. */
    public static boolean close(float actual, float expected) {
        return Math.abs((double) actual - expected) <= ATOL + RTOL * Math.abs((double) expected);
    }

    /** Compares element by element; a length mismatch fails the whole comparison. */
    public static Result floats(float[] actual, float[] expected) {
        if (actual.length != expected.length) {
            return new Result(expected.length, expected.length, Double.NaN, -1, Float.NaN, Float.NaN,
                    "length " + actual.length + ", expected " + expected.length);
        }
        int failures = 0;
        double maxAbs = 0;
        int worst = -1;
        double worstRatio = -1;
        for (int i = 0; i < expected.length; i++) {
            double diff = Math.abs((double) actual[i] - expected[i]);
            // NaN compares false everywhere, so it is routed explicitly: it fails, poisons the
            // maximum and is the worst element (the first one found).
            double ratio = Double.isNaN(diff) ? Double.POSITIVE_INFINITY
                    : diff / (ATOL + RTOL * Math.abs((double) expected[i]));
            if (!close(actual[i], expected[i])) {
                failures++;
            }
            if (Double.isNaN(diff) || Double.isNaN(maxAbs)) {
                maxAbs = Double.NaN;
            } else {
                maxAbs = Math.max(maxAbs, diff);
            }
            if (ratio > worstRatio) {
                worstRatio = ratio;
                worst = i;
            }
        }
        return new Result(expected.length, failures, maxAbs, worst,
                worst < 0 ? Float.NaN : actual[worst], worst < 0 ? Float.NaN : expected[worst], null);
    }

    /**
     * The outcome of one comparison.
     *
     * @param length        number of expected elements
     * @param failures      elements outside the tolerance (all of them on a length mismatch)
     * @param maxAbsError   largest {@code |a − b|}; NaN if any element was NaN or lengths differ
     * @param worstIndex    element furthest outside (or least inside) its own tolerance, -1 if none
     * @param worstActual   actual value at {@code worstIndex}
     * @param worstExpected expected value at {@code worstIndex}
     * @param problem       a structural problem (length mismatch), or null
     */
    public record Result(int length, int failures, double maxAbsError, int worstIndex,
                         float worstActual, float worstExpected, String problem) {
        public boolean passed() {
            return problem == null && failures == 0;
        }

        /** One line for logs and assertion messages. */
        public String describe() {
            if (problem != null) {
                return "FAILED: " + problem;
            }
            String max = String.format("max |a-b| %.3g", maxAbsError);
            if (passed()) {
                return "passed: " + length + " elements, " + max;
            }
            return "FAILED: " + failures + " of " + length + " elements outside " + ATOL + " + " + RTOL
                    + "*|b|; " + max + "; worst at index " + worstIndex + ": actual " + worstActual
                    + ", expected " + worstExpected;
        }
    }
}
