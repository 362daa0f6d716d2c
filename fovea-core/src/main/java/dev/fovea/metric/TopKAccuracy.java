package dev.fovea.metric;

import dev.fovea.FoveaException;
import dev.fovea.tensor.Tensor;

/**
 * Keras's {@code SparseTopKCategoricalAccuracy}: the fraction of samples whose label is among
 * the k highest scores (Keras default k = 5). Ties follow TensorFlow's {@code in_top_k}: the
 * label counts as in the top k when fewer than k classes score strictly higher, so tied classes
 * straddling the boundary all count (with k = 1 this can exceed {@link Accuracy}, which breaks
 * ties by first index). A NaN score at the label never counts.
 *
 * <p>Display name: Keras's default {@code sparse_top_k_categorical_accuracy}; the second
 * constructor takes another (e.g. {@code top5_accuracy}) for history columns.
 */
public final class TopKAccuracy extends CountMetric {
    private final int k;
    private final String name;

    public TopKAccuracy(int k) {
        this(k, "sparse_top_k_categorical_accuracy");
    }

    public TopKAccuracy(int k, String name) {
        if (k < 1) {
            throw new FoveaException(name + ": k must be at least 1, received " + k);
        }
        this.k = k;
        this.name = name;
    }

    public int k() {
        return k;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public void update(Tensor predictions, int[] labels) {
        int n = Metrics.checkedBatch(name, predictions, labels);
        int classes = predictions.dim(1);
        float[] p = predictions.data();
        for (int i = 0, off = 0; i < n; i++, off += classes) {
            float target = p[off + labels[i]];
            if (Float.isNaN(target)) {
                continue;
            }
            int higher = 0;
            for (int j = 0; j < classes; j++) {
                if (p[off + j] > target) {
                    higher++;
                }
            }
            if (higher < k) {
                correct++;
            }
        }
        total += n;
    }
}
