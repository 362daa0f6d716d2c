package dev.fovea.interop.onnx;

import static dev.fovea.interop.onnx.GraphReader.integer;
import static dev.fovea.interop.onnx.GraphReader.ints;
import static dev.fovea.interop.onnx.GraphReader.real;
import static dev.fovea.interop.onnx.GraphReader.string;

import ai.onnx.proto.OnnxMl.NodeProto;
import dev.fovea.interop.onnx.Val.Layout;
import dev.fovea.interop.onnx.Val.Weights;
import dev.fovea.nn.AveragePooling2D;
import dev.fovea.nn.BatchNormalization;
import dev.fovea.nn.Conv2D;
import dev.fovea.nn.ActivationFunction;
import dev.fovea.nn.Dense;
import dev.fovea.nn.DepthwiseConv2D;
import dev.fovea.nn.Layer;
import dev.fovea.nn.MaxPooling2D;
import dev.fovea.nn.Padding;
import dev.fovea.nn.PoolWindow;
import dev.fovea.nn.SymbolicTensor;
import dev.fovea.nn.ZeroPadding2D;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The ONNX operators that become Fovea layers with weights or windows: Conv (group 1 a
 * Conv2D, one group per input channel a DepthwiseConv2D), MaxPool and AveragePool,
 * BatchNormalization, Gemm and MatMul. Weights are converted to Fovea's layouts (OIHW → HWIO
 * kernels, (C·M, 1, KH, KW) → (KH, KW, C, M) depthwise kernels, (in, out) dense kernels in
 * Fovea's feature order) here.
 */
final class Layers {
    private Layers() {
    }

    /** ONNX's explicit (top, left, bottom, right) pads of a window, from auto_pad or pads, plus a Pad before it. */
    private static int[] pads(Ops ops, NodeProto n, int h, int w, long[] k, long[] s, int[] pending) {
        String auto = string(n, "auto_pad", "NOTSET");
        int[] p = new int[4];
        switch (auto) {
            case "NOTSET" -> {
                long[] given = ints(n, "pads", new long[4]);
                if (given.length != 4) {
                    throw ops.refuse(n, "pads " + Arrays.toString(given) + "; expected 4 values for a 2-D window");
                }
                for (int i = 0; i < 4; i++) {
                    p[i] = (int) given[i];
                }
            }
            case "VALID" -> { }
            case "SAME_UPPER", "SAME_LOWER" -> {
                int[] size = {h, w};
                for (int a = 0; a < 2; a++) {
                    int out = (int) ((size[a] + s[a] - 1) / s[a]);
                    int total = (int) Math.max((out - 1) * s[a] + k[a] - size[a], 0);
                    int small = total / 2;
                    p[a] = auto.equals("SAME_UPPER") ? small : total - small;
                    p[a + 2] = total - p[a];
                }
            }
            default -> throw ops.refuse(n, "auto_pad '" + auto + "'; expected NOTSET, VALID, SAME_UPPER or SAME_LOWER");
        }
        if (pending != null) {
            for (int i = 0; i < 4; i++) {
                p[i] += pending[i];
            }
        }
        return p;
    }

    /** The Fovea padding mode for both axes, or an error saying which pads Fovea can take. */
    private static Padding mode(Ops ops, NodeProto n, int h, int w, long[] k, long[] s, int[] p, boolean ceil) {
        var both = Folding.padding(h, (int) k[0], (int) s[0], p[0], p[2], ceil);
        both.retainAll(Folding.padding(w, (int) k[1], (int) s[1], p[1], p[3], ceil));
        if (both.isEmpty()) {
            throw ops.refuse(n, "pads (top, left, bottom, right) = " + Arrays.toString(p) + " for a " + k[0] + "x" + k[1]
                    + " window with strides " + Arrays.toString(s) + " over " + h + "x" + w + (ceil ? " (ceil_mode)" : "")
                    + "; Fovea's windows pad as Keras does: valid (none), same (TensorFlow's split, the odd pixel"
                    + " after) or full (k - 1 each side); a PyTorch padding of k/2 matches 'same' at stride 1");
        }
        return both.iterator().next();
    }

    private static long[] pair(Ops ops, NodeProto n, String name, long[] otherwise) {
        long[] v = ints(n, name, otherwise);
        if (v.length != 2) {
            throw ops.refuse(n, name + " " + Arrays.toString(v) + "; expected 2 values for a 2-D window");
        }
        return v;
    }

    private static void requireNoDilation(Ops ops, NodeProto n) {
        long[] d = ints(n, "dilations", new long[]{1, 1});
        if (Arrays.stream(d).anyMatch(x -> x != 1)) {
            throw ops.refuse(n, "dilations " + Arrays.toString(d) + "; Fovea's windows have no dilation (1, 1)");
        }
    }

    /** Whether the one node reading {@code n}'s output adds a constant of {@code channels} or 1 values. */
    private static boolean biasAddFollows(GraphReader g, NodeProto n, int channels) {
        if (g.readers.getOrDefault(n.getOutput(0), 0) != 1) {
            return false;
        }
        for (NodeProto r : g.producers.values()) {
            if (r.getInputList().contains(n.getOutput(0)) && r.getOpType().equals("Add")) {
                String other = r.getInput(0).equals(n.getOutput(0)) ? r.getInput(1) : r.getInput(0);
                Constant c = g.constants.get(other);
                return c != null && (c.size() == 1 || c.size() == channels);
            }
        }
        return false;
    }

    static void conv(GraphReader g, Ops ops, NodeProto n) {
        Val x = ops.in(n, 0);
        Constant wc = ops.constantIn(n, 1);
        Constant bc = ops.constantIn(n, 2);
        if (wc == null) {
            throw ops.refuse(n, "has no weights");
        }
        requireNoDilation(ops, n);
        if (x.layout() != Layout.NCHW) {
            throw ops.refuse(n, "reads a value of shape " + x.onnxShape() + " laid out " + x.layout() + "; ONNX's Conv"
                    + " reads channels-first (N, C, H, W) images");
        }
        int c = x.channels();
        long group = integer(n, "group", 1);
        // One group per input channel is a depthwise convolution (MobileNet's, PyTorch's groups=C).
        boolean depthwise = group != 1 && group == c;
        if (group != 1 && !depthwise) {
            throw ops.refuse(n, "group = " + group + " over " + c + " input channels; Fovea imports group 1 (Conv2D)"
                    + " and group = input channels (DepthwiseConv2D, any depth multiplier), no other grouped"
                    + " convolution");
        }
        long[] wd = wc.dims();
        // A depthwise Conv's weights are (C·M, 1, kh, kw): output channel c·M + m reads input channel c.
        int cin = depthwise ? 1 : c;
        if (wd.length != 4 || wd[1] != cin || depthwise && (wd[0] < c || wd[0] % c != 0)) {
            throw ops.refuse(n, "weights of shape " + Arrays.toString(wd) + " for an input of shape " + x.onnxShape()
                    + (depthwise ? " and group " + group + "; expected (" + c + "·multiplier, 1, kh, kw)"
                    : "; expected (filters, " + c + ", kh, kw)"));
        }
        int f = (int) wd[0];
        long[] k = {wd[2], wd[3]};
        long[] s = pair(ops, n, "strides", new long[]{1, 1});
        int h = x.t().shape().dim(0);
        int w = x.t().shape().dim(1);
        int[] p = pads(ops, n, h, w, k, s, x.pads());
        // The window as Fovea computes it: the ONNX kernel, or one embedded in a larger zero
        // kernel when only that lines its windows up with a Fovea padding mode.
        Padding mode = null;
        int[] ey = {(int) k[0], 0};
        int[] ex = {(int) k[1], 0};
        var direct = Folding.padding(h, (int) k[0], (int) s[0], p[0], p[2], false);
        direct.retainAll(Folding.padding(w, (int) k[1], (int) s[1], p[1], p[3], false));
        if (!direct.isEmpty()) {
            mode = direct.iterator().next();
        } else {
            for (Padding m : Padding.values()) {
                int[] y = Folding.embedding(h, (int) k[0], (int) s[0], p[0], p[2], m);
                int[] xx = Folding.embedding(w, (int) k[1], (int) s[1], p[1], p[3], m);
                if (y != null && xx != null && (mode == null || y[0] * xx[0] < ey[0] * ex[0])) {
                    mode = m;
                    ey = y;
                    ex = xx;
                }
            }
            if (mode == null) {
                // No Fovea padding mode lines these pads up: zeros as their own layer, then a valid
                // window. Any pending affine map goes first, since the zeros are added after it.
                x = ops.materialize(x, n.getName());
                SymbolicTensor zeros = Ops.apply(new ZeroPadding2D(p[0], p[2], p[1], p[3]),
                        g.layerName(n, "_pad"), x.t());
                x = new Val(zeros, x.layout(), x.perm(), null, null, null, null);
                p = new int[4];
                mode = Padding.VALID;
            }
        }
        boolean padded = p[0] != 0 || p[1] != 0 || p[2] != 0 || p[3] != 0;
        // An input affine map folds into the kernel, and its shift into the bias, only where no
        // padding is read: a pad is zero after the map, which the map's shift would move.
        boolean foldInput = x.scale() != null && (!padded || allZero(x.shift()));
        if (x.scale() != null && !foldInput) {
            x = ops.materialize(x, n.getName());
        }
        int kh = (int) k[0];
        int kw = (int) k[1];
        // OIHW → HWIO; for a depthwise Conv (I = 1, O = C·M) that is Fovea's (KH, KW, C, M) as it is,
        // since (y·kw + x)·C·M + c·M + m indexes both.
        float[] kernel = new float[kh * kw * cin * f];
        double[] wv = wc.values();
        for (int o = 0; o < f; o++) {
            for (int i = 0; i < cin; i++) {
                for (int y = 0; y < kh; y++) {
                    for (int xx = 0; xx < kw; xx++) {
                        kernel[((y * kw + xx) * cin + i) * f + o] = (float) wv[((o * cin + i) * kh + y) * kw + xx];
                    }
                }
            }
        }
        boolean useBias = bc != null || foldInput || biasAddFollows(g, n, f);
        float[] bias = new float[f];
        if (bc != null) {
            bias = bc.floats();
            if (bias.length != f) {
                throw ops.refuse(n, "a bias of " + bias.length + " values for " + f + " filters");
            }
        }
        if (foldInput && depthwise) {
            foldDepthwiseInputAffine(kernel, bias, x.scale(), x.shift(), kh * kw, c, f / c);
        } else if (foldInput) {
            foldInputAffine(kernel, bias, x.scale(), x.shift(), kh * kw, c, f);
        }
        if (ey[0] != kh || ex[0] != kw) {
            kernel = embed(kernel, kh, kw, cin * f, ey, ex);
            kh = ey[0];
            kw = ex[0];
        }
        Layer layer = depthwise
                ? new DepthwiseConv2D(kh, kw, (int) s[0], (int) s[1], mode, f / c, ActivationFunction.LINEAR, useBias,
                        null)
                : new Conv2D(Conv2D.Config.of(f, kh).kernelSize(kh, kw).strides((int) s[0], (int) s[1]).padding(mode)
                        .useBias(useBias));
        SymbolicTensor t = Ops.apply(layer, g.layerName(n, ""), x.t());
        Map<String, float[]> params = new LinkedHashMap<>();
        params.put(depthwise ? "depthwise_kernel" : "kernel", kernel);
        if (useBias) {
            params.put("bias", bias);
        }
        Weights.Kind kind = depthwise ? Weights.Kind.DEPTHWISE : Weights.Kind.CONV;
        ops.out(n, ops.made(n, t, Layout.NCHW, g.keep(layer, kind, params)));
    }

    /** An HWIO kernel (kh, kw, cf) placed at (ey[1], ex[1]) in a zero kernel of (ey[0], ex[0]). */
    private static float[] embed(float[] kernel, int kh, int kw, int cf, int[] ey, int[] ex) {
        float[] big = new float[ey[0] * ex[0] * cf];
        for (int y = 0; y < kh; y++) {
            for (int x = 0; x < kw; x++) {
                System.arraycopy(kernel, (y * kw + x) * cf, big, ((y + ey[1]) * ex[0] + x + ex[1]) * cf, cf);
            }
        }
        return big;
    }

    private static boolean allZero(float[] a) {
        for (float v : a) {
            if (v != 0f) {
                return false;
            }
        }
        return true;
    }

    /** y = W·(x·a + b) + bias = (W·a)·x + (bias + W·b), for kernels laid out (positions, c, f). */
    private static void foldInputAffine(float[] kernel, float[] bias, float[] a, float[] b, int positions, int c, int f) {
        for (int pos = 0; pos < positions; pos++) {
            for (int i = 0; i < c; i++) {
                float ai = a.length == 1 ? a[0] : a[i];
                float bi = b.length == 1 ? b[0] : b[i];
                int row = (pos * c + i) * f;
                for (int o = 0; o < f; o++) {
                    bias[o] += kernel[row + o] * bi;
                    kernel[row + o] *= ai;
                }
            }
        }
    }

    /**
     * As {@link #foldInputAffine} for a depthwise kernel (positions, c, m), whose output channel
     * i·m + j reads input channel i only.
     */
    private static void foldDepthwiseInputAffine(float[] kernel, float[] bias, float[] a, float[] b, int positions,
                                                 int c, int m) {
        for (int pos = 0; pos < positions; pos++) {
            for (int i = 0; i < c; i++) {
                float ai = a.length == 1 ? a[0] : a[i];
                float bi = b.length == 1 ? b[0] : b[i];
                for (int j = 0; j < m; j++) {
                    int at = (pos * c + i) * m + j;
                    bias[i * m + j] += kernel[at] * bi;
                    kernel[at] *= ai;
                }
            }
        }
    }

    static void pool(GraphReader g, Ops ops, NodeProto n) {
        Val x = ops.plain(n, ops.in(n, 0));
        boolean max = n.getOpType().equals("MaxPool");
        if (x.layout() != Layout.NCHW) {
            throw ops.refuse(n, "reads a value of shape " + x.onnxShape() + " laid out " + x.layout() + "; ONNX's"
                    + " pooling reads channels-first (N, C, H, W) images");
        }
        requireNoDilation(ops, n);
        long[] k = pair(ops, n, "kernel_shape", null);
        long[] s = pair(ops, n, "strides", new long[]{1, 1});
        int h = x.t().shape().dim(0);
        int w = x.t().shape().dim(1);
        int[] p = pads(ops, n, h, w, k, s, null);
        boolean ceil = integer(n, "ceil_mode", 0) == 1;
        if (!max && integer(n, "count_include_pad", 0) == 1 && Arrays.stream(p).anyMatch(v -> v != 0)) {
            throw ops.refuse(n, "count_include_pad = 1 with pads " + Arrays.toString(p) + "; Fovea averages over the"
                    + " window's input elements only (count_include_pad = 0; PyTorch's AvgPool2d(count_include_pad=False))");
        }
        Padding mode = mode(ops, n, h, w, k, s, p, ceil);
        PoolWindow win = PoolWindow.of((int) k[0], (int) k[1]).strides((int) s[0], (int) s[1]).padding(mode);
        Layer layer = max ? new MaxPooling2D(win) : new AveragePooling2D(win);
        ops.out(n, Val.of(Ops.apply(layer, g.layerName(n, ""), x.t()), Layout.NCHW));
    }

    static void batchNorm(GraphReader g, Ops ops, NodeProto n) {
        Val x = ops.plain(n, ops.in(n, 0));
        if (integer(n, "training_mode", 0) != 0) {
            throw ops.refuse(n, "training_mode = 1; Fovea imports inference graphs (export the model in eval mode)");
        }
        if (x.layout() == Layout.NHWC) {
            throw ops.refuse(n, "normalizes a channels-last value of shape " + x.onnxShape() + "; ONNX normalizes axis 1");
        }
        int c = x.channels();
        float[][] p = new float[4][];
        String[] names = {"scale", "B", "mean", "var"};
        for (int i = 0; i < 4; i++) {
            Constant k = ops.constantIn(n, i + 1);
            if (k == null || k.size() != c) {
                throw ops.refuse(n, names[i] + " must be a constant of " + c + " values (one per channel)");
            }
            float[] v = k.floats();
            p[i] = new float[c];
            for (int j = 0; j < c; j++) {
                p[i][x.perm() == null ? j : x.perm()[j]] = v[j];
            }
        }
        float eps = real(n, "epsilon", 1e-5f);
        float momentum = real(n, "momentum", 0.9f);
        BatchNormalization layer = new BatchNormalization(BatchNormalization.Config.defaults()
                .momentum(momentum).epsilon(eps));
        SymbolicTensor t = Ops.apply(layer, g.layerName(n, ""), x.t());
        Map<String, float[]> params = new LinkedHashMap<>();
        params.put("gamma", p[0]);
        params.put("beta", p[1]);
        params.put("moving_mean", p[2]);
        params.put("moving_variance", p[3]);
        Weights wts = g.keep(layer, Weights.Kind.BATCH_NORM, params);
        ops.out(n, ops.made(n, t, x.layout(), wts).withLayoutPerm(x));
    }

    /** Gemm and MatMul with a constant right side: a Dense layer, the flatten permutation in its rows. */
    static void dense(GraphReader g, Ops ops, NodeProto n) {
        Val x = ops.in(n, 0);
        ops.requireNoPads(x, GraphReader.describe(n));
        if (x.layout() != Layout.FLAT && x.layout() != Layout.POOLED) {
            throw ops.refuse(n, "multiplies a value of shape " + x.onnxShape() + "; Fovea's Dense takes (N, features):"
                    + " flatten the image first");
        }
        Constant bc = ops.constantIn(n, 1);
        if (bc == null) {
            throw ops.refuse(n, "has no constant right-hand side");
        }
        boolean gemm = n.getOpType().equals("Gemm");
        if (gemm && integer(n, "transA", 0) != 0) {
            throw ops.refuse(n, "transA = 1; Fovea imports Gemm with the input untransposed");
        }
        boolean transB = gemm && integer(n, "transB", 0) == 1;
        float alpha = gemm ? real(n, "alpha", 1f) : 1f;
        float beta = gemm ? real(n, "beta", 1f) : 1f;
        long[] bd = bc.dims();
        int in = x.channels();
        if (bd.length != 2 || bd[transB ? 1 : 0] != in) {
            throw ops.refuse(n, "a weight matrix of shape " + Arrays.toString(bd) + (transB ? " (transposed)" : "")
                    + " for an input of shape " + x.onnxShape() + "; expected " + in + " input features");
        }
        int units = (int) bd[transB ? 0 : 1];
        float[] kernel = new float[in * units];
        double[] bv = bc.values();
        for (int j = 0; j < in; j++) {
            int row = x.perm() == null ? j : x.perm()[j];
            for (int o = 0; o < units; o++) {
                kernel[row * units + o] = alpha * (float) (transB ? bv[o * in + j] : bv[j * units + o]);
            }
        }
        Constant cc = gemm ? ops.constantIn(n, 2) : null;
        float[] bias = new float[units];
        if (cc != null) {
            if (cc.size() != units && cc.size() != 1) {
                throw ops.refuse(n, "a bias C of shape " + Arrays.toString(cc.dims()) + " for " + units + " outputs");
            }
            for (int o = 0; o < units; o++) {
                bias[o] = beta * (float) cc.values()[cc.size() == 1 ? 0 : o];
            }
        }
        boolean foldInput = x.scale() != null;
        if (foldInput) {
            foldInputAffine(kernel, bias, x.scale(), x.shift(), 1, in, units);
        }
        boolean useBias = cc != null || foldInput || biasAddFollows(g, n, units);
        Dense layer = new Dense(Dense.Config.of(units).useBias(useBias));
        SymbolicTensor t = Ops.apply(layer, g.layerName(n, ""), x.t());
        Map<String, float[]> params = new LinkedHashMap<>();
        params.put("kernel", kernel);
        if (useBias) {
            params.put("bias", bias);
        }
        ops.out(n, ops.made(n, t, Layout.FLAT, g.keep(layer, Weights.Kind.DENSE, params)));
    }
}
