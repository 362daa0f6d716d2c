package dev.fovea.kernel.window;

/**
 * The one description of a 2-D window sliding over an image, shared by convolution
 * ({@code Convolution}, {@code ConvGemm}, {@code Im2col}) and pooling ({@link Pool2d}): input
 * {@code (h, w)}, kernel (or pool) {@code (kh, kw)}, strides {@code (sh, sw)}, the padding before
 * the first row and column ({@code padTop}, {@code padLeft}) and the output {@code (oh, ow)}.
 * Output position (oy, ox) covers input rows {@code rowStart(oy) + ky} for ky in
 * [{@code kyBegin(oy)}, {@code kyEnd(oy)}) and columns likewise; the rest of its kh × kw window
 * lies in padding (zeros for convolution, ignored by pooling). The padding after the last
 * row/column is implied by the output size.
 *
 * <p>Layers build one when they are built ({@link #valid}, {@link #same}, {@link #full} follow
 * Keras) and hand it to the kernels with the batch size and channel counts, which are not part of
 * the window. Kernels copy the fields into locals at entry; the helpers are for loop prologues
 * (once per output row or position), never for innermost loops. Not a layer configuration: it
 * knows nothing of dilation, filters or activation.
 *
 * <p>The constructor rejects a geometry whose windows would leave the padded input: every window
 * must overlap the input (pads smaller than the kernel, last window starting inside), which holds
 * for all three Keras modes and is what pooling needs (a window with no input element has no
 * maximum and no mean).
 *
 * @param h       input height
 * @param w       input width
 * @param kh      kernel (pool) height
 * @param kw      kernel (pool) width
 * @param sh      vertical stride
 * @param sw      horizontal stride
 * @param padTop  zero rows before the first input row
 * @param padLeft zero columns before the first input column
 * @param oh      output height
 * @param ow      output width
 */
public record WindowGeometry(int h, int w, int kh, int kw, int sh, int sw, int padTop, int padLeft, int oh, int ow) {
    public WindowGeometry {
        String problem = null;
        if (h < 1 || w < 1 || kh < 1 || kw < 1 || sh < 1 || sw < 1 || oh < 1 || ow < 1) {
            problem = "needs positive sizes and strides";
        } else if (padTop < 0 || padLeft < 0 || padTop >= kh || padLeft >= kw) {
            problem = "needs before-pads in [0, kernel)";
        } else if ((oh - 1) * sh - padTop >= h || (ow - 1) * sw - padLeft >= w) {
            problem = "has its last window starting past the input";
        }
        if (problem != null) {
            // Not toString(): a compact constructor runs before the fields are assigned.
            throw new IllegalArgumentException("window geometry " + problem + ", received input " + h + "x" + w
                    + ", kernel " + kh + "x" + kw + ", strides " + sh + "x" + sw + ", pads before " + padTop + "x"
                    + padLeft + ", output " + oh + "x" + ow);
        }
    }

    /** Keras {@code valid}: no padding, out = floor((n − k)/s) + 1 per axis. */
    public static WindowGeometry valid(int h, int w, int kh, int kw, int sh, int sw) {
        return new WindowGeometry(h, w, kh, kw, sh, sw, 0, 0, validOut(h, kh, sh), validOut(w, kw, sw));
    }

    /**
     * Keras {@code same} (TensorFlow's rule): out = ceil(n/s) per axis; the total padding
     * {@link #samePadTotal} is split with the smaller half before, so an odd pad goes to the
     * bottom/right.
     */
    public static WindowGeometry same(int h, int w, int kh, int kw, int sh, int sw) {
        return new WindowGeometry(h, w, kh, kw, sh, sw, samePadTotal(h, kh, sh) / 2, samePadTotal(w, kw, sw) / 2,
                sameOut(h, sh), sameOut(w, sw));
    }

    /** {@code full}: k − 1 zeros on every side, out = floor((n + k − 2)/s) + 1 per axis. */
    public static WindowGeometry full(int h, int w, int kh, int kw, int sh, int sw) {
        return new WindowGeometry(h, w, kh, kw, sh, sw, kh - 1, kw - 1, fullOut(h, kh, sh), fullOut(w, kw, sw));
    }

    /** One window over the whole image: global pooling, output 1 × 1. */
    public static WindowGeometry global(int h, int w) {
        return new WindowGeometry(h, w, h, w, h, w, 0, 0, 1, 1);
    }

    /** {@code valid} output size along one axis of n with window k and stride s; 0 when k &gt; n. */
    public static int validOut(int n, int k, int s) {
        return n >= k ? (n - k) / s + 1 : 0;
    }

    /** {@code same} output size along one axis: ceil(n/s). */
    public static int sameOut(int n, int s) {
        return (n + s - 1) / s;
    }

    /** {@code same} padding along one axis, before plus after: max((out − 1)·s + k − n, 0). */
    public static int samePadTotal(int n, int k, int s) {
        return Math.max((sameOut(n, s) - 1) * s + k - n, 0);
    }

    /** {@code full} output size along one axis: floor((n + k − 2)/s) + 1. */
    public static int fullOut(int n, int k, int s) {
        return (n + k - 2) / s + 1;
    }

    /** Input row of output row oy's first kernel row (negative inside the top padding). */
    public int rowStart(int oy) {
        return oy * sh - padTop;
    }

    /** Input column of output column ox's first kernel column (negative inside the left padding). */
    public int colStart(int ox) {
        return ox * sw - padLeft;
    }

    /** First kernel row of output row oy that falls inside the input. */
    public int kyBegin(int oy) {
        return Math.max(0, padTop - oy * sh);
    }

    /** One past the last kernel row of output row oy that falls inside the input. */
    public int kyEnd(int oy) {
        return Math.min(kh, h + padTop - oy * sh);
    }

    /** First kernel column of output column ox that falls inside the input. */
    public int kxBegin(int ox) {
        return Math.max(0, padLeft - ox * sw);
    }

    /** One past the last kernel column of output column ox that falls inside the input. */
    public int kxEnd(int ox) {
        return Math.min(kw, w + padLeft - ox * sw);
    }

    /** Padding after the last input row implied by the output size (may be negative for VALID's dropped rows). */
    public int padBottom() {
        return (oh - 1) * sh + kh - h - padTop;
    }

    /** Padding after the last input column implied by the output size (may be negative as {@link #padBottom}). */
    public int padRight() {
        return (ow - 1) * sw + kw - w - padLeft;
    }

    /** True for 1×1, stride-1, unpadded windows: the output is the input, position by position. */
    public boolean pointwise() {
        return kh == 1 && kw == 1 && sh == 1 && sw == 1 && padTop == 0 && padLeft == 0 && oh == h && ow == w;
    }

    /**
     * The window of the stride-1 backward-data pass read as a forward convolution: dy (oh, ow)
     * as input, the flipped kernel, before-pads kh − 1 − padTop and kw − 1 − padLeft, and the
     * input size as output. Only for stride 1.
     */
    public WindowGeometry stride1Adjoint() {
        if (sh != 1 || sw != 1) {
            throw new IllegalStateException("stride1Adjoint of a strided window " + this);
        }
        return new WindowGeometry(oh, ow, kh, kw, 1, 1, kh - 1 - padTop, kw - 1 - padLeft, h, w);
    }
}
