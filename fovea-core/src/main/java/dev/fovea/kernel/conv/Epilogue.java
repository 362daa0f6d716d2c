package dev.fovea.kernel.conv;

import dev.fovea.kernel.Activations;
import dev.fovea.kernel.Vectors;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * What an inference convolution does to its outputs while they are still in cache, after the
 * bias: an activation, then a per-channel affine map {@code (y − center)·scale + shift} (an
 * inference BatchNormalization that follows the activation and so cannot be folded into the
 * kernel). Applied in place to runs of whole pixels of an NHWC output. Immutable; {@link #NONE}
 * does nothing.
 *
 * <p>Each element goes through the same float operations as the separate passes it replaces, in
 * the same order: the activation as {@link Activations} computes it, then the subtraction,
 * multiplication and addition of {@code BatchNorm.normalize} (scale being its invStd·gamma), so
 * fusing changes no bit.
 */
public final class Epilogue {
    /** The activations an epilogue can apply. */
    public enum Act {
        NONE, RELU, GELU
    }

    /** No activation, no affine map. */
    public static final Epilogue NONE = new Epilogue(Act.NONE);

    private static final VectorSpecies<Float> S = Vectors.S;
    private static final int VL = S.length();

    private final Act act;
    private final float[] center;
    private final float[] scale;
    private final float[] shift;

    /** An activation alone. */
    public Epilogue(Act act) {
        this(act, null, null, null);
    }

    /**
     * @param act    the activation, applied first
     * @param center per channel (F), or null with scale and shift null for no affine map; copied
     * @param scale  per channel (F), copied
     * @param shift  per channel (F), copied
     */
    public Epilogue(Act act, float[] center, float[] scale, float[] shift) {
        boolean none = center == null;
        if (none != (scale == null) || none != (shift == null)
                || !none && (scale.length != center.length || shift.length != center.length)) {
            throw new IllegalArgumentException("center, scale and shift come together, one value per channel each");
        }
        this.act = act;
        this.center = none ? null : center.clone();
        this.scale = none ? null : scale.clone();
        this.shift = none ? null : shift.clone();
    }

    public Act act() {
        return act;
    }

    /** True when applying it changes nothing. */
    public boolean isIdentity() {
        return act == Act.NONE && scale == null;
    }

    /** This epilogue's activation followed by the affine map (y − center)·scale + shift. */
    public Epilogue withAffine(float[] c, float[] s, float[] t) {
        return new Epilogue(act, c, s, t);
    }

    /** True when it has an affine map. */
    public boolean hasAffine() {
        return scale != null;
    }

    /**
     * y[i] = act(y[i]) then (y[i] − center[ch])·scale[ch] + shift[ch], for i in [from, to), channel
     * ch = (i − from) mod f.
     * {@code from} and {@code to} are pixel boundaries (multiples of f from the start of the output).
     *
     * @param y read and written, runs of (pixels, f)
     */
    public void apply(float[] y, int from, int to, int f) {
        if (act == Act.RELU) {
            int i = from;
            for (int vb = from + S.loopBound(to - from); i < vb; i += VL) {
                FloatVector.fromArray(S, y, i).max(0f).intoArray(y, i);
            }
            for (; i < to; i++) {
                y[i] = Math.max(y[i], 0f);
            }
        } else if (act == Act.GELU) {
            Activations.geluInPlace(y, from, to);
        }
        if (scale != null) {
            for (int p = from; p < to; p += f) {
                int ch = 0;
                for (int vb = S.loopBound(f); ch < vb; ch += VL) {
                    FloatVector.fromArray(S, y, p + ch).sub(FloatVector.fromArray(S, center, ch))
                            .mul(FloatVector.fromArray(S, scale, ch)).add(FloatVector.fromArray(S, shift, ch))
                            .intoArray(y, p + ch);
                }
                for (; ch < f; ch++) {
                    y[p + ch] = (y[p + ch] - center[ch]) * scale[ch] + shift[ch];
                }
            }
        }
    }

    /** The scalar twin of {@link #apply}: the same operations element by element. */
    public void applyScalar(float[] y, int from, int to, int f) {
        if (act == Act.RELU) {
            for (int i = from; i < to; i++) {
                y[i] = Math.max(y[i], 0f);
            }
        } else if (act == Act.GELU) {
            Activations.geluScalar(y, from, to);
        }
        if (scale != null) {
            for (int i = from; i < to; i++) {
                int ch = (i - from) % f;
                y[i] = (y[i] - center[ch]) * scale[ch] + shift[ch];
            }
        }
    }

    @Override
    public String toString() {
        return "Epilogue[" + act + (scale == null ? "" : ", affine over " + scale.length + " channels") + "]";
    }
}
