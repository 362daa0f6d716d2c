package dev.fovea.nn;

import dev.fovea.FoveaException;
import dev.fovea.kernel.window.WindowGeometry;
import java.util.Locale;

/**
 * Padding modes of convolution and pooling windows, with the output-size arithmetic the tutorial
 * teaches. For input size n, window k and stride s:
 * <ul>
 * <li>{@code VALID}: no padding, out = floor((n − k)/s) + 1 (N − K + 1 at stride 1);</li>
 * <li>{@code SAME}: TensorFlow's rule, out = ceil(n/s) (N at stride 1), total padding
 *     max((out − 1)·s + k − n, 0) split with the smaller half before;</li>
 * <li>{@code FULL}: k − 1 on every side, out = floor((n + k − 2)/s) + 1 (N + K − 1 at stride 1).</li>
 * </ul>
 * The rules themselves live in {@link WindowGeometry}, which the kernels take; this enum names
 * them the Keras way and builds that record.
 */
public enum Padding {
    VALID, SAME, FULL;

    public static Padding parse(String s) {
        try {
            return valueOf(s.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new FoveaException("unknown padding '" + s + "'; expected valid, same or full");
        }
    }

    /** Keras spelling: {@code valid}, {@code same}, {@code full}. */
    public String keras() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Output size along one axis; may be ≤ 0 for VALID with a window larger than the input. */
    public int outSize(int n, int k, int s) {
        return switch (this) {
            case VALID -> WindowGeometry.validOut(n, k, s);
            case SAME -> WindowGeometry.sameOut(n, s);
            case FULL -> WindowGeometry.fullOut(n, k, s);
        };
    }

    /** Padding before the first element along one axis. */
    public int padBefore(int n, int k, int s) {
        return switch (this) {
            case VALID -> 0;
            case SAME -> WindowGeometry.samePadTotal(n, k, s) / 2;
            case FULL -> k - 1;
        };
    }

    /** Padding after the last element along one axis (SAME puts the odd pixel here). */
    public int padAfter(int n, int k, int s) {
        return switch (this) {
            case VALID -> 0;
            case SAME -> {
                int total = WindowGeometry.samePadTotal(n, k, s);
                yield total - total / 2;
            }
            case FULL -> k - 1;
        };
    }

    /**
     * The window of kernel (kh, kw) with strides (sh, sw) over an (h, w) input under this
     * padding. The caller validates first: a VALID window larger than the input has no output.
     */
    public WindowGeometry geometry(int h, int w, int kh, int kw, int sh, int sw) {
        return switch (this) {
            case VALID -> WindowGeometry.valid(h, w, kh, kw, sh, sw);
            case SAME -> WindowGeometry.same(h, w, kh, kw, sh, sw);
            case FULL -> WindowGeometry.full(h, w, kh, kw, sh, sw);
        };
    }
}
