package dev.fovea.kernel;

import dev.fovea.tensor.Parallel;
import java.util.Arrays;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Batch normalization over the last axis: statistics per channel over all other positions, so
 * an NHWC batch is seen as {@code x (M,C)} with M = N·H·W and a Dense output as {@code (N,C)}.
 * Keras semantics: training uses the batch mean and the <em>biased</em> batch variance,
 * {@code y = γ·(x − μ)/√(σ² + ε) + β}, and moves the running statistics by
 * {@code moving·momentum + batch·(1 − momentum)}; inference uses the running statistics.
 *
 * <p>Determinism and accuracy: rows are cut into fixed blocks of
 * {@link Tunables#BATCHNORM_BLOCK_ROWS}; each block
 * sums its rows in row order into double partials (one per channel), and the partials are
 * combined in block order, in double. The blocks run in parallel but their partials land in
 * fixed slots of the caller's {@code partials} array, so results are bit-identical at any thread
 * count; double accumulators keep the mean of offset data (x ≈ 20 ± 1) accurate to float
 * resolution, where float block sums lost about 3 ulps. The Vector API runs over channels
 * (floats widened to two double vectors); the channel tail and the scalar twins
 * ({@code fooScalar}) do the same operations per lane in the same order, so they agree bit for
 * bit.
 *
 * <p>Not a layer: it keeps no state and validates nothing; the caller owns every array.
 */
public final class BatchNorm {
    private static final int BLOCK_ROWS = Tunables.BATCHNORM_BLOCK_ROWS;
    private static final VectorSpecies<Float> S = Vectors.S;
    private static final VectorSpecies<Double> D = VectorSpecies.of(double.class, S.vectorShape());
    private static final ThreadLocal<Call> CALLS = ThreadLocal.withInitial(Call::new);

    /**
     * One call's arrays and sizes, per calling thread: the block bodies read them from here
     * instead of capturing them, so a call allocates nothing.
     */
    private static final class Call {
        float[] x;
        float[] dy;
        float[] mean;
        float[] invStd;
        float[] gamma;
        float[] beta;
        float[] out;
        float[] factors;
        double[] partials;
        int m;
        int c;
        int vb;
        int nb;

        Call set(float[] x, float[] dy, float[] mean, float[] invStd, float[] out, double[] partials, int m, int c) {
            this.x = x;
            this.dy = dy;
            this.mean = mean;
            this.invStd = invStd;
            this.out = out;
            this.partials = partials;
            this.m = m;
            this.c = c;
            this.vb = S.loopBound(c);
            this.nb = blocks(m);
            return this;
        }

        void clear() {
            x = null;
            dy = null;
            mean = null;
            invStd = null;
            gamma = null;
            beta = null;
            out = null;
            factors = null;
            partials = null;
        }
    }

    private BatchNorm() {
    }

    /** Number of row blocks for M rows. */
    public static int blocks(int m) {
        return (m + BLOCK_ROWS - 1) / BLOCK_ROWS;
    }

    /** Length of the {@code partials} scratch array {@link #moments} and {@link #backward} need for (M,C). */
    public static int partialsSize(int m, int c) {
        return 2 * blocks(m) * c;
    }

    /**
     * Batch statistics. x (M,C) read; mean (C), var (C) written (var biased: divided by M);
     * partials (partialsSize) scratch.
     */
    public static void moments(float[] x, float[] mean, float[] var, double[] partials, int m, int c) {
        int nb = blockSums(x, null, partials, m, c);
        combine(partials, mean, nb, c, m);
        blockSums(x, mean, partials, m, c);
        combine(partials, var, nb, c, m);
    }

    /** Every block's per-channel sums into partials (see {@link #blockSum}), in parallel; returns the block count. */
    private static int blockSums(float[] x, float[] center, double[] partials, int m, int c) {
        Call k = CALLS.get().set(x, null, center, null, null, partials, m, c);
        int nb = k.nb;
        Parallel.forEach(nb, k, (a, b) -> {
            blockSum(a.x, a.mean, a.partials, b, a.m, a.c, a.vb);
            blockSumScalar(a.x, a.mean, a.partials, b, a.m, a.c, a.vb, a.c);
        });
        k.clear();
        return nb;
    }

    /** Scalar twin of {@link #moments}. */
    public static void momentsScalar(float[] x, float[] mean, float[] var, double[] partials, int m, int c) {
        int nb = blocks(m);
        for (int b = 0; b < nb; b++) {
            blockSumScalar(x, null, partials, b, m, c, 0, c);
        }
        combine(partials, mean, nb, c, m);
        for (int b = 0; b < nb; b++) {
            blockSumScalar(x, mean, partials, b, m, c, 0, c);
        }
        combine(partials, var, nb, c, m);
    }

    /**
     * Per-channel sums over the rows, the building block of {@link #moments} for statistics that
     * are summed over several replicas before they are divided: sums[ch] = Σ_r x[r,ch], or
     * Σ_r (x[r,ch] − center[ch])² when center is given, with the same blocks, order and double
     * accumulation as {@link #moments}. x (M,C), center (C or null) read; sums (≥ C) written
     * in [0, C); partials (partialsSize) scratch.
     */
    public static void channelSums(float[] x, float[] center, double[] partials, double[] sums, int m, int c) {
        int nb = blockSums(x, center, partials, m, c);
        for (int ch = 0; ch < c; ch++) {
            sums[ch] = blockTotal(partials, nb, c, ch);
        }
    }

    /* work[b·C + ch] = Σ over the block's rows of x, or of (x − center)² when center is given
       (two passes: subtracting the mean first avoids the cancellation of E[x²] − E[x]²). */
    private static void blockSum(float[] x, float[] center, double[] work, int b, int m, int c, int vb) {
        int r0 = b * BLOCK_ROWS;
        int r1 = Math.min(m, r0 + BLOCK_ROWS);
        int p = b * c;
        int half = D.length();
        Arrays.fill(work, p, p + vb, 0.0);
        for (int r = r0; r < r1; r++) {
            int o = r * c;
            for (int ch = 0; ch < vb; ch += S.length()) {
                FloatVector v = FloatVector.fromArray(S, x, o + ch);
                if (center != null) {
                    v = v.sub(FloatVector.fromArray(S, center, ch));
                }
                DoubleVector lo = (DoubleVector) v.convertShape(VectorOperators.F2D, D, 0);
                DoubleVector hi = (DoubleVector) v.convertShape(VectorOperators.F2D, D, 1);
                if (center != null) {
                    lo = lo.mul(lo);
                    hi = hi.mul(hi);
                }
                int q = p + ch;
                DoubleVector.fromArray(D, work, q).add(lo).intoArray(work, q);
                DoubleVector.fromArray(D, work, q + half).add(hi).intoArray(work, q + half);
            }
        }
    }

    private static void blockSumScalar(float[] x, float[] center, double[] work, int b, int m, int c,
                                       int c0, int c1) {
        int r0 = b * BLOCK_ROWS;
        int r1 = Math.min(m, r0 + BLOCK_ROWS);
        int p = b * c;
        Arrays.fill(work, p + c0, p + c1, 0.0);
        for (int r = r0; r < r1; r++) {
            int o = r * c;
            for (int ch = c0; ch < c1; ch++) {
                if (center != null) {
                    double d = x[o + ch] - center[ch];
                    work[p + ch] += d * d;
                } else {
                    work[p + ch] += x[o + ch];
                }
            }
        }
    }

    /* out[ch] = (Σ_b work[b·C + ch]) / m, blocks in order. */
    private static void combine(double[] work, float[] out, int nb, int c, int m) {
        for (int ch = 0; ch < c; ch++) {
            out[ch] = (float) (blockTotal(work, nb, c, ch) / m);
        }
    }

    /** Σ_b work[b·C + ch], in block order, so the total does not depend on the thread count. */
    private static double blockTotal(double[] work, int nb, int c, int ch) {
        double s = 0;
        for (int b = 0; b < nb; b++) {
            s += work[b * c + ch];
        }
        return s;
    }

    /** invStd[ch] = 1/√(var[ch] + epsilon). var (C) read; invStd (C) written. */
    public static void invStd(float[] var, float[] invStd, int c, float epsilon) {
        for (int ch = 0; ch < c; ch++) {
            invStd[ch] = (float) (1.0 / Math.sqrt((double) var[ch] + epsilon));
        }
    }

    /**
     * Backward of the inference transform y = (x − mean)·invStd·gamma + beta, where mean and
     * invStd are constants (the moving statistics), so unlike the training backward no term
     * flows through the batch statistics: dx = dy·invStd·gamma, dgamma += Σ dy·(x − mean)·invStd,
     * dbeta += Σ dy. Sums run in row order in double, so they are deterministic; Grad-CAM, not
     * training, uses it, hence one thread and no Vector API twin.
     * x, dy (M, C) read; mean, invStd, gamma (C) read; dx (M, C) written; dgamma, dbeta (C)
     * accumulate (+=).
     */
    public static void backwardInference(float[] x, float[] dy, float[] mean, float[] invStd, float[] gamma,
                                         float[] dx, float[] dgamma, float[] dbeta, int m, int c) {
        double[] sg = new double[c];
        double[] sb = new double[c];
        for (int r = 0; r < m; r++) {
            int o = r * c;
            for (int ch = 0; ch < c; ch++) {
                float g = dy[o + ch];
                dx[o + ch] = g * (invStd[ch] * gamma[ch]);
                sg[ch] += (double) g * ((x[o + ch] - mean[ch]) * invStd[ch]);
                sb[ch] += g;
            }
        }
        for (int ch = 0; ch < c; ch++) {
            dgamma[ch] += (float) sg[ch];
            dbeta[ch] += (float) sb[ch];
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
        Call call = CALLS.get().set(x, null, mean, invStd, y, null, m, c);
        call.gamma = gamma;
        call.beta = beta;
        Parallel.forEach(call.nb, call, (a, b) -> normalizeBlock(a.x, a.mean, a.invStd, a.gamma, a.beta, a.out, b,
                a.m, a.c, a.vb));
        call.clear();
    }

    private static void normalizeBlock(float[] x, float[] mean, float[] invStd, float[] gamma, float[] beta,
                                       float[] y, int b, int m, int c, int vb) {
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
     * dx (M,C) written; dgamma, dbeta (C) accumulate (+=); partials (partialsSize) and
     * factors (3·C) scratch.
     */
    public static void backward(float[] x, float[] dy, float[] mean, float[] invStd, float[] gamma,
                                float[] dx, float[] dgamma, float[] dbeta, double[] partials, float[] factors,
                                int m, int c) {
        int nb = gradBlockSums(x, dy, mean, invStd, partials, m, c);
        combineGrad(gamma, invStd, dgamma, dbeta, partials, factors, nb, m, c);
        dxBlocks(x, dy, mean, invStd, factors, dx, m, c);
    }

    /**
     * The first half of {@link #backward} for gradient sums that are summed over several
     * replicas before use: sums[ch] = Σdy, sums[C + ch] = Σdy·x̂, same blocks and order.
     * x, dy (M,C), mean, invStd (C) read; sums (2·C) written; partials (partialsSize) scratch.
     */
    public static void gradSums(float[] x, float[] dy, float[] mean, float[] invStd, double[] partials,
                                double[] sums, int m, int c) {
        int nb = gradBlockSums(x, dy, mean, invStd, partials, m, c);
        for (int ch = 0; ch < c; ch++) {
            double sumDy = 0;
            double sumDyXhat = 0;
            for (int b = 0; b < nb; b++) {
                sumDy += partials[b * c + ch];
                sumDyXhat += partials[(nb + b) * c + ch];
            }
            sums[ch] = sumDy;
            sums[c + ch] = sumDyXhat;
        }
    }

    /**
     * The second half of {@link #backward} from precomputed sums: dβ += local Σdy,
     * dγ += local Σdy·x̂ (this part's own rows), and dx = γ·invStd·(dy − S_dy/count −
     * x̂·S_dyx̂/count) with the sums {@code reduced} and the divisor {@code count} (the global row
     * count times the replica's gradient weight, so dx stays in the scale of this replica's dy).
     * x, dy (M,C), mean, invStd, gamma (C), local and reduced (2·C) read; dx (M,C) written;
     * dgamma, dbeta (C) accumulate (+=); factors (3·C) scratch.
     */
    public static void backwardFromSums(float[] x, float[] dy, float[] mean, float[] invStd, float[] gamma,
                                        float[] dx, float[] dgamma, float[] dbeta, double[] local, double[] reduced,
                                        double count, float[] factors, int m, int c) {
        for (int ch = 0; ch < c; ch++) {
            dbeta[ch] += (float) local[ch];
            dgamma[ch] += (float) local[c + ch];
            factors[ch] = gamma[ch] * invStd[ch];
            factors[c + ch] = (float) (reduced[ch] / count);
            factors[2 * c + ch] = (float) (reduced[c + ch] / count);
        }
        dxBlocks(x, dy, mean, invStd, factors, dx, m, c);
    }

    /* Every block's Σdy and Σdy·x̂ per channel into partials, in parallel; returns the block count. */
    private static int gradBlockSums(float[] x, float[] dy, float[] mean, float[] invStd, double[] partials, int m,
                                     int c) {
        Call k = CALLS.get().set(x, dy, mean, invStd, null, partials, m, c);
        int nb = k.nb;
        Parallel.forEach(nb, k, (a, b) -> {
            gradBlockSum(a.x, a.dy, a.mean, a.invStd, a.partials, b, a.nb, a.m, a.c, a.vb);
            gradBlockSumScalar(a.x, a.dy, a.mean, a.invStd, a.partials, b, a.nb, a.m, a.c, a.vb, a.c);
        });
        k.clear();
        return nb;
    }

    /* dx = factors[0,C)·(dy − factors[C,2C) − x̂·factors[2C,3C)), blocks in parallel. */
    private static void dxBlocks(float[] x, float[] dy, float[] mean, float[] invStd, float[] factors, float[] dx,
                                 int m, int c) {
        Call call = CALLS.get().set(x, dy, mean, invStd, dx, null, m, c);
        call.factors = factors;
        Parallel.forEach(call.nb, call, (a, b) -> dxBlock(a.x, a.dy, a.mean, a.invStd, a.factors, a.out, b, a.m, a.c,
                a.vb));
        call.clear();
    }

    private static void dxBlock(float[] x, float[] dy, float[] mean, float[] invStd, float[] factors, float[] dx,
                                int b, int m, int c, int vb) {
        int r0 = b * BLOCK_ROWS;
        int r1 = Math.min(m, r0 + BLOCK_ROWS);
        for (int r = r0; r < r1; r++) {
            int o = r * c;
            for (int ch = 0; ch < vb; ch += S.length()) {
                FloatVector xhat = FloatVector.fromArray(S, x, o + ch).sub(FloatVector.fromArray(S, mean, ch))
                        .mul(FloatVector.fromArray(S, invStd, ch));
                FloatVector g = FloatVector.fromArray(S, dy, o + ch).sub(FloatVector.fromArray(S, factors, c + ch))
                        .sub(xhat.mul(FloatVector.fromArray(S, factors, 2 * c + ch)));
                FloatVector.fromArray(S, factors, ch).mul(g).intoArray(dx, o + ch);
            }
        }
        dxRowsScalar(x, dy, mean, invStd, factors, dx, r0, r1, c, vb, c);
    }

    /** Scalar twin of {@link #backward}. */
    public static void backwardScalar(float[] x, float[] dy, float[] mean, float[] invStd, float[] gamma,
                                      float[] dx, float[] dgamma, float[] dbeta, double[] partials,
                                      float[] factors, int m, int c) {
        int nb = blocks(m);
        for (int b = 0; b < nb; b++) {
            gradBlockSumScalar(x, dy, mean, invStd, partials, b, nb, m, c, 0, c);
        }
        combineGrad(gamma, invStd, dgamma, dbeta, partials, factors, nb, m, c);
        dxRowsScalar(x, dy, mean, invStd, factors, dx, 0, m, c, 0, c);
    }

    /* Block partials: work[b·C + ch] = Σdy, work[(nb + b)·C + ch] = Σdy·x̂ over the block's rows. */
    private static void gradBlockSum(float[] x, float[] dy, float[] mean, float[] invStd, double[] work,
                                     int b, int nb, int m, int c, int vb) {
        int r0 = b * BLOCK_ROWS;
        int r1 = Math.min(m, r0 + BLOCK_ROWS);
        int p = b * c;
        int q = (nb + b) * c;
        int half = D.length();
        Arrays.fill(work, p, p + vb, 0.0);
        Arrays.fill(work, q, q + vb, 0.0);
        for (int r = r0; r < r1; r++) {
            int o = r * c;
            for (int ch = 0; ch < vb; ch += S.length()) {
                FloatVector g = FloatVector.fromArray(S, dy, o + ch);
                FloatVector gx = FloatVector.fromArray(S, x, o + ch).sub(FloatVector.fromArray(S, mean, ch))
                        .mul(FloatVector.fromArray(S, invStd, ch)).mul(g);
                int i = p + ch;
                int j = q + ch;
                DoubleVector.fromArray(D, work, i).add(g.convertShape(VectorOperators.F2D, D, 0)).intoArray(work, i);
                DoubleVector.fromArray(D, work, i + half).add(g.convertShape(VectorOperators.F2D, D, 1))
                        .intoArray(work, i + half);
                DoubleVector.fromArray(D, work, j).add(gx.convertShape(VectorOperators.F2D, D, 0)).intoArray(work, j);
                DoubleVector.fromArray(D, work, j + half).add(gx.convertShape(VectorOperators.F2D, D, 1))
                        .intoArray(work, j + half);
            }
        }
    }

    private static void gradBlockSumScalar(float[] x, float[] dy, float[] mean, float[] invStd, double[] work,
                                           int b, int nb, int m, int c, int c0, int c1) {
        int r0 = b * BLOCK_ROWS;
        int r1 = Math.min(m, r0 + BLOCK_ROWS);
        int p = b * c;
        int q = (nb + b) * c;
        Arrays.fill(work, p + c0, p + c1, 0.0);
        Arrays.fill(work, q + c0, q + c1, 0.0);
        for (int r = r0; r < r1; r++) {
            int o = r * c;
            for (int ch = c0; ch < c1; ch++) {
                float g = dy[o + ch];
                float xhat = (x[o + ch] - mean[ch]) * invStd[ch];
                work[p + ch] += g;
                work[q + ch] += xhat * g;
            }
        }
    }

    /* Sums the block partials in block order, adds them into dβ, dγ and leaves the per-channel
       factors of dx in work: [0,C) γ·invStd, [C,2C) Σdy/M, [2C,3C) Σdy·x̂/M. */
    private static void combineGrad(float[] gamma, float[] invStd, float[] dgamma, float[] dbeta,
                                    double[] partials, float[] work, int nb, int m, int c) {
        for (int ch = 0; ch < c; ch++) {
            double sumDy = 0;
            double sumDyXhat = 0;
            for (int b = 0; b < nb; b++) {
                sumDy += partials[b * c + ch];
                sumDyXhat += partials[(nb + b) * c + ch];
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
