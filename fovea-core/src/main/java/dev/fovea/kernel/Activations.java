package dev.fovea.kernel;

import dev.fovea.tensor.Parallel;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Element-wise activations, forward and backward, over flat arrays (row-wise softmax lives in
 * {@link SoftmaxCrossEntropy}, beside the loss that uses it).
 * Backward methods take the forward input {@code x} and output {@code y} (whichever the
 * derivative needs) and write {@code dx}; they do not accumulate. {@code x} and {@code y} may be
 * the same array for in-place forward passes.
 *
 * <p>ReLU and the backward passes of ReLU, sigmoid and tanh use the Vector API, each with a
 * scalar twin ({@code fooScalar}) that gives bit-identical results (same float operations in the
 * same order; tails run the twin). The transcendental forwards (sigmoid, tanh, GELU)
 * stay scalar in double: the Vector API's EXP/TANH are not bit-compatible with {@code Math} and
 * differ between JDKs, which would break reproducibility across machines.
 */
public final class Activations {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int CHUNK = Tunables.ACTIVATION_CHUNK;
    private static final double INV_SQRT2 = 0.7071067811865476;
    private static final double INV_SQRT_2PI = 0.3989422804014327;

    private Activations() {
    }

    /** y[i] = max(x[i], 0). x read, y written; x (n), y (n). */
    public static void relu(float[] x, float[] y, int n) {
        Parallel.forEach((n + CHUNK - 1) / CHUNK, t -> reluRange(x, y, t * CHUNK, Math.min(n, (t + 1) * CHUNK)));
    }

    private static void reluRange(float[] x, float[] y, int from, int to) {
        int vb = from + S.loopBound(to - from);
        for (int i = from; i < vb; i += S.length()) {
            FloatVector.fromArray(S, x, i).max(0f).intoArray(y, i);
        }
        reluScalar(x, y, vb, to);
    }

    /** Scalar twin of {@link #relu}. */
    public static void reluScalar(float[] x, float[] y, int n) {
        reluScalar(x, y, 0, n);
    }

    private static void reluScalar(float[] x, float[] y, int from, int to) {
        for (int i = from; i < to; i++) {
            y[i] = Math.max(x[i], 0f);
        }
    }

    /**
     * dx[i] = dy[i] where y[i] &gt; 0, else 0 (the subgradient at 0 is 0, as in PyTorch).
     * y, dy (n) read; dx (n) written (may be dy).
     */
    public static void reluBackward(float[] y, float[] dy, float[] dx, int n) {
        Parallel.forEach((n + CHUNK - 1) / CHUNK, t -> reluBackwardRange(y, dy, dx, t * CHUNK, Math.min(n, (t + 1) * CHUNK)));
    }

    private static void reluBackwardRange(float[] y, float[] dy, float[] dx, int from, int to) {
        int vb = from + S.loopBound(to - from);
        FloatVector zero = FloatVector.zero(S);
        for (int i = from; i < vb; i += S.length()) {
            FloatVector g = FloatVector.fromArray(S, dy, i);
            zero.blend(g, FloatVector.fromArray(S, y, i).compare(VectorOperators.GT, 0f)).intoArray(dx, i);
        }
        reluBackwardScalar(y, dy, dx, vb, to);
    }

    /** Scalar twin of {@link #reluBackward}. */
    public static void reluBackwardScalar(float[] y, float[] dy, float[] dx, int n) {
        reluBackwardScalar(y, dy, dx, 0, n);
    }

    private static void reluBackwardScalar(float[] y, float[] dy, float[] dx, int from, int to) {
        for (int i = from; i < to; i++) {
            dx[i] = y[i] > 0f ? dy[i] : 0f;
        }
    }

    public static void sigmoid(float[] x, float[] y, int n) {
        for (int i = 0; i < n; i++) {
            y[i] = (float) (1.0 / (1.0 + Math.exp(-x[i])));
        }
    }

    /** dx = dy·y·(1 − y). y, dy (n) read; dx (n) written (may be dy). */
    public static void sigmoidBackward(float[] y, float[] dy, float[] dx, int n) {
        int vb = S.loopBound(n);
        FloatVector one = FloatVector.broadcast(S, 1f);
        for (int i = 0; i < vb; i += S.length()) {
            FloatVector v = FloatVector.fromArray(S, y, i);
            FloatVector.fromArray(S, dy, i).mul(v).mul(one.sub(v)).intoArray(dx, i);
        }
        sigmoidBackwardScalar(y, dy, dx, vb, n);
    }

    /** Scalar twin of {@link #sigmoidBackward}. */
    public static void sigmoidBackwardScalar(float[] y, float[] dy, float[] dx, int n) {
        sigmoidBackwardScalar(y, dy, dx, 0, n);
    }

    private static void sigmoidBackwardScalar(float[] y, float[] dy, float[] dx, int from, int to) {
        for (int i = from; i < to; i++) {
            dx[i] = dy[i] * y[i] * (1f - y[i]);
        }
    }

    public static void tanh(float[] x, float[] y, int n) {
        for (int i = 0; i < n; i++) {
            y[i] = (float) Math.tanh(x[i]);
        }
    }

    /** dx = dy·(1 − y²). y, dy (n) read; dx (n) written (may be dy). */
    public static void tanhBackward(float[] y, float[] dy, float[] dx, int n) {
        int vb = S.loopBound(n);
        FloatVector one = FloatVector.broadcast(S, 1f);
        for (int i = 0; i < vb; i += S.length()) {
            FloatVector v = FloatVector.fromArray(S, y, i);
            FloatVector.fromArray(S, dy, i).mul(one.sub(v.mul(v))).intoArray(dx, i);
        }
        tanhBackwardScalar(y, dy, dx, vb, n);
    }

    /** Scalar twin of {@link #tanhBackward}. */
    public static void tanhBackwardScalar(float[] y, float[] dy, float[] dx, int n) {
        tanhBackwardScalar(y, dy, dx, 0, n);
    }

    private static void tanhBackwardScalar(float[] y, float[] dy, float[] dx, int from, int to) {
        for (int i = from; i < to; i++) {
            dx[i] = dy[i] * (1f - y[i] * y[i]);
        }
    }

    /** Exact GELU, x·Φ(x), as Keras ({@code approximate=False}) and PyTorch default. */
    public static void gelu(float[] x, float[] y, int n) {
        for (int i = 0; i < n; i++) {
            double v = x[i];
            y[i] = (float) (0.5 * v * (1.0 + erf(v * INV_SQRT2)));
        }
    }

    /** dx = dy·(Φ(x) + x·φ(x)). */
    public static void geluBackward(float[] x, float[] dy, float[] dx, int n) {
        for (int i = 0; i < n; i++) {
            double v = x[i];
            double cdf = 0.5 * (1.0 + erf(v * INV_SQRT2));
            double pdf = INV_SQRT_2PI * Math.exp(-0.5 * v * v);
            dx[i] = (float) (dy[i] * (cdf + v * pdf));
        }
    }

    /**
     * Error function with absolute error below 1.2e-7 (Numerical Recipes' erfc Chebyshev fit),
     * enough for float32 GELU; Java has no {@code Math.erf}.
     */
    public static double erf(double x) {
        double z = Math.abs(x);
        double t = 1.0 / (1.0 + 0.5 * z);
        double r = t * Math.exp(-z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196
                + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398
                + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))));
        return x >= 0 ? 1.0 - r : r - 1.0;
    }
}
