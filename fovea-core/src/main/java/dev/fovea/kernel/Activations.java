package dev.fovea.kernel;

import dev.fovea.tensor.Parallel;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
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
 * same order; tails run the twin). GELU, forward and backward, is vectorized too, on its own
 * exponential built from IEEE operations (see the comment above {@link #gelu}). The other
 * transcendental forwards (sigmoid, tanh) stay scalar in double: the Vector API's EXP/TANH are
 * not bit-compatible with {@code Math} and differ between JDKs, which would break
 * reproducibility across machines.
 */
public final class Activations {
    private static final VectorSpecies<Float> S = Vectors.S;
    private static final int CHUNK = Tunables.ACTIVATION_CHUNK;
    private static final ThreadLocal<Call> CALLS = ThreadLocal.withInitial(Call::new);

    private Activations() {
    }

    /**
     * One element-wise call's arrays, per calling thread: the task bodies read them from here
     * instead of capturing them, so a call allocates nothing.
     */
    private static final class Call {
        float[] x;
        float[] y;
        float[] dy;
        float[] dx;
        int n;

        Call set(float[] x, float[] y, float[] dy, float[] dx, int n) {
            this.x = x;
            this.y = y;
            this.dy = dy;
            this.dx = dx;
            this.n = n;
            return this;
        }

        void clear() {
            x = null;
            y = null;
            dy = null;
            dx = null;
        }
    }

    private static int chunks(int n) {
        return (n + CHUNK - 1) / CHUNK;
    }

    /** y[i] = max(x[i], 0). x read, y written; x (n), y (n). */
    public static void relu(float[] x, float[] y, int n) {
        Call k = CALLS.get().set(x, y, null, null, n);
        Parallel.forEach(chunks(n), k, (a, t) -> reluRange(a.x, a.y, t * CHUNK, Math.min(a.n, (t + 1) * CHUNK)));
        k.clear();
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
        Call k = CALLS.get().set(null, y, dy, dx, n);
        Parallel.forEach(chunks(n), k,
                (a, t) -> reluBackwardRange(a.y, a.dy, a.dx, t * CHUNK, Math.min(a.n, (t + 1) * CHUNK)));
        k.clear();
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

    /*
     * GELU in float32 from IEEE operations only (add, multiply, fused multiply-add, divide,
     * compare, integer bit moves), so the Vector API method and its scalar twin give the same bits
     * on every machine and JDK, which Math.exp and the Vector API's EXP do not promise.
     * Φ(x) = ½(1 + erf(x/√2)) with Abramowitz & Stegun 7.1.26 (|error of erf| ≤ 1.5e-7):
     * erf(z) = 1 − t·(a1 + t(a2 + t(a3 + t(a4 + t·a5))))·e^(−z²), t = 1/(1 + p·z), z ≥ 0.
     * e^u for u = −x²/2 ≤ 0 by Cody–Waite reduction u = n·ln2 + r, |r| ≤ ln2/2, and a degree-6
     * Taylor polynomial (relative error below 2e-7), times 2^n built in the exponent bits.
     * The backward pass reuses the same e^(−x²/2) for φ(x).
     */
    private static final float GP = 0.3275911f;
    private static final float A1 = 0.254829592f;
    private static final float A2 = -0.284496736f;
    private static final float A3 = 1.421413741f;
    private static final float A4 = -1.453152027f;
    private static final float A5 = 1.061405429f;
    private static final float INV_SQRT2_F = 0.70710678f;
    private static final float INV_SQRT_2PI_F = 0.39894228f;
    private static final float LOG2E = 1.44269504f;
    private static final float LN2_HI = 0.693359375f;
    private static final float LN2_LO = -2.12194440e-4f;
    /* Below this e^u is under the smallest normal float; clamping keeps 2^n normal. */
    private static final float EXP_MIN = -87.3f;
    /* 1.5·2^23: adding and subtracting it rounds a float of magnitude < 2^22 to an integer. */
    private static final float ROUND = 12582912f;
    private static final int ROUND_BITS = Float.floatToRawIntBits(ROUND);

    /** Exact GELU, x·Φ(x), as Keras ({@code approximate=False}) and PyTorch's default. x read, y written (n). */
    public static void gelu(float[] x, float[] y, int n) {
        Call k = CALLS.get().set(x, y, null, null, n);
        Parallel.forEach(chunks(n), k,
                (a, t) -> geluRange(a.x, a.y, null, null, t * CHUNK, Math.min(a.n, (t + 1) * CHUNK)));
        k.clear();
    }

    /** y[i] = GELU(y[i]) for i in [from, to), on the calling thread: a convolution's {@code Epilogue}. */
    public static void geluInPlace(float[] y, int from, int to) {
        geluRange(y, y, null, null, from, to);
    }

    /** Scalar twin of {@link #geluInPlace}. */
    public static void geluScalar(float[] y, int from, int to) {
        geluScalar(y, y, null, null, from, to);
    }

    /** dx = dy·(Φ(x) + x·φ(x)). x, dy read; dx written (n; may be dy). */
    public static void geluBackward(float[] x, float[] dy, float[] dx, int n) {
        Call k = CALLS.get().set(x, null, dy, dx, n);
        Parallel.forEach(chunks(n), k,
                (a, t) -> geluRange(a.x, null, a.dy, a.dx, t * CHUNK, Math.min(a.n, (t + 1) * CHUNK)));
        k.clear();
    }

    /** Forward when {@code y} is given (y = x·Φ), else backward (dx = dy·(Φ + x·φ)). */
    private static void geluRange(float[] x, float[] y, float[] dy, float[] dx, int from, int to) {
        int vb = from + S.loopBound(to - from);
        for (int i = from; i < vb; i += S.length()) {
            FloatVector v = FloatVector.fromArray(S, x, i);
            FloatVector u = v.mul(v).mul(-0.5f).max(EXP_MIN);
            // e = e^u, expNonPositive written out here: as a method taking and returning vectors it
            // was not always inlined (at small batches), and then every vector was boxed.
            FloatVector et = u.lanewise(VectorOperators.FMA, LOG2E, ROUND);
            FloatVector en = et.sub(ROUND);
            FloatVector er = en.lanewise(VectorOperators.FMA, -LN2_HI, u);
            er = en.lanewise(VectorOperators.FMA, FloatVector.broadcast(S, -LN2_LO), er);
            FloatVector ep = er.lanewise(VectorOperators.FMA, 1f / 720f, 1f / 120f);
            ep = ep.lanewise(VectorOperators.FMA, er, FloatVector.broadcast(S, 1f / 24f));
            ep = ep.lanewise(VectorOperators.FMA, er, FloatVector.broadcast(S, 1f / 6f));
            ep = ep.lanewise(VectorOperators.FMA, er, FloatVector.broadcast(S, 0.5f));
            ep = ep.lanewise(VectorOperators.FMA, er, FloatVector.broadcast(S, 1f));
            ep = ep.lanewise(VectorOperators.FMA, er, FloatVector.broadcast(S, 1f));
            // 2^n from the exponent bits. n is an integer below 2^22 in magnitude, so et = ROUND + n
            // holds it in its low mantissa bits: bits(et) − bits(ROUND) = n exactly, the same
            // value as the scalar twin's (int) n, without a float-to-int conversion (which C2 on
            // JDK 17 left unintrinsified here, boxing every vector).
            IntVector bits = et.reinterpretAsInts().sub(ROUND_BITS - 127).lanewise(VectorOperators.LSHL, 23);
            FloatVector e = ep.mul(bits.reinterpretAsFloats());
            FloatVector z = v.abs().mul(INV_SQRT2_F);
            FloatVector t = FloatVector.broadcast(S, 1f).div(z.lanewise(VectorOperators.FMA, GP, 1f));
            FloatVector poly = t.lanewise(VectorOperators.FMA, A5, A4);
            poly = poly.lanewise(VectorOperators.FMA, t, FloatVector.broadcast(S, A3));
            poly = poly.lanewise(VectorOperators.FMA, t, FloatVector.broadcast(S, A2));
            poly = poly.lanewise(VectorOperators.FMA, t, FloatVector.broadcast(S, A1));
            FloatVector h = poly.mul(t).mul(e).mul(0.5f);
            FloatVector cdf = FloatVector.broadcast(S, 1f).sub(h).blend(h, v.compare(VectorOperators.LT, 0f));
            if (y != null) {
                v.mul(cdf).intoArray(y, i);
            } else {
                FloatVector pdf = e.mul(INV_SQRT_2PI_F);
                FloatVector.fromArray(S, dy, i).mul(v.lanewise(VectorOperators.FMA, pdf, cdf)).intoArray(dx, i);
            }
        }
        geluScalar(x, y, dy, dx, vb, to);
    }

    /**
     * e^u for u in [EXP_MIN, 0]; the vector path of {@link #geluRange} computes the same float
     * operations in the same order, lane by lane.
     */
    static float expNonPositive(float u) {
        float n = Math.fma(u, LOG2E, ROUND) - ROUND;
        float r = Math.fma(n, -LN2_HI, u);
        r = Math.fma(n, -LN2_LO, r);
        float p = Math.fma(r, 1f / 720f, 1f / 120f);
        p = Math.fma(p, r, 1f / 24f);
        p = Math.fma(p, r, 1f / 6f);
        p = Math.fma(p, r, 0.5f);
        p = Math.fma(p, r, 1f);
        p = Math.fma(p, r, 1f);
        return p * Float.intBitsToFloat(((int) n + 127) << 23);
    }

    /** Scalar twin of {@link #gelu}: bit-identical to it. */
    public static void geluScalar(float[] x, float[] y, int n) {
        geluScalar(x, y, null, null, 0, n);
    }

    /** Scalar twin of {@link #geluBackward}: bit-identical to it. */
    public static void geluBackwardScalar(float[] x, float[] dy, float[] dx, int n) {
        geluScalar(x, null, dy, dx, 0, n);
    }

    private static void geluScalar(float[] x, float[] y, float[] dy, float[] dx, int from, int to) {
        for (int i = from; i < to; i++) {
            float v = x[i];
            float e = expNonPositive(Math.max(v * v * -0.5f, EXP_MIN));
            float z = Math.abs(v) * INV_SQRT2_F;
            float t = 1f / Math.fma(z, GP, 1f);
            float poly = Math.fma(t, A5, A4);
            poly = Math.fma(poly, t, A3);
            poly = Math.fma(poly, t, A2);
            poly = Math.fma(poly, t, A1);
            float h = poly * t * e * 0.5f;
            float cdf = v < 0f ? h : 1f - h;
            if (y != null) {
                y[i] = v * cdf;
            } else {
                dx[i] = dy[i] * Math.fma(v, e * INV_SQRT_2PI_F, cdf);
            }
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
