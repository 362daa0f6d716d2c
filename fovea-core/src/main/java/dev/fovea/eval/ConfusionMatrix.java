package dev.fovea.eval;

import dev.fovea.FoveaException;
import java.util.ArrayList;
import java.util.List;

/**
 * Counts of (true class, predicted class) pairs over an evaluation set: {@code count(t, p)} is
 * the number of examples of class {@code t} predicted as {@code p}, so rows are true classes and
 * columns predictions, as in scikit-learn's {@code confusion_matrix}. Immutable. Not a metric
 * accumulator for training: it is built once from complete label arrays.
 */
public final class ConfusionMatrix {
    private final List<String> classNames;
    private final long[][] counts;
    private final long total;

    private ConfusionMatrix(List<String> classNames, long[][] counts, long total) {
        this.classNames = classNames;
        this.counts = counts;
        this.total = total;
    }

    /**
     * Counts the pairs {@code (trueLabels[i], predicted[i])}.
     *
     * @param trueLabels (N) read; values in {@code [0, K)}
     * @param predicted  (N) read; values in {@code [0, K)}
     * @param classNames (K) names in label order
     * @throws FoveaException if the lengths differ, N is 0, or a label lies outside {@code [0, K)}
     */
    public static ConfusionMatrix of(int[] trueLabels, int[] predicted, List<String> classNames) {
        int k = classNames.size();
        if (k == 0) {
            throw new FoveaException("confusion matrix: expects at least one class name, received none; "
                    + "pass the dataset's class names");
        }
        if (trueLabels.length != predicted.length) {
            throw new FoveaException("confusion matrix: expects as many predictions as true labels, received "
                    + predicted.length + " predictions for " + trueLabels.length + " labels; "
                    + "predict on the same examples the labels come from");
        }
        if (trueLabels.length == 0) {
            throw new FoveaException("confusion matrix: expects at least one example, received an empty "
                    + "evaluation set; check the data path");
        }
        long[][] counts = new long[k][k];
        for (int i = 0; i < trueLabels.length; i++) {
            checkLabel("true label", i, trueLabels[i], k);
            checkLabel("predicted label", i, predicted[i], k);
            counts[trueLabels[i]][predicted[i]]++;
        }
        return new ConfusionMatrix(List.copyOf(classNames), counts, trueLabels.length);
    }

    private static void checkLabel(String what, int index, int label, int k) {
        if (label < 0 || label >= k) {
            throw new FoveaException("confusion matrix: " + what + " of example " + index + " is " + label
                    + ", expected a value in [0, " + k + ") for " + k + " classes; "
                    + "check that the model and the data use the same classes");
        }
    }

    public int numClasses() {
        return classNames.size();
    }

    public List<String> classNames() {
        return classNames;
    }

    /** Number of examples of class {@code trueClass} predicted as {@code predictedClass}. */
    public long count(int trueClass, int predictedClass) {
        return counts[trueClass][predictedClass];
    }

    /** A copy of the counts, (K,K), rows true classes. */
    public long[][] counts() {
        long[][] copy = new long[counts.length][];
        for (int i = 0; i < counts.length; i++) {
            copy[i] = counts[i].clone();
        }
        return copy;
    }

    /** Number of examples. */
    public long total() {
        return total;
    }

    /** Examples whose true class is {@code c} (the row sum; scikit-learn's "support"). */
    public long support(int c) {
        long s = 0;
        for (long v : counts[c]) {
            s += v;
        }
        return s;
    }

    /** Examples predicted as {@code c} (the column sum). */
    public long predictedCount(int c) {
        long s = 0;
        for (long[] row : counts) {
            s += row[c];
        }
        return s;
    }

    /** Fraction of examples on the diagonal. */
    public double accuracy() {
        long correct = 0;
        for (int i = 0; i < counts.length; i++) {
            correct += counts[i][i];
        }
        return (double) correct / total;
    }

    /**
     * Each row divided by its sum, so entry {@code (t, p)} is the fraction of class {@code t}
     * predicted as {@code p} and the diagonal is per-class recall. A class absent from the
     * evaluation set gets a row of zeros rather than NaN, so charts and tables stay drawable.
     */
    public double[][] rowNormalized() {
        int k = counts.length;
        double[][] out = new double[k][k];
        for (int t = 0; t < k; t++) {
            long s = support(t);
            if (s == 0) {
                continue;
            }
            for (int p = 0; p < k; p++) {
                out[t][p] = (double) counts[t][p] / s;
            }
        }
        return out;
    }

    /** Per-class precision, recall, F1 and support of this matrix. */
    public ClassMetrics classMetrics() {
        return ClassMetrics.of(this);
    }

    /**
     * The {@code k} largest off-diagonal cells with a non-zero count, largest first; ties keep
     * row-major class order (true class, then predicted class), so the result is deterministic.
     */
    public List<ConfusedPair> mostConfused(int k) {
        if (k < 0) {
            throw new IllegalArgumentException("k must be >= 0, got " + k);
        }
        List<ConfusedPair> pairs = new ArrayList<>();
        for (int t = 0; t < counts.length; t++) {
            long s = support(t);
            for (int p = 0; p < counts.length; p++) {
                if (t != p && counts[t][p] > 0) {
                    pairs.add(new ConfusedPair(t, p, classNames.get(t), classNames.get(p), counts[t][p],
                            (double) counts[t][p] / s));
                }
            }
        }
        // List.sort is stable, so equal counts keep the row-major order they were added in.
        pairs.sort((a, b) -> Long.compare(b.count(), a.count()));
        return List.copyOf(pairs.subList(0, Math.min(k, pairs.size())));
    }
}
