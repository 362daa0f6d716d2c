package dev.fovea.nn;

import dev.fovea.FoveaException;
import dev.fovea.tensor.Rng;
import dev.fovea.tensor.Shape;
import dev.fovea.tensor.Tensor;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Keras {@code ZeroPadding2D(padding)}: rows and columns of zeros around each image, (H, W, C) →
 * (top + H + bottom, left + W + right, C); MobileNet pads (0, 1, 0, 1) before a stride-2
 * depthwise convolution with {@code valid} padding. {@code padding} is one number for every side,
 * a pair (height, width) for both sides of each, or ((top, bottom), (left, right)), as in Keras.
 * No parameters; the backward pass crops dy.
 */
public final class ZeroPadding2D extends BaseLayer {
    private final int top;
    private final int bottom;
    private final int left;
    private final int right;
    private Tensor y;
    private Tensor dx;

    public ZeroPadding2D(int top, int bottom, int left, int right) {
        if (top < 0 || bottom < 0 || left < 0 || right < 0) {
            throw new FoveaException("ZeroPadding2D: padding must be ≥ 0 on every side, received ((" + top + ", "
                    + bottom + "), (" + left + ", " + right + "))");
        }
        this.top = top;
        this.bottom = bottom;
        this.left = left;
        this.right = right;
    }

    /** Keras's {@code ZeroPadding2D(p)}: p rows and columns on every side. */
    public ZeroPadding2D(int padding) {
        this(padding, padding, padding, padding);
    }

    /** ((top, bottom), (left, right)). */
    public int[] padding() {
        return new int[]{top, bottom, left, right};
    }

    @Override
    public Shape build(Shape in, Rng rng) {
        PoolWindow.requireImage(name(), in);
        inputShape = in;
        outputShape = Shape.of(top + in.dim(0) + bottom, left + in.dim(1) + right, in.dim(2));
        return outputShape;
    }

    /** y (N, OH, OW, C) written: zeros, and x (N, H, W, C) at (top, left). */
    @Override
    public Tensor forward(Tensor input, boolean training) {
        checkInput(input);
        int n = input.shape().dim(0);
        y = reuse(y, outputShape.withBatch(n));
        float[] out = y.data();
        Arrays.fill(out, 0f);
        copy(input.data(), out, n, true);
        return y;
    }

    /** dx (N, H, W, C) written: dy cropped to the input's rows and columns. */
    @Override
    public Tensor backward(Tensor dy) {
        int n = dy.shape().dim(0);
        dx = reuse(dx, inputShape.withBatch(n));
        copy(dy.data(), dx.data(), n, false);
        return dx;
    }

    /** Copies each input row into the padded image (or back): rows of W·C contiguous floats. */
    private void copy(float[] from, float[] to, int n, boolean pad) {
        int h = inputShape.dim(0);
        int w = inputShape.dim(1);
        int c = inputShape.dim(2);
        int ow = outputShape.dim(1);
        int oh = outputShape.dim(0);
        int row = w * c;
        for (int b = 0; b < n; b++) {
            for (int r = 0; r < h; r++) {
                int small = (b * h + r) * row;
                int big = ((b * oh + r + top) * ow + left) * c;
                if (pad) {
                    System.arraycopy(from, small, to, big, row);
                } else {
                    System.arraycopy(from, big, to, small, row);
                }
            }
        }
    }

    @Override
    public Map<String, Object> config() {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("padding", List.of(List.of(top, bottom), List.of(left, right)));
        c.put("data_format", "channels_last");
        return c;
    }

    /** Reads what {@link #config()} writes and Keras's three spellings of {@code padding}. */
    static ZeroPadding2D fromConfig(LayerConfig c) {
        Object p = c.raw("padding");
        c.channelsLast();
        if (p == null) {
            return new ZeroPadding2D(1);
        }
        if (p instanceof Number v) {
            return new ZeroPadding2D(v.intValue());
        }
        if (p instanceof List<?> l && l.size() == 2 && l.get(0) instanceof Number a && l.get(1) instanceof Number b) {
            return new ZeroPadding2D(a.intValue(), a.intValue(), b.intValue(), b.intValue());
        }
        if (p instanceof List<?> l && l.size() == 2 && l.get(0) instanceof List<?> hv && l.get(1) instanceof List<?> wv
                && hv.size() == 2 && wv.size() == 2 && hv.get(0) instanceof Number t && hv.get(1) instanceof Number bo
                && wv.get(0) instanceof Number le && wv.get(1) instanceof Number ri) {
            return new ZeroPadding2D(t.intValue(), bo.intValue(), le.intValue(), ri.intValue());
        }
        throw c.unsupported("padding", p, "a number, a pair (height, width) or ((top, bottom), (left, right))");
    }
}
