package dev.fovea.metric;

import dev.fovea.tensor.Tensor;

/**
 * Sparse categorical accuracy: the fraction of samples whose highest score is at the label.
 * Ties go to the first maximum (as {@code argmax} in NumPy and Keras), so a row of equal
 * scores counts as a prediction of class 0. Named {@code accuracy}, as Keras shows
 * {@code metrics=["accuracy"]} with a sparse loss.
 */
public final class Accuracy extends CountMetric {
    @Override
    public String name() {
        return "accuracy";
    }

    @Override
    public void update(Tensor predictions, int[] labels) {
        int n = Metrics.checkedBatch(name(), predictions, labels);
        int k = predictions.dim(1);
        float[] p = predictions.data();
        for (int i = 0, off = 0; i < n; i++, off += k) {
            if (argmax(p, off, k) == labels[i]) {
                correct++;
            }
        }
        total += n;
    }

    /** Index of the first maximum of {@code x[off .. off+k)}; NaN entries never win. */
    public static int argmax(float[] x, int off, int k) {
        int best = 0;
        float max = Float.NEGATIVE_INFINITY;
        for (int j = 0; j < k; j++) {
            if (x[off + j] > max) {
                max = x[off + j];
                best = j;
            }
        }
        return best;
    }
}
