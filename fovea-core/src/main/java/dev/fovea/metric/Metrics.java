package dev.fovea.metric;

import dev.fovea.FoveaException;
import dev.fovea.tensor.Tensor;

/** Shared argument checks of the metrics; not part of the API. */
final class Metrics {
    private Metrics() {
    }

    /** Returns the batch size after checking predictions are (N, K) and labels are N indices in [0, K). */
    static int checkedBatch(String metric, Tensor predictions, int[] labels) {
        if (predictions.shape().rank() != 2) {
            throw new FoveaException(metric + ": expects predictions of shape (batch, classes), received "
                    + predictions.shape());
        }
        int n = predictions.dim(0);
        int k = predictions.dim(1);
        if (labels.length != n) {
            throw new FoveaException(metric + ": expects " + n + " labels for predictions of shape "
                    + predictions.shape() + ", received " + labels.length);
        }
        for (int i = 0; i < n; i++) {
            if (labels[i] < 0 || labels[i] >= k) {
                throw new FoveaException(metric + ": label " + labels[i] + " at batch index " + i
                        + " is outside [0, " + k + "); check that the model's output units match the number of classes");
            }
        }
        return n;
    }

    /** A saved {correct, total} pair as exact counts; a checkpoint of another metric is refused. */
    static long[] counts(String metric, double[] state) {
        if (state.length != 2 || state[0] < 0 || state[1] < state[0] || state[0] != Math.rint(state[0])
                || state[1] != Math.rint(state[1])) {
            throw new FoveaException(metric + ": expects a saved state of 2 whole counts (correct <= total), received "
                    + java.util.Arrays.toString(state) + "; the checkpoint was written for other metrics");
        }
        return new long[]{(long) state[0], (long) state[1]};
    }
}
