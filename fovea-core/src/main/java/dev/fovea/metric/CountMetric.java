package dev.fovea.metric;

/**
 * The one helper of the metrics that count hits: the exact {@code correct} and {@code total}
 * counts, the fraction they give, reset, and their checkpoint state. Subclasses say only what a
 * hit is ({@link #update}). Public so that metrics outside this package (the Spark trainer's
 * global-batch accuracy) count the same way.
 */
public abstract class CountMetric implements Metric {
    /** Samples counted as right since the last reset. */
    protected long correct;
    /** Samples seen since the last reset. */
    protected long total;

    @Override
    public double result() {
        return total == 0 ? 0.0 : (double) correct / total;
    }

    @Override
    public void reset() {
        correct = 0;
        total = 0;
    }

    @Override
    public double[] state() {
        return new double[]{correct, total};
    }

    @Override
    public void restore(double[] state) {
        long[] counts = Metrics.counts(name(), state);
        correct = counts[0];
        total = counts[1];
    }
}
