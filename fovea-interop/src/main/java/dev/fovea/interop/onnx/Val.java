package dev.fovea.interop.onnx;

import dev.fovea.nn.SymbolicTensor;
import java.util.Map;

/**
 * What an ONNX tensor value of the graph being imported is in Fovea terms: a Fovea tensor and
 * how the ONNX tensor's axes map onto it ({@link Layout}), plus what is not yet a layer: a
 * per-channel affine map {@code x·scale + shift} waiting to be folded into the next or previous
 * layer, and zero padding waiting for the convolution after it.
 *
 * @param t        the Fovea tensor (per-sample shape (H, W, C) for images, (F) for features)
 * @param layout   how the ONNX value's axes lie over {@code t}
 * @param perm     for {@link Layout#FLAT}: the Fovea index of ONNX feature j; null is the identity
 * @param scale    pending per-channel scale in Fovea channel order (length C, or 1 for a scalar), or null
 * @param shift    pending per-channel shift, as {@code scale}, or null when {@code scale} is
 * @param pads     pending zero padding (top, left, bottom, right) of an image, or null
 * @param producer the layer that wrote {@code t} and may still change its weights (its output has
 *                 one reader, this chain), or null
 */
record Val(SymbolicTensor t, Layout layout, int[] perm, float[] scale, float[] shift, int[] pads, Weights producer) {
    /** The ways an ONNX value lies over a Fovea tensor. */
    enum Layout {
        /** ONNX (N, C, H, W) over Fovea (H, W, C): PyTorch's and ONNX's own layout. */
        NCHW,
        /** ONNX (N, H, W, C) over Fovea (H, W, C): a Keras model's tensors between tf2onnx's Transposes. */
        NHWC,
        /** ONNX (N, F) over Fovea (F), possibly in another order ({@code perm}). */
        FLAT,
        /** ONNX (N, C, 1, 1) over Fovea (C): a global pooling's output before its Flatten. */
        POOLED
    }

    static Val of(SymbolicTensor t, Layout layout) {
        return new Val(t, layout, null, null, null, null, null);
    }

    boolean image() {
        return layout == Layout.NCHW || layout == Layout.NHWC;
    }

    /** Channels (images) or features (flat and pooled). */
    int channels() {
        return t.shape().dim(-1);
    }

    /** The ONNX shape of this value, with N for the batch. */
    String onnxShape() {
        var s = t.shape();
        return switch (layout) {
            case NCHW -> "(N, " + s.dim(2) + ", " + s.dim(0) + ", " + s.dim(1) + ")";
            case NHWC -> "(N, " + s.dim(0) + ", " + s.dim(1) + ", " + s.dim(2) + ")";
            case FLAT -> "(N, " + s.dim(0) + ")";
            case POOLED -> "(N, " + s.dim(0) + ", 1, 1)";
        };
    }

    Val withLayout(Layout l, Weights keep) {
        return new Val(t, l, perm, scale, shift, pads, keep);
    }

    Val withAffine(float[] s, float[] b) {
        return new Val(t, layout, perm, s, b, pads, null);
    }

    Val withPads(int[] p) {
        return new Val(t, layout, perm, scale, shift, p, null);
    }

    /** This value's tensor with {@code from}'s feature order (an element-wise layer keeps it). */
    Val withLayoutPerm(Val from) {
        return new Val(t, layout, from.perm, scale, shift, pads, producer);
    }

    Val withProducer(Weights w) {
        return new Val(t, layout, perm, scale, shift, pads, w);
    }

    /**
     * A layer made by the import and its weights in Fovea's shapes, set into the model once it
     * is built (building initializes every weight afresh). {@code kind} says how a per-channel
     * affine map after it folds in.
     */
    record Weights(String layer, Kind kind, Map<String, float[]> params) {
        enum Kind { CONV, DEPTHWISE, DENSE, BATCH_NORM }
    }
}
