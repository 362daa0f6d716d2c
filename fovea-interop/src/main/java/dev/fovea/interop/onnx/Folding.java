package dev.fovea.interop.onnx;

import ai.onnx.proto.OnnxMl.NodeProto;
import dev.fovea.FoveaException;
import dev.fovea.interop.onnx.Val.Layout;
import dev.fovea.interop.onnx.Val.Weights;
import dev.fovea.nn.Padding;
import java.util.Arrays;

/**
 * The arithmetic of an import: constants folded with constants, per-channel constants read in
 * Fovea's channel order, affine maps folded into the weights of the layer before, and ONNX
 * window paddings matched to Fovea's padding modes.
 */
final class Folding {
    private Folding() {
    }

    /** A constant transposed by {@code perm} (null: reversed), as ONNX's Transpose. */
    static Constant transpose(Constant c, long[] perm) {
        int r = c.dims().length;
        int[] p = new int[r];
        for (int i = 0; i < r; i++) {
            p[i] = perm == null ? r - 1 - i : (int) perm[i];
        }
        long[] dims = new long[r];
        for (int i = 0; i < r; i++) {
            dims[i] = c.dims()[p[i]];
        }
        long[] inStride = strides(c.dims());
        long[] outStride = strides(dims);
        double[] out = new double[c.size()];
        for (int o = 0; o < out.length; o++) {
            long rest = o;
            long src = 0;
            for (int i = 0; i < r; i++) {
                long idx = rest / outStride[i];
                rest %= outStride[i];
                src += idx * inStride[p[i]];
            }
            out[o] = c.values()[(int) src];
        }
        return new Constant(out, dims);
    }

    private static long[] strides(long[] dims) {
        long[] s = new long[dims.length];
        long acc = 1;
        for (int i = dims.length - 1; i >= 0; i--) {
            s[i] = acc;
            acc *= dims[i];
        }
        return s;
    }

    /** Element-wise {@code op} of two constants of one shape, or of a constant and a scalar. */
    static Constant arithmetic(String op, Constant a, Constant b, String where) {
        boolean same = Arrays.equals(a.dims(), b.dims());
        if (!same && a.size() != 1 && b.size() != 1) {
            throw new FoveaException(where + ": combines constants of shapes " + Arrays.toString(a.dims()) + " and "
                    + Arrays.toString(b.dims()) + "; Fovea folds constants of one shape or with a scalar");
        }
        Constant big = a.size() >= b.size() ? a : b;
        double[] out = new double[big.size()];
        for (int i = 0; i < out.length; i++) {
            double x = a.values()[a.size() == 1 ? 0 : i];
            double y = b.values()[b.size() == 1 ? 0 : i];
            out[i] = switch (op) {
                case "Add" -> x + y;
                case "Sub" -> x - y;
                case "Mul" -> x * y;
                default -> x / y;
            };
        }
        return new Constant(out, big.dims());
    }

    /**
     * A constant broadcast over {@code v} as one value per channel (Fovea's channel order), or a
     * one-element array for a scalar; an error for any other broadcast.
     */
    static float[] perChannel(Constant c, Val v, String where) {
        if (c.size() == 1) {
            return new float[]{(float) c.values()[0]};
        }
        int rank = v.layout() == Layout.FLAT ? 2 : 4;
        long[] d = new long[rank];
        Arrays.fill(d, 1);
        long[] cd = c.dims();
        boolean fits = cd.length <= rank;
        for (int i = 0; fits && i < cd.length; i++) {
            d[rank - cd.length + i] = cd[i];
        }
        int axis = v.layout() == Layout.NHWC ? 3 : 1;
        for (int i = 0; fits && i < rank; i++) {
            fits = i == axis ? d[i] == v.channels() : d[i] == 1;
        }
        if (!fits) {
            throw new FoveaException(where + ": a " + c.describe() + " broadcast over a value of shape "
                    + v.onnxShape() + "; Fovea folds scalar and per-channel constants only");
        }
        float[] out = new float[v.channels()];
        for (int j = 0; j < out.length; j++) {
            out[v.perm() == null ? j : v.perm()[j]] = (float) c.values()[j];
        }
        return out;
    }

    static float[] times(float[] a, float k) {
        float[] r = new float[a.length];
        for (int i = 0; i < a.length; i++) {
            r[i] = a[i] * k;
        }
        return r;
    }

    static float[] reciprocal(float[] a) {
        float[] r = new float[a.length];
        for (int i = 0; i < a.length; i++) {
            r[i] = 1f / a[i];
        }
        return r;
    }

    private static float at(float[] a, int i) {
        return a.length == 1 ? a[0] : a[i];
    }

    private static boolean zero(float[] a) {
        for (float x : a) {
            if (x != 0f) {
                return false;
            }
        }
        return true;
    }

    /**
     * {@code v·scale + shift}: into the weights of the layer that wrote {@code v} when only this
     * node reads it (and a shift has a bias to go to), else pending on the value, composed with
     * any map already pending.
     */
    static Val affine(NodeProto n, GraphReader g, Val v, float[] scale, float[] shift) {
        Weights w = v.producer();
        if (w != null && v.scale() == null) {
            Weights.Kind k = w.kind();
            // Every kernel here ends in its output channels, a depthwise (KH, KW, C, M) one too.
            float[] a = w.params().get(switch (k) {
                case BATCH_NORM -> "gamma";
                case DEPTHWISE -> "depthwise_kernel";
                default -> "kernel";
            });
            float[] b = w.params().get(k == Weights.Kind.BATCH_NORM ? "beta" : "bias");
            if (b != null || zero(shift)) {
                int c = v.channels();
                for (int i = 0; i < a.length; i++) {
                    a[i] *= at(scale, i % c);
                }
                if (b != null) {
                    for (int o = 0; o < c; o++) {
                        b[o] = b[o] * at(scale, o) + at(shift, o);
                    }
                }
                Val folded = v.producer() != null && g.readers.getOrDefault(n.getOutput(0), 0) == 1
                        ? v : v.withProducer(null);
                return folded;
            }
        }
        if (v.scale() == null) {
            return v.withAffine(scale, shift);
        }
        int len = Math.max(Math.max(scale.length, v.scale().length), shift.length);
        len = Math.max(len, v.shift().length);
        float[] s = new float[len];
        float[] b = new float[len];
        for (int i = 0; i < len; i++) {
            s[i] = at(v.scale(), i) * at(scale, i);
            b[i] = at(v.shift(), i) * at(scale, i) + at(shift, i);
        }
        return v.withAffine(s, b);
    }

    /**
     * The Fovea padding that computes what an ONNX window of size {@code k} and stride {@code s}
     * over {@code n} with pads {@code before}/{@code after} computes: the same pad before and the
     * same number of outputs (pads past the last window are never read, and a padded element
     * adds zero to a convolution and is skipped by Fovea's pooling and by ONNX's). Empty when no
     * mode does; several when they agree on this axis (valid and same for a window that needs no pad).
     */
    static java.util.EnumSet<Padding> padding(int n, int k, int s, int before, int after, boolean ceil) {
        java.util.EnumSet<Padding> modes = java.util.EnumSet.noneOf(Padding.class);
        int span = n + before + after - k;
        if (span < 0) {
            return modes;
        }
        int out = ceil ? (span + s - 1) / s + 1 : span / s + 1;
        if (ceil && (out - 1) * s >= n + before) {
            out--; // ONNX, as PyTorch, drops a last window that would start in the end padding
        }
        for (Padding p : Padding.values()) {
            if (p.padBefore(n, k, s) == before && p.outSize(n, k, s) == out) {
                modes.add(p);
            }
        }
        return modes;
    }

    /**
     * A convolution's ONNX window (size {@code k}, stride {@code s}, pads {@code before} and
     * {@code after} over {@code n}) as a larger Fovea kernel of size {@code k'} under padding
     * {@code mode}, the ONNX kernel placed {@code d} taps in and zeros around it: {k', d}, or
     * null when no k' up to k + 2s does. Exact, since a zero tap adds nothing: PyTorch's
     * {@code padding=1} at stride 2 over an even size starts its windows one row above
     * TensorFlow's 'same', and is a 4×4 'same' window whose last row and column are zero.
     */
    static int[] embedding(int n, int k, int s, int before, int after, Padding mode) {
        int span = n + before + after - k;
        if (span < 0) {
            return null;
        }
        int out = span / s + 1;
        for (int k2 = k; k2 <= k + 2 * s; k2++) {
            for (int d = 0; d <= k2 - k; d++) {
                if (mode.padBefore(n, k2, s) == before + d && mode.outSize(n, k2, s) == out) {
                    return new int[]{k2, d};
                }
            }
        }
        return null;
    }
}
