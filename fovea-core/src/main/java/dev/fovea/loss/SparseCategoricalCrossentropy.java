package dev.fovea.loss;

import dev.fovea.FoveaException;
import dev.fovea.kernel.SoftmaxCrossEntropy;
import dev.fovea.tensor.Tensor;

/**
 * Keras's {@code SparseCategoricalCrossentropy}: cross-entropy between integer labels and
 * predicted class scores, averaged over the batch.
 *
 * <p>{@code fromLogits = true} applies a numerically stable softmax first and returns the
 * gradient wrt the logits, {@code (p − target)/N}. {@code fromLogits = false} (Keras's default)
 * expects probabilities (a final softmax layer), clips them to {@code [1e-7, 1 − 1e-7]} and
 * returns the gradient wrt the probabilities. Label smoothing ε uses the target
 * {@code (1−ε)·onehot + ε/K}, as Keras's {@code CategoricalCrossentropy(label_smoothing)} and
 * PyTorch's {@code CrossEntropyLoss(label_smoothing)} (Keras's sparse loss has no such option;
 * with ε = 0 the two agree exactly).
 *
 * <p>{@link Reduction#SUM} takes the gradient of the loss summed over the batch (PyTorch's
 * {@code reduction='sum'}): {@code p − target} per row instead of {@code (p − target)/N}. The
 * returned value stays the per-sample mean, so logs compare across reductions and batch sizes.
 */
public final class SparseCategoricalCrossentropy implements Loss {
    private final boolean fromLogits;
    private final float labelSmoothing;
    private final Reduction reduction;
    private float[] probs = new float[0];

    /** Keras defaults: probabilities in, no label smoothing. */
    public SparseCategoricalCrossentropy() {
        this(false, 0f);
    }

    public SparseCategoricalCrossentropy(boolean fromLogits, float labelSmoothing) {
        this(fromLogits, labelSmoothing, Reduction.MEAN);
    }

    /** airbench's loss is {@code new SparseCategoricalCrossentropy(true, 0.2f, Reduction.SUM)}. */
    public SparseCategoricalCrossentropy(boolean fromLogits, float labelSmoothing, Reduction reduction) {
        if (reduction == null) {
            throw new FoveaException("sparse_categorical_crossentropy: a reduction is required (MEAN or SUM)");
        }
        if (!(labelSmoothing >= 0f && labelSmoothing <= 1f)) {
            throw new FoveaException("sparse_categorical_crossentropy: label_smoothing must be in [0, 1], received "
                    + labelSmoothing + "; typical values are 0 or 0.1");
        }
        this.fromLogits = fromLogits;
        this.labelSmoothing = labelSmoothing;
        this.reduction = reduction;
    }

    public Reduction reduction() {
        return reduction;
    }

    public boolean fromLogits() {
        return fromLogits;
    }

    public float labelSmoothing() {
        return labelSmoothing;
    }

    @Override
    public String name() {
        return "sparse_categorical_crossentropy";
    }

    @Override
    public float compute(Tensor predictions, int[] labels, Tensor grad) {
        int n = predictions.shape().rank() == 2 ? predictions.dim(0) : -1;
        if (n < 0) {
            throw new FoveaException(name() + ": expects predictions of shape (batch, classes), received "
                    + predictions.shape() + "; flatten or pool the features before the final Dense layer");
        }
        int k = predictions.dim(1);
        if (labels.length != n) {
            throw new FoveaException(name() + ": expects " + n + " labels for predictions of shape "
                    + predictions.shape() + ", received " + labels.length + "; check the batch assembly");
        }
        if (grad != null && !grad.shape().equals(predictions.shape())) {
            throw new FoveaException(name() + ": gradient buffer of shape " + grad.shape()
                    + " does not match predictions of shape " + predictions.shape());
        }
        for (int i = 0; i < n; i++) {
            if (labels[i] < 0 || labels[i] >= k) {
                throw new FoveaException(name() + ": label " + labels[i] + " at batch index " + i
                        + " is outside [0, " + k + "); check that the model's output units match the number of classes");
            }
        }
        float[] g = grad == null ? null : grad.data();
        // The kernels' gradient is scale/n times the per-row one; n/n is exactly 1 in float.
        float scale = reduction == Reduction.SUM ? n : 1f;
        if (!fromLogits) {
            return SoftmaxCrossEntropy.fromProbabilities(predictions.data(), labels, g, n, k, labelSmoothing, scale);
        }
        if (probs.length < n * k) {
            probs = new float[n * k];
        }
        return SoftmaxCrossEntropy.fromLogits(predictions.data(), labels, probs, g, n, k, labelSmoothing, scale);
    }

    @Override
    public String toString() {
        return "SparseCategoricalCrossentropy(from_logits=" + fromLogits + ", label_smoothing=" + labelSmoothing
                + (reduction == Reduction.SUM ? ", reduction=sum" : "") + ")";
    }
}
