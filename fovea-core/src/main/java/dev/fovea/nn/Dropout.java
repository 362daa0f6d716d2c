package dev.fovea.nn;

import dev.fovea.FoveaException;
import dev.fovea.tensor.Parallel;
import dev.fovea.tensor.Rng;
import dev.fovea.tensor.Shape;
import dev.fovea.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Keras {@code Dropout}, inverted: in training each element is kept with probability 1 − rate
 * and scaled by 1/(1 − rate), so inference is the identity (the input itself is returned).
 *
 * <p>Reproducibility: the layer owns an {@link Rng} split from the build rng. Each training
 * forward draws one long from it, the call seed s, and element i of the batch is kept when the
 * (i+1)-th {@code nextFloat()} of {@code new Rng(s)} is ≥ rate; those values are computed directly
 * from i (SplitMix64 is counter-based), so the mask is the same at any thread count and the whole
 * state is one long: {@link #rngState()} / {@link #setRngState(long)} let a checkpoint resume
 * bit for bit. Backward applies the mask of the last training forward.
 */
public final class Dropout extends BaseLayer implements RandomState {
    private static final long GOLDEN = 0x9E3779B97F4A7C15L;
    /* Stream id of the dropout generator within the rng passed to build ("DROP"). */
    private static final long STREAM = 0x44524F50L;
    private static final int BLOCK = 16384;

    private final float rate;
    private final float scale;
    private Rng rng;
    private boolean masked;
    private float[] mask = new float[0];
    private Tensor y;
    private Tensor dx;

    public Dropout(float rate) {
        if (!(rate >= 0f && rate < 1f)) {
            throw new FoveaException("Dropout: rate must be in [0, 1), received " + rate
                    + "; it is the fraction of inputs dropped");
        }
        this.rate = rate;
        this.scale = (float) (1.0 / (1.0 - rate));
    }

    public float rate() {
        return rate;
    }

    @Override
    public Shape build(Shape in, Rng buildRng) {
        inputShape = in;
        outputShape = in;
        rng = buildRng.split(STREAM);
        return in;
    }

    /** The whole state of the mask generator, for checkpoints. */
    public long rngState() {
        requireBuilt();
        return rng.state();
    }

    /** Restores a state from {@link #rngState()}: the following masks repeat those drawn after it. */
    public void setRngState(long state) {
        requireBuilt();
        rng.setState(state);
    }

    private void requireBuilt() {
        if (rng == null) {
            throw new IllegalStateException(name() + ": not built yet");
        }
    }

    @Override
    public Tensor forward(Tensor x, boolean training) {
        checkInput(x);
        masked = training && rate > 0f;
        if (!masked) {
            return x;
        }
        int n = x.size();
        if (mask.length != n) {
            mask = new float[n];
        }
        y = reuse(y, x.shape());
        seed = rng.nextLong();
        xData = x.data();
        Parallel.forEach((n + BLOCK - 1) / BLOCK, this, MASK_BLOCK);
        xData = null;
        return y;
    }

    /** The current forward's seed and input, read by {@link #MASK_BLOCK} (a non-capturing body: no allocation per call). */
    private long seed;
    private float[] xData;
    private static final Parallel.Kernel<Dropout> MASK_BLOCK = Dropout::maskBlock;

    /* Block b of the forward: mask and output for elements [b·BLOCK, +BLOCK). */
    private void maskBlock(int b) {
        int n = mask.length;
        float[] xd = xData;
        float[] yd = y.data();
        int end = Math.min(n, (b + 1) * BLOCK);
        for (int i = b * BLOCK; i < end; i++) {
            float u = (mix(seed + (i + 1) * GOLDEN) >>> 40) * 0x1.0p-24f;
            mask[i] = u >= rate ? scale : 0f;
            yd[i] = xd[i] * mask[i];
        }
    }

    /* SplitMix64's output function, as in Rng, so element i equals new Rng(seed)'s (i+1)-th draw. */
    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    @Override
    public Tensor backward(Tensor dy) {
        if (!masked) {
            return dy;
        }
        dx = reuse(dx, dy.shape());
        float[] g = dy.data();
        float[] d = dx.data();
        for (int i = 0; i < d.length; i++) {
            d[i] = g[i] * mask[i];
        }
        return dx;
    }

    @Override
    public Map<String, Object> config() {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("rate", rate);
        return c;
    }

    /**
     * Reads what {@link #config()} writes, and Keras's Dropout config: its {@code seed} is
     * ignored (Fovea draws from the model's seed), a {@code noise_shape} is an error.
     */
    static Dropout fromConfig(LayerConfig c) {
        Dropout d = new Dropout(c.real("rate", 0f));
        c.ignore("seed");
        c.none("noise_shape");
        return d;
    }
}
