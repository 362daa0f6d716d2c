package dev.fovea.kernel;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Row-wise softmax and the softmax cross-entropy loss with integer labels, forward and
 * backward, over row-major {@code (rows, k)} float arrays.
 *
 * <p>Label smoothing ε uses the target {@code (1−ε)·onehot(label) + ε/K}, as PyTorch's
 * {@code label_smoothing} and Keras's {@code CategoricalCrossentropy(label_smoothing=ε)}.
 * The loss is the mean over the batch; gradients are of that mean, times an upstream
 * {@code scale} (1 for a plain loss).
 *
 * <p>Argument order: inputs, outputs, then dimensions and settings. Labels are not validated
 * here (a label outside {@code [0, k)} throws {@link ArrayIndexOutOfBoundsException} or reads a
 * neighbouring row); callers validate user data first. Not a layer and not a loss object: see
 * {@code dev.fovea.loss} for those.
 *
 * <p>The Vector API paths only pay off for rows of at least one vector (16 floats with
 * AVX-512), e.g. 100- or 1000-class heads; shorter rows and tails run the scalar code.
 * The exponentials and the row sums are scalar, in index order: the Vector API's
 * {@code lanewise(EXP)} and {@code reduceLanes(ADD)} give other bits once C2 compiles them (an
 * SVML exp, a tree sum) than interpreted, so a run resumed in a fresh JVM drifted from one trained
 * in a warm JVM. {@code Math.exp} gives the same bits interpreted and compiled, so the results
 * equal the scalar twins' bit for bit; only exact operations (max, products, differences) run on
 * vectors.
 */
public final class SoftmaxCrossEntropy {
    private static final VectorSpecies<Float> S = Vectors.S;

    /** Keras's backend epsilon: probabilities are clipped to {@code [EPSILON, 1 − EPSILON]}. */
    public static final float EPSILON = 1e-7f;

    private SoftmaxCrossEntropy() {
    }

    // ---------------------------------------------------------------- softmax

    /**
     * {@code y = softmax(x)} along each row, max-subtracted so large logits do not overflow.
     *
     * @param x read, (rows, k)
     * @param y written, (rows, k); may be the same array as {@code x}
     */
    public static void softmax(float[] x, float[] y, int rows, int k) {
        for (int r = 0, off = 0; r < rows; r++, off += k) {
            float sum = expShifted(x, off, rowMax(x, off, k), y, off, k);
            scale(y, off, 1f / sum, k);
        }
    }

    /** Scalar twin of {@link #softmax}. */
    public static void softmaxScalar(float[] x, float[] y, int rows, int k) {
        for (int r = 0, off = 0; r < rows; r++, off += k) {
            float sum = expShiftedScalar(x, off, rowMaxScalar(x, off, k), y, off, k);
            scaleScalar(y, off, 1f / sum, k);
        }
    }

    /**
     * Softmax backward: {@code dx = y ⊙ (dy − Σ_j dy_j·y_j)} per row.
     *
     * @param y  read, (rows, k): the softmax output of the forward pass
     * @param dy read, (rows, k)
     * @param dx written, (rows, k); may be the same array as {@code dy}
     */
    public static void softmaxBackward(float[] y, float[] dy, float[] dx, int rows, int k) {
        int bound = S.loopBound(k);
        for (int r = 0, off = 0; r < rows; r++, off += k) {
            // Scalar and in order: see the class comment.
            float dot = 0f;
            for (int i = 0; i < k; i++) {
                dot += dy[off + i] * y[off + i];
            }
            int j = 0;
            if (bound > 0) {
                FloatVector vd = FloatVector.broadcast(S, dot);
                for (; j < bound; j += S.length()) {
                    FloatVector yv = FloatVector.fromArray(S, y, off + j);
                    yv.mul(FloatVector.fromArray(S, dy, off + j).sub(vd)).intoArray(dx, off + j);
                }
            }
            for (; j < k; j++) {
                dx[off + j] = y[off + j] * (dy[off + j] - dot);
            }
        }
    }

    /** Scalar twin of {@link #softmaxBackward}. */
    public static void softmaxBackwardScalar(float[] y, float[] dy, float[] dx, int rows, int k) {
        for (int r = 0, off = 0; r < rows; r++, off += k) {
            float dot = 0f;
            for (int j = 0; j < k; j++) {
                dot += dy[off + j] * y[off + j];
            }
            for (int j = 0; j < k; j++) {
                dx[off + j] = y[off + j] * (dy[off + j] - dot);
            }
        }
    }

    // ---------------------------------------------------------------- cross-entropy from logits

    /**
     * Softmax cross-entropy from logits: probabilities, batch-mean loss and its gradient.
     * Per row, with m the row max and s = Σ exp(z − m), the loss is computed as
     * {@code log s + (1−ε)(m − z_label) + (ε/K)·Σ_j (m − z_j)}: every term is non-negative, so
     * there is no cancellation even for confident large logits.
     *
     * @param logits  read, (n, k)
     * @param labels  read, (n): class indices in {@code [0, k)}
     * @param probs   written, (n, k): softmax of the logits
     * @param dlogits written, (n, k): {@code scale·(p − target)/n}; may be null to skip the
     *                gradient, or the same array as {@code probs} (it then ends holding the gradient)
     * @param labelSmoothing ε in [0, 1]
     * @param scale   upstream factor applied to the gradient (1 for a plain loss)
     * @return the mean loss over the n rows
     */
    public static float fromLogits(float[] logits, int[] labels, float[] probs, float[] dlogits,
                                   int n, int k, float labelSmoothing, float scale) {
        double total = 0;
        for (int r = 0, off = 0; r < n; r++, off += k) {
            float max = rowMax(logits, off, k);
            float sum = expShifted(logits, off, max, probs, off, k);
            scale(probs, off, 1f / sum, k);
            total += rowLoss(logits, off, labels[r], max, sum, k, labelSmoothing);
        }
        if (dlogits != null) {
            gradFromProbs(probs, labels, dlogits, n, k, labelSmoothing, scale);
        }
        return (float) (total / n);
    }

    /** Scalar twin of {@link #fromLogits}. */
    public static float fromLogitsScalar(float[] logits, int[] labels, float[] probs, float[] dlogits,
                                         int n, int k, float labelSmoothing, float scale) {
        double total = 0;
        for (int r = 0, off = 0; r < n; r++, off += k) {
            float max = rowMaxScalar(logits, off, k);
            float sum = expShiftedScalar(logits, off, max, probs, off, k);
            scaleScalar(probs, off, 1f / sum, k);
            total += rowLoss(logits, off, labels[r], max, sum, k, labelSmoothing);
        }
        if (dlogits != null) {
            gradFromProbsScalar(probs, labels, dlogits, n, k, labelSmoothing, scale);
        }
        return (float) (total / n);
    }

    private static double rowLoss(float[] z, int off, int label, float max, float sum, int k, float eps) {
        double loss = Math.log(sum) + (1.0 - eps) * ((double) max - z[off + label]);
        if (eps != 0f) {
            double spread = 0;
            for (int j = 0; j < k; j++) {
                spread += (double) max - z[off + j];
            }
            loss += eps / (double) k * spread;
        }
        return loss;
    }

    /**
     * {@code d = scale·(p − target)/n}, the gradient of the mean softmax cross-entropy wrt
     * the logits, given the probabilities.
     *
     * @param probs  read, (n, k)
     * @param labels read, (n)
     * @param d      written, (n, k); may be the same array as {@code probs}
     */
    public static void gradFromProbs(float[] probs, int[] labels, float[] d, int n, int k,
                                     float labelSmoothing, float scale) {
        float c = scale / n;
        float off0 = c * labelSmoothing / k;
        float onLabel = c * (1f - labelSmoothing);
        int bound = S.loopBound(k);
        for (int r = 0, off = 0; r < n; r++, off += k) {
            int j = 0;
            if (bound > 0) {
                FloatVector vc = FloatVector.broadcast(S, c);
                FloatVector vo = FloatVector.broadcast(S, off0);
                for (; j < bound; j += S.length()) {
                    FloatVector.fromArray(S, probs, off + j).mul(vc).sub(vo).intoArray(d, off + j);
                }
            }
            for (; j < k; j++) {
                d[off + j] = probs[off + j] * c - off0;
            }
            d[off + labels[r]] -= onLabel;
        }
    }

    /** Scalar twin of {@link #gradFromProbs}. */
    public static void gradFromProbsScalar(float[] probs, int[] labels, float[] d, int n, int k,
                                           float labelSmoothing, float scale) {
        float c = scale / n;
        float off0 = c * labelSmoothing / k;
        float onLabel = c * (1f - labelSmoothing);
        for (int r = 0, off = 0; r < n; r++, off += k) {
            for (int j = 0; j < k; j++) {
                d[off + j] = probs[off + j] * c - off0;
            }
            d[off + labels[r]] -= onLabel;
        }
    }

    // ---------------------------------------------------------------- cross-entropy from probabilities

    /**
     * Cross-entropy from probabilities (Keras {@code from_logits=False}): each probability is
     * clipped to {@code [EPSILON, 1 − EPSILON]} and the row loss is {@code −Σ_j target_j·log p_j}.
     * The gradient wrt the probabilities is {@code −scale·target_j/(n·p_j)}, and 0 where the clip
     * was active (p strictly outside the bounds), as TensorFlow's {@code clip_by_value}.
     * Unlike Keras 3's {@code categorical_crossentropy}, rows are not renormalized to sum 1
     * first: for softmax outputs that is a no-op on the loss, and the gradient difference (a
     * constant per row) vanishes through the softmax backward.
     * Scalar only: this path serves models ending in a softmax layer, whose rows are short.
     *
     * @param probs  read, (n, k)
     * @param labels read, (n)
     * @param dprobs written, (n, k); may be null to skip the gradient
     * @return the mean loss over the n rows
     */
    public static float fromProbabilities(float[] probs, int[] labels, float[] dprobs,
                                          int n, int k, float labelSmoothing, float scale) {
        float lo = EPSILON;
        float hi = 1f - EPSILON;
        float c = scale / n;
        float spread = labelSmoothing / k;
        float onLabel = 1f - labelSmoothing + spread;
        double total = 0;
        for (int r = 0, off = 0; r < n; r++, off += k) {
            int label = labels[r];
            double rowLoss = 0;
            for (int j = 0; j < k; j++) {
                float p = probs[off + j];
                float t = j == label ? onLabel : spread;
                float pc = Math.min(Math.max(p, lo), hi);
                if (t != 0f) {
                    rowLoss -= t * Math.log(pc);
                }
                if (dprobs != null) {
                    dprobs[off + j] = (t == 0f || p < lo || p > hi) ? 0f : -c * t / pc;
                }
            }
            total += rowLoss;
        }
        return (float) (total / n);
    }

    // ---------------------------------------------------------------- row helpers

    private static float rowMax(float[] x, int off, int k) {
        int bound = S.loopBound(k);
        int j = 0;
        float max = Float.NEGATIVE_INFINITY;
        if (bound > 0) {
            FloatVector vmax = FloatVector.broadcast(S, Float.NEGATIVE_INFINITY);
            for (; j < bound; j += S.length()) {
                vmax = vmax.max(FloatVector.fromArray(S, x, off + j));
            }
            max = vmax.reduceLanes(VectorOperators.MAX);
        }
        for (; j < k; j++) {
            max = Math.max(max, x[off + j]);
        }
        return max;
    }

    private static float rowMaxScalar(float[] x, int off, int k) {
        float max = Float.NEGATIVE_INFINITY;
        for (int j = 0; j < k; j++) {
            max = Math.max(max, x[off + j]);
        }
        return max;
    }

    /** Writes exp(x − max) into y and returns the row sum. */
    /** As {@link #expShiftedScalar}: a vector exp or lane sum would give JIT-dependent bits (class comment). */
    private static float expShifted(float[] x, int off, float max, float[] y, int yOff, int k) {
        return expShiftedScalar(x, off, max, y, yOff, k);
    }

    private static float expShiftedScalar(float[] x, int off, float max, float[] y, int yOff, int k) {
        float sum = 0f;
        for (int j = 0; j < k; j++) {
            float e = (float) Math.exp(x[off + j] - max);
            y[yOff + j] = e;
            sum += e;
        }
        return sum;
    }

    private static void scale(float[] y, int off, float s, int k) {
        int bound = S.loopBound(k);
        int j = 0;
        if (bound > 0) {
            FloatVector vs = FloatVector.broadcast(S, s);
            for (; j < bound; j += S.length()) {
                FloatVector.fromArray(S, y, off + j).mul(vs).intoArray(y, off + j);
            }
        }
        for (; j < k; j++) {
            y[off + j] *= s;
        }
    }

    private static void scaleScalar(float[] y, int off, float s, int k) {
        for (int j = 0; j < k; j++) {
            y[off + j] *= s;
        }
    }
}
