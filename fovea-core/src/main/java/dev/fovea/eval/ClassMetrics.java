package dev.fovea.eval;

import java.util.List;

/**
 * Per-class precision, recall, F1 and support computed from a {@link ConfusionMatrix}, with
 * macro (unweighted mean over all K classes) and weighted (by support) averages, matching
 * scikit-learn's {@code classification_report} with {@code labels=range(K)} and
 * {@code zero_division=0}.
 *
 * <p>Zero-division convention (scikit-learn's {@code zero_division=0}): the precision of a class
 * that is never predicted is 0, the recall of a class absent from the evaluation set is 0, and
 * F1 is 0 when precision and recall are both 0. Such classes still count in the macro average,
 * so a model that ignores a class is penalized rather than flattered. Immutable.
 */
public final class ClassMetrics {
    /** One averaged row: precision, recall and F1, and the total support they cover. */
    public record Average(double precision, double recall, double f1, long support) {
    }

    private final List<String> classNames;
    private final double[] precision;
    private final double[] recall;
    private final double[] f1;
    private final long[] support;
    private final double accuracy;

    private ClassMetrics(List<String> classNames, double[] precision, double[] recall, double[] f1,
                         long[] support, double accuracy) {
        this.classNames = classNames;
        this.precision = precision;
        this.recall = recall;
        this.f1 = f1;
        this.support = support;
        this.accuracy = accuracy;
    }

    public static ClassMetrics of(ConfusionMatrix cm) {
        int k = cm.numClasses();
        double[] precision = new double[k];
        double[] recall = new double[k];
        double[] f1 = new double[k];
        long[] support = new long[k];
        for (int c = 0; c < k; c++) {
            long tp = cm.count(c, c);
            long predicted = cm.predictedCount(c);
            support[c] = cm.support(c);
            precision[c] = predicted == 0 ? 0.0 : (double) tp / predicted;
            recall[c] = support[c] == 0 ? 0.0 : (double) tp / support[c];
            double pr = precision[c] + recall[c];
            f1[c] = pr == 0 ? 0.0 : 2 * precision[c] * recall[c] / pr;
        }
        return new ClassMetrics(cm.classNames(), precision, recall, f1, support, cm.accuracy());
    }

    public int numClasses() {
        return classNames.size();
    }

    public List<String> classNames() {
        return classNames;
    }

    public double precision(int c) {
        return precision[c];
    }

    public double recall(int c) {
        return recall[c];
    }

    public double f1(int c) {
        return f1[c];
    }

    public long support(int c) {
        return support[c];
    }

    /** Overall accuracy of the matrix these metrics come from (equals micro-averaged recall). */
    public double accuracy() {
        return accuracy;
    }

    /** Unweighted mean over all K classes, including never-predicted and absent ones. */
    public Average macroAverage() {
        int k = numClasses();
        double p = 0, r = 0, f = 0;
        long n = 0;
        for (int c = 0; c < k; c++) {
            p += precision[c];
            r += recall[c];
            f += f1[c];
            n += support[c];
        }
        return new Average(p / k, r / k, f / k, n);
    }

    /** Mean weighted by each class's support. */
    public Average weightedAverage() {
        double p = 0, r = 0, f = 0;
        long n = 0;
        for (int c = 0; c < numClasses(); c++) {
            p += precision[c] * support[c];
            r += recall[c] * support[c];
            f += f1[c] * support[c];
            n += support[c];
        }
        return new Average(p / n, r / n, f / n, n);
    }
}
