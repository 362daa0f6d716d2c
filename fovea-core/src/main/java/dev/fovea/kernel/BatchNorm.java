package dev.fovea.kernel;

import dev.fovea.tensor.Parallel;
import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Batch normalization over the last axis: statistics per channel over all other positions, so
 * an NHWC batch is seen as {@code x (M,C)} with M = N·H·W and a Dense output as {@code (N,C)}.
 * Keras semantics: training uses the batch mean and the <em>biased</em> batch variance,
 * {@code y = γ·(x − μ)/√(σ² + ε) + β}, and moves the running statistics by
 * {@code moving·momentum + batch·(1 − momentum)}; inference uses the running statistics.
 *
 * <p>Determinism: rows are cut into fixed blocks of {@link #BLOCK_ROWS}; each block sums its
 * rows in row order (float, one partial per channel) and the partials are combined in block
 * order in double. The blocks run in parallel but their partials land in fixed slots of the
 * caller's {@code work} array, so results are bit-identical at any thread count. The Vector API
 * runs over channels; the channel tail and the scalar twins ({@code fooScalar}) do the same
 * operations per lane in the same order, so they agree bit for bit.
 *
 * <p>Not a layer: it keeps no state and validates nothing; the caller owns every array.
 */
public final class BatchNorm {
    /** Rows summed per block: the fixed unit of both parallel work and reduction order. */
    public static final int BLOCK_ROWS = 128;
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

    private BatchNorm() {
    }

    /** Number of row blocks for M rows. */
    public static int blocks(int m) {
        return (m + BLOCK_ROWS - 1) / BLOCK_ROWS;
    }

    /** Length of the scratch array {@link #moments} and {@link #backward} need for (M,C). */
    public static int workSize(int m, int c) {
        return Math.max(2 * blocks(m), 3) * c;
    }

    /**
     * Batch statistics. x (M,C) read; mean (C), var (C) written (var biased: divided by M);
     * work (workSize) scratch.
     */
    public static void moments(float[] x, float[] mean, float[] var, float[] work, int m, int c) {
        int nb = blocks(m);
        int vb = S.loopBound(c);
        Parallel.forEach(nb, b -> {
            blockSum(x, null, work, b, m, c, vb);
            blockSumScalar(x, null, work, b, m, c, vb, c);
        });
        combine(work, mean, nb, c, m);
        Parallel.forEach(nb, b -> {
            blockSum(x, mean, work, b, m, c, vb);
            blockSumScalar(x, mean, work, b, m, c, vb, c);
        });
        combine(work, var, nb, c, m);
    }

    /** Scalar twin of {@link #moments}. */
    public static void momentsScalar(float[] x, float[] mean, float[] var, float[] work, int m, int c) {
        int nb = blocks(m);
        for (int b = 0; b < nb; b++) {
            blockSumScalar(x, null, work, b, m, c, 0, c);
        }
        combine(work, mean, nb, c, m);
        for (int b = 0; b < nb; b++) {
            blockSumScalar(x, mean, work, b, m, c, 0, c);
        }
        combine(work, var, nb, c, m);
    }

    /* work[b·C + ch] = Σ over the block's rows of x, or of (x − center)² when center is given
       (two passes: subtracting the mean first avoids the cancellation of E[x²] − E[x]²). */
    private static void blockSum(float[] x, float[] center, float[] work, int b, int m, int c, int vb) {
        int r0 = b * BLOCK_ROWS;
        int r1 = Math.min(m, r0 + BLOCK_ROWS);
        int p = b * c;
        Arrays.fill(work, p, p + vb, 0f);
        for (int r = r0; r < r1; r++) {
            int o = r * c;
            for (int ch = 0; ch < vb; ch += S.length()) {
                FloatVector v = FloatVector.fromArray(S, x, o + ch);
                if (center != null) {
                    v = v.sub(FloatVector.fromArray(S, center, ch));
                    v = v.mul(v);
                }
                FloatVector.fromArray(S, work, p + ch).add(v).intoArray(work, p + ch);
            }
        }
    }

    private static void blockSumScalar(float[] x, float[] center, float[] work, int b, int m, int c,
                                       int c0, int c1) {
        int r0 = b * BLOCK_ROWS;
        int r1 = Math.min(m, r0 + BLOCK_ROWS);
        int p = b * c;
        Arrays.fill(work, p + c0, p + c1, 0f);
        for (int r = r0; r < r1; r++) {
            int o = r * c;
            for (int ch = c0; ch < c1; ch++) {
                float v = x[o + ch];
                if (center != null) {
                    v -= center[ch];
                    v *= v;
                }
                work[p + ch] += v;
            }
        }
    }

    /* out[ch] = (Σ_b work[b·C + ch]) / m, blocks in order, in double. */
    private static void combine(float[] work, float[] out, int nb, int c, int m) {
        for (int ch = 0; ch < c; ch++) {
            double s = 0;
            for (int b = 0; b < nb; b++) {
                s += work[b * c + ch];
            }
            out[ch] = (float) (s / m);
        }
    }

    /** invStd[ch] = 1/√(var[ch] + epsilon). var (C) read; invStd (C) written. */
    public static void invStd(float[] var, float[] invStd, int c, float epsilon) {
        for (int ch = 0; ch < c; ch++) {
            invStd[ch] = (float) (1.0 / Math.sqrt((double) var[ch] + epsilon));
        }
    }

    /**
     * Moving statistics update, Keras's rule: moving ← moving·momentum + batch·(1 − momentum).
     * mean, var (C) read; movingMean, movingVar (C) updated in place.
     */
    public static void updateMoving(float[] mean, float[] var, float[] movingMean, float[] movingVar,
                                    int c, float momentum) {
        float keep = 1f - momentum;
        for (int ch = 0; ch < c; ch++) {
            movingMean[ch] = movingMean[ch] * momentum + mean[ch] * keep;
            movingVar[ch] = movingVar[ch] * momentum + var[ch] * keep;
        }
    }

    /**
     * y = (x − mean)·(invStd·gamma) + beta. x (M,C), mean, invStd, gamma, beta (C) read;
     * y (M,C) written (may be x).
     */
    public static void normalize(float[] x, float[] mean, float[] invStd, float[] gamma, float[] beta,
                                 float[] y, int m, int c) {
        int vb = S.loopBound(c);
        Parallel.forEach(blocks(m), b -> {
            int r0 = b * BLOCK_ROWS;
            int r1 = Math.min(m, r0 + BLOCK_ROWS);
            for (int r = r0; r < r1; r++) {
                int o = r * c;
                for (int ch = 0; ch < vb; ch += S.length()) {
                    FloatVector k = FloatVector.fromArray(S, invStd, ch).mul(FloatVector.fromArray(S, gamma, ch));
                    FloatVector.fromArray(S, x, o + ch).sub(FloatVector.fromArray(S, mean, ch)).mul(k)
                            .add(FloatVector.fromArray(S, beta, ch)).intoArray(y, o + ch);
                }
            }
            normalizeRowsScalar(x, mean, invStd, gamma, beta, y, r0, r1, c, vb, c);
        });
    }

    /** Scalar twin of {@link #normalize}. */
    public static void normalizeScalar(float[] x, float[] mean, float[] invStd, float[] gamma, float[] beta,
                                       float[] y, int m, int c) {
        normalizeRowsScalar(x, mean, invStd, gamma, beta, y, 0, m, c, 0, c);
    }

    private static void normalizeRowsScalar(float[] x, float[] mean, float[] invStd, float[] gamma,
                                            float[] beta, float[] y, int r0, int r1, int c, int c0, int c1) {
        for (int r = r0; r < r1; r++) {
            int o = r * c;
            for (int ch = c0; ch < c1; ch++) {
                y[o + ch] = (x[o + ch] - mean[ch]) * (invStd[ch] * gamma[ch]) + beta[ch];
            }
        }
    }

    /**
     * Training-mode backward, with x̂ = (x − μ)·invStd and the batch sums Σdy, Σdy·x̂ per channel:
     * dβ += Σdy, dγ += Σdy·x̂, dx = γ·invStd·(dy − Σdy/M − x̂·Σdy·x̂/M).
     * x, dy (M,C), mean, invStd, gamma (C) read (the batch statistics of the forward pass);
     * dx (M,C) written; dgamma, dbeta (C) accumulate (+=); work (workSize) scratch.
     */
    public static void backward(float[] x, float[] dy, float[] mean, float[] invStd, float[] gamma,
                                float[] dx, float[] dgamma, float[] dbeta, float[] work, int m, int c) {
        int nb = blocks(m);
        int vb = S.loopBound(c);
        Parallel.forEach(nb, b -> {
            gradBlockSum(x, dy, mean, invStd, work, b, nb, m, c, vb);
            gradBlockSumScalar(x, dy, mean, invStd, work, b, nb, m, c, vb, c);
        });
        combineGrad(gamma, invStd, dgamma, dbeta, work, nb, m, c);
        Parallel.forEach(nb, b -> {
            int r0 = b * BLOCK_ROWS;
            int r1 = Math.min(m, r0 + BLOCK_ROWS);
            for (int r = r0; r < r1; r++) {
                int o = r * c;
                for (int ch = 0; ch < vb; ch += S.length()) {
                    FloatVector xhat = FloatVector.fromArray(S, x, o + ch).sub(FloatVector.fromArray(S, mean, ch))
                            .mul(FloatVector.fromArray(S, invStd, ch));
                    FloatVector g = FloatVector.fromArray(S, dy, o + ch).sub(FloatVector.fromArray(S, work, c + ch))
                            .sub(xhat.mul(FloatVector.fromArray(S, work, 2 * c + ch)));
                    FloatVector.fromArray(S, work, ch).mul(g).intoArray(dx, o + ch);
                }
            }
            dxRowsScalar(x, dy, mean, invStd, work, dx, r0, r1, c, vb, c);
        });
    }

    /** Scalar twin of {@link #backward}. */
    public static void backwardScalar(float[] x, float[] dy, float[] mean, float[] invStd, float[] gamma,
                                      float[] dx, float[] dgamma, float[] dbeta, float[] work, int m, int c) {
        int nb = blocks(m);
        for (int b = 0; b < nb; b++) {
            gradBlockSumScalar(x, dy, mean, invStd, work, b, nb, m, c, 0, c);
        }
        combineGrad(gamma, invStd, dgamma, dbeta, work, nb, m, c);
        dxRowsScalar(x, dy, mean, invStd, work, dx, 0, m, c, 0, c);
    }

    /* Block partials: work[b·C + ch] = Σdy, work[(nb + b)·C + ch] = Σdy·x̂ over the block's rows. */
    private static void gradBlockSum(float[] x, float[] dy, float[] mean, float[] invStd, float[] work,
                                     int b, int nb, int m, int c, int vb) {
        int r0 = b * BLOCK_ROWS;
        int r1 = Math.min(m, r0 + BLOCK_ROWS);
        int p = b * c;
        int q = (nb + b) * c;
        Arrays.fill(work, p, p + vb, 0f);
        Arrays.fill(work, q, q + vb, 0f);
        for (int r = r0; r < r1; r++) {
            int o = r * c;
            for (int ch = 0; ch < vb; ch += S.length()) {
                FloatVector g = FloatVector.fromArray(S, dy, o + ch);
                FloatVector xhat = FloatVector.fromArray(S, x, o + ch).sub(FloatVector.fromArray(S, mean, ch))
                        .mul(FloatVector.fromArray(S, invStd, ch));
                FloatVector.fromArray(S, work, p + ch).add(g).intoArray(work, p + ch);
                FloatVector.fromArray(S, work, q + ch).add(g.mul(xhat)).intoArray(work, q + ch);
            }
        }
    }

    private static void gradBlockSumScalar(float[] x, float[] dy, float[] mean, float[] invStd, float[] work,
                                           int b, int nb, int m, int c, int c0, int c1) {
        int r0 = b * BLOCK_ROWS;
        int r1 = Math.min(m, r0 + BLOCK_ROWS);
        int p = b * c;
        int q = (nb + b) * c;
        Arrays.fill(work, p + c0, p + c1, 0f);
        Arrays.fill(work, q + c0, q + c1, 0f);
        for (int r = r0; r < r1; r++) {
            int o = r * c;
            for (int ch = c0; ch < c1; ch++) {
                float g = dy[o + ch];
                float xhat = (x[o + ch] - mean[ch]) * invStd[ch];
                work[p + ch] += g;
                work[q + ch] += g * xhat;
            }
        }
    }

    /* Sums the block partials in block order (double), adds them into dβ, dγ and leaves the
       per-channel factors of dx in work: [0,C) γ·invStd, [C,2C) Σdy/M, [2C,3C) Σdy·x̂/M. Each
       written slot belongs to the channel whose partials were just read (slot index ≡ ch mod C),
       so no partial is overwritten before it is used. */
    private static void combineGrad(float[] gamma, float[] invStd, float[] dgamma, float[] dbeta, float[] work,
                                    int nb, int m, int c) {
        for (int ch = 0; ch < c; ch++) {
            double sumDy = 0;
            double sumDyXhat = 0;
            for (int b = 0; b < nb; b++) {
                sumDy += work[b * c + ch];
                sumDyXhat += work[(nb + b) * c + ch];
            }
            dbeta[ch] += (float) sumDy;
            dgamma[ch] += (float) sumDyXhat;
            work[ch] = gamma[ch] * invStd[ch];
            work[c + ch] = (float) (sumDy / m);
            work[2 * c + ch] = (float) (sumDyXhat / m);
        }
    }

    private static void dxRowsScalar(float[] x, float[] dy, float[] mean, float[] invStd, float[] work,
                                     float[] dx, int r0, int r1, int c, int c0, int c1) {
        for (int r = r0; r < r1; r++) {
            int o = r * c;
            for (int ch = c0; ch < c1; ch++) {
                float xhat = (x[o + ch] - mean[ch]) * invStd[ch];
                dx[o + ch] = work[ch] * ((dy[o + ch] - work[c + ch]) - xhat * work[2 * c + ch]);
            }
        }
    }
}
