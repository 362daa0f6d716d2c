package dev.fovea.interop.onnx;

import static dev.fovea.interop.onnx.GraphReader.describe;
import static dev.fovea.interop.onnx.GraphReader.integer;
import static dev.fovea.interop.onnx.GraphReader.ints;
import static dev.fovea.interop.onnx.GraphReader.real;
import static dev.fovea.interop.onnx.GraphReader.string;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import dev.fovea.FoveaException;
import dev.fovea.interop.onnx.Val.Layout;
import dev.fovea.interop.onnx.Val.Weights;
import dev.fovea.nn.Activation;
import dev.fovea.nn.ActivationFunction;
import dev.fovea.nn.Add;
import dev.fovea.nn.AveragePooling2D;
import dev.fovea.nn.BatchNormalization;
import dev.fovea.nn.Concatenate;
import dev.fovea.nn.Conv2D;
import dev.fovea.nn.Dense;
import dev.fovea.nn.Flatten;
import dev.fovea.nn.GlobalAveragePooling2D;
import dev.fovea.nn.GlobalMaxPooling2D;
import dev.fovea.nn.Layer;
import dev.fovea.nn.MaxPooling2D;
import dev.fovea.nn.Padding;
import dev.fovea.nn.PoolWindow;
import dev.fovea.nn.ReLU;
import dev.fovea.nn.Rescaling;
import dev.fovea.nn.SymbolicTensor;
import dev.fovea.nn.ZeroPadding2D;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What each ONNX operator becomes in Fovea. Channels-first values stay channels-last Fovea
 * tensors with a {@link Layout} saying how ONNX's axes lie over them, so a Transpose between the
 * two layouts (tf2onnx's pairs) is no layer at all, and a Flatten of a channels-first value
 * becomes Fovea's (height-width-channel) Flatten plus a permutation that the Gemm or MatMul after
 * it takes into its weights. Constant Mul, Add, Sub and Div become a pending per-channel affine
 * map folded into the layer before (Conv, Gemm, BatchNormalization whose output nothing else
 * reads) or after (a Conv without padding, a Gemm), else a Rescaling (scalar) or a diagonal 1×1
 * Conv2D or Dense (per channel).
 */
final class Ops {
    /** The operators read, for the error that names an unknown one. */
    static final List<String> SUPPORTED = List.of("Add", "AveragePool", "BatchNormalization", "Clip", "Concat",
            "Constant", "Conv", "Div", "Dropout", "Flatten", "Gelu", "Gemm", "GlobalAveragePool", "GlobalMaxPool",
            "Identity", "LeakyRelu", "MatMul", "MaxPool", "Mul", "Pad",
            "ReduceMax and ReduceMean (over height and width)", "Relu", "Reshape", "Sigmoid", "Softmax", "Squeeze",
            "Sub", "Tanh", "Transpose", "Erf (in GELU's erf form)",
            "GreaterOrEqual and Where (in a thresholded ReLU's form, as Fovea exports it)",
            "Shape, Gather, Unsqueeze, Cast and Concat of constants (a Reshape's shape from x.size(0))");

    private final GraphReader g;

    Ops(GraphReader g) {
        this.g = g;
    }

    void node(NodeProto n) {
        if (!n.getDomain().isEmpty() && !n.getDomain().equals("ai.onnx")) {
            throw unsupported(n);
        }
        switch (n.getOpType()) {
            case "Constant" -> constant(n);
            case "Identity", "Dropout" -> alias(n);
            case "Transpose" -> transpose(n);
            case "Conv" -> Layers.conv(g, this, n);
            case "Relu" -> relu(n);
            case "Sigmoid" -> out(n, activation(n, ActivationFunction.SIGMOID, in(n, 0), ""));
            case "Tanh" -> out(n, activation(n, ActivationFunction.TANH, in(n, 0), ""));
            case "Gelu" -> gelu(n);
            case "LeakyRelu" -> leakyRelu(n);
            case "Clip" -> clip(n);
            case "MaxPool", "AveragePool" -> Layers.pool(g, this, n);
            case "GlobalAveragePool", "GlobalMaxPool" -> globalPool(n);
            case "ReduceMean", "ReduceMax" -> reduce(n);
            case "BatchNormalization" -> Layers.batchNorm(g, this, n);
            case "Gemm", "MatMul" -> Layers.dense(g, this, n);
            case "Add", "Sub", "Mul", "Div" -> arithmetic(n);
            case "Flatten" -> flatten(n, integer(n, "axis", 1));
            case "Reshape" -> reshape(n);
            case "Squeeze" -> squeeze(n);
            case "Softmax" -> softmax(n);
            case "Concat" -> concat(n);
            case "Pad" -> pad(n);
            case "Shape" -> shape(n);
            case "Gather", "Unsqueeze", "Cast" -> constantOnly(n);
            default -> throw unsupported(n);
        }
    }

    FoveaException unsupported(NodeProto n) {
        String op = n.getDomain().isEmpty() || n.getDomain().equals("ai.onnx") ? n.getOpType()
                : n.getDomain() + "." + n.getOpType();
        return new FoveaException(g.where + ": node '" + n.getName() + "' is a " + op + " operator, which Fovea's"
                + " ONNX import does not support; it reads " + String.join(", ", SUPPORTED)
                + " (opsets 11 to 21); nothing was written");
    }

    FoveaException refuse(NodeProto n, String what) {
        return new FoveaException(g.where + ": " + describe(n) + ": " + what);
    }

    // ---- values ----------------------------------------------------------------------------

    /** Input {@code i} of {@code n} as a tensor value (an error when it is a constant or missing). */
    Val in(NodeProto n, int i) {
        String name = i < n.getInputCount() ? n.getInput(i) : "";
        Val v = g.values.get(name);
        if (v == null) {
            throw refuse(n, g.constants.containsKey(name) ? "input " + i + " ('" + name + "') is a constant where"
                    + " Fovea expects a tensor computed from the model input"
                    : "input " + i + " ('" + name + "') is not defined before this node");
        }
        return v;
    }

    /** Input {@code i} as a constant, or null when absent ("" or past the end). */
    Constant constantIn(NodeProto n, int i) {
        if (i >= n.getInputCount() || n.getInput(i).isEmpty()) {
            return null;
        }
        Constant c = g.constants.get(n.getInput(i));
        if (c == null) {
            throw refuse(n, "input " + i + " ('" + n.getInput(i) + "') must be a constant (an initializer or a"
                    + " Constant node) for Fovea to import it, and it is computed by the graph");
        }
        return c;
    }

    void out(NodeProto n, Val v) {
        g.values.put(n.getOutput(0), v);
        for (int i = 1; i < n.getOutputCount(); i++) {
            if (!n.getOutput(i).isEmpty() && g.readers.getOrDefault(n.getOutput(i), 0) > 0) {
                throw refuse(n, "its output " + i + " ('" + n.getOutput(i) + "') is read by the graph; Fovea"
                        + " imports inference graphs, which read only the first output");
            }
        }
    }

    /** A value keeping its foldable producer only when this node's output has a single reader too. */
    Val chain(NodeProto n, Val v) {
        return v.producer() != null && g.readers.getOrDefault(n.getOutput(0), 0) == 1 ? v : v.withProducer(null);
    }

    /** A new layer's output; its weights may take in a later affine map when one node alone reads it. */
    Val made(NodeProto n, SymbolicTensor t, Layout layout, Weights w) {
        Val v = Val.of(t, layout);
        return w != null && g.readers.getOrDefault(n.getOutput(0), 0) == 1 ? v.withProducer(w) : v;
    }

    static SymbolicTensor apply(Layer layer, String name, SymbolicTensor... in) {
        layer.setName(name);
        return layer.apply(in);
    }

    void requireNoPads(Val v, String reader) {
        if (v.pads() != null) {
            throw new FoveaException(g.where + ": a Pad is read by " + reader + "; Fovea imports zero padding"
                    + " as a convolution's own padding or as a ZeroPadding2D layer");
        }
    }

    /**
     * Pending zero padding as a ZeroPadding2D layer, for a reader that cannot take it into its
     * own padding (anything but a Conv); the value as it is when nothing is pending.
     */
    Val unpad(NodeProto n, Val v) {
        int[] p = v.pads(); // top, left, bottom, right
        if (p == null) {
            return v;
        }
        SymbolicTensor t = apply(new ZeroPadding2D(p[0], p[2], p[1], p[3]), g.layerName(n, "_pad"), v.t());
        return new Val(t, v.layout(), v.perm(), v.scale(), v.shift(), null, null);
    }

    /** Turns a pending affine map into a layer: Rescaling for a scalar, else a diagonal 1×1 Conv2D or Dense. */
    Val materialize(Val v, String name) {
        if (v.scale() == null) {
            return v;
        }
        float[] s = v.scale();
        float[] b = v.shift();
        boolean scalar = allSame(s) && allSame(b);
        String layerName = g.layerName(NodeProto.newBuilder().setName(name + "_affine").build(), "");
        if (scalar) {
            SymbolicTensor t = apply(new Rescaling(s[0], b[0]), layerName, v.t());
            return new Val(t, v.layout(), v.perm(), null, null, v.pads(), null);
        }
        int c = v.channels();
        float[] kernel = new float[c * c];
        float[] bias = new float[c];
        for (int i = 0; i < c; i++) {
            kernel[i * c + i] = s.length == 1 ? s[0] : s[i];
            bias[i] = b.length == 1 ? b[0] : b[i];
        }
        Layer layer = v.image() ? new Conv2D(Conv2D.Config.of(c, 1)) : new Dense(c);
        SymbolicTensor t = apply(layer, layerName, v.t());
        Map<String, float[]> p = new LinkedHashMap<>();
        p.put("kernel", kernel);
        p.put("bias", bias);
        g.keep(layer, v.image() ? Weights.Kind.CONV : Weights.Kind.DENSE, p);
        return new Val(t, v.layout(), v.perm(), null, null, v.pads(), null);
    }

    /** A value as a plain tensor: no pending affine map or padding. */
    Val plain(NodeProto n, Val v) {
        return materialize(unpad(n, v), n.getName().isEmpty() ? n.getOpType() : n.getName());
    }

    private static boolean allSame(float[] a) {
        for (float x : a) {
            if (Float.compare(x, a[0]) != 0) {
                return false;
            }
        }
        return true;
    }

    // ---- operators -------------------------------------------------------------------------

    private void constant(NodeProto n) {
        AttributeProto a = GraphReader.attribute(n, "value");
        Constant c;
        if (a != null) {
            c = Constant.of(a.getT(), g.where);
        } else if ((a = GraphReader.attribute(n, "value_float")) != null) {
            c = new Constant(new double[]{a.getF()}, new long[0]);
        } else if ((a = GraphReader.attribute(n, "value_floats")) != null) {
            c = new Constant(a.getFloatsList().stream().mapToDouble(Float::doubleValue).toArray(),
                    new long[]{a.getFloatsCount()});
        } else if ((a = GraphReader.attribute(n, "value_int")) != null) {
            c = new Constant(new double[]{a.getI()}, new long[0]);
        } else if ((a = GraphReader.attribute(n, "value_ints")) != null) {
            c = new Constant(a.getIntsList().stream().mapToDouble(Long::doubleValue).toArray(),
                    new long[]{a.getIntsCount()});
        } else {
            throw refuse(n, "a Constant without a numeric value (value, value_float(s) or value_int(s))");
        }
        g.constants.put(n.getOutput(0), c);
    }

    private void alias(NodeProto n) {
        String src = n.getInput(0);
        if (g.constants.containsKey(src)) {
            g.constants.put(n.getOutput(0), g.constants.get(src));
            return;
        }
        out(n, chain(n, in(n, 0)));
    }

    private void transpose(NodeProto n) {
        long[] perm = ints(n, "perm", null);
        if (g.constants.containsKey(n.getInput(0))) {
            g.constants.put(n.getOutput(0), Folding.transpose(g.constants.get(n.getInput(0)), perm));
            return;
        }
        Val v = in(n, 0);
        Layout to = null;
        if (perm != null && Arrays.equals(perm, new long[]{0, 3, 1, 2}) && v.layout() == Layout.NHWC) {
            to = Layout.NCHW;
        } else if (perm != null && Arrays.equals(perm, new long[]{0, 2, 3, 1}) && v.layout() == Layout.NCHW) {
            to = Layout.NHWC;
        } else if (perm != null && Arrays.equals(perm, new long[]{0, 1}) && v.layout() == Layout.FLAT) {
            to = Layout.FLAT;
        }
        if (to == null) {
            throw refuse(n, "perm " + (perm == null ? "(reversed)" : Arrays.toString(perm)) + " on a value of shape "
                    + v.onnxShape() + "; Fovea imports the Transposes between channels-first (N, C, H, W) and"
                    + " channels-last (N, H, W, C) images, [0, 3, 1, 2] and [0, 2, 3, 1]");
        }
        out(n, chain(n, v.withLayout(to, v.producer())));
    }

    Val activation(NodeProto n, ActivationFunction f, Val x, String suffix) {
        Val v = plain(n, x);
        return Val.of(apply(new Activation(f), g.layerName(n, suffix), v.t()), v.layout()).withLayoutPerm(v);
    }

    void gelu(NodeProto n) {
        String approx = string(n, "approximate", "none");
        if (!approx.equals("none")) {
            throw refuse(n, "approximate = '" + approx + "'; Fovea's GELU is the exact (erf) one, approximate = 'none'");
        }
        out(n, activation(n, ActivationFunction.GELU, in(n, 0), ""));
    }

    /**
     * Relu as a relu Activation, or as nothing when its one reader is a Clip from 0, which
     * clips below at 0 itself: PyTorch writes relu6 as Relu then Clip(0, 6), one ReLU(6) here.
     */
    private void relu(NodeProto n) {
        String y = n.getOutput(0);
        if (g.readers.getOrDefault(y, 0) == 1) {
            for (NodeProto r : g.producers.values()) {
                if (r.getOpType().equals("Clip") && r.getInputCount() > 1 && r.getInput(0).equals(y)) {
                    Constant lo = g.constantAhead(r.getInput(1));
                    if (lo != null && lo.size() == 1 && lo.values()[0] == 0) {
                        out(n, chain(n, in(n, 0)));
                        return;
                    }
                }
            }
        }
        out(n, activation(n, ActivationFunction.RELU, in(n, 0), ""));
    }

    /** A ReLU layer on value {@code x} whose output is {@code at}'s, the last node of a pattern ({@link ThresholdRelu}). */
    void reluOf(NodeProto at, String x, ReLU layer) {
        NodeProto n = NodeProto.newBuilder().setOpType("Relu").setName(at.getName()).addInput(x)
                .addOutput(at.getOutput(0)).build();
        out(n, reluLayer(n, plain(n, in(n, 0)), layer));
    }

    /** The value of {@code n}'s one input through a ReLU layer. */
    private Val reluLayer(NodeProto n, Val x, ReLU layer) {
        return Val.of(apply(layer, g.layerName(n, ""), x.t()), x.layout()).withLayoutPerm(x);
    }

    /**
     * LeakyRelu(α) is Fovea's ReLU(negative_slope = α) for α ≥ 0; a negative α (which ReLU
     * refuses) is (1 − α)·relu(x) + α·x, with an Activation, Rescalings and Add.
     */
    private void leakyRelu(NodeProto n) {
        float alpha = real(n, "alpha", 0.01f);
        Val x = plain(n, in(n, 0));
        if (alpha >= 0 && Float.isFinite(alpha)) {
            out(n, reluLayer(n, x, new ReLU(ReLU.NO_MAX, alpha, 0f)));
            return;
        }
        Val r = activation(n, ActivationFunction.RELU, x, "_relu");
        SymbolicTensor pos = apply(new Rescaling(1 - alpha), g.layerName(n, "_positive"), r.t());
        SymbolicTensor lin = apply(new Rescaling(alpha), g.layerName(n, "_linear"), x.t());
        out(n, Val.of(apply(new Add(), g.layerName(n, ""), pos, lin), x.layout()).withLayoutPerm(x));
    }

    /**
     * Clip(x, lo, hi) as one ReLU layer where one expresses it: ReLU(max_value = hi) for lo = 0
     * and hi > 0 or none (ReLU6 for 6), ReLU(max_value = hi, negative_slope = 1), which is
     * min(x, hi), for no lo and hi > 0. Otherwise hi − relu(hi − (lo + relu(x − lo))), with
     * Fovea's relu Activation and Rescaling. An infinite bound is no bound.
     */
    private void clip(NodeProto n) {
        Constant lo = constantIn(n, 1);
        Constant hi = constantIn(n, 2);
        Val v = plain(n, in(n, 0));
        if (lo != null && lo.size() != 1 || hi != null && hi.size() != 1) {
            throw refuse(n, "min and max must be scalars");
        }
        if (lo != null && lo.values()[0] == Double.NEGATIVE_INFINITY) {
            lo = null;
        }
        if (hi != null && hi.values()[0] == Double.POSITIVE_INFINITY) {
            hi = null;
        }
        float cap = hi == null ? ReLU.NO_MAX : (float) hi.values()[0];
        if (cap > 0 && (lo == null && hi != null || lo != null && lo.values()[0] == 0)) {
            out(n, reluLayer(n, v, new ReLU(cap, lo == null ? 1f : 0f, 0f)));
            return;
        }
        if (lo != null) {
            float l = (float) lo.values()[0];
            SymbolicTensor t = l == 0 ? v.t() : apply(new Rescaling(1, -l), g.layerName(n, "_minus_min"), v.t());
            t = apply(new Activation(ActivationFunction.RELU), g.layerName(n, "_min"), t);
            if (l != 0) {
                t = apply(new Rescaling(1, l), g.layerName(n, "_plus_min"), t);
            }
            v = new Val(t, v.layout(), v.perm(), null, null, null, null);
        }
        if (hi != null) {
            float h = (float) hi.values()[0];
            SymbolicTensor t = apply(new Rescaling(-1, h), g.layerName(n, "_max_minus"), v.t());
            t = apply(new Activation(ActivationFunction.RELU), g.layerName(n, "_max"), t);
            t = apply(new Rescaling(-1, h), g.layerName(n, ""), t);
            v = new Val(t, v.layout(), v.perm(), null, null, null, null);
        }
        out(n, v);
    }

    private void globalPool(NodeProto n) {
        Val v = plain(n, in(n, 0));
        if (v.layout() != Layout.NCHW) {
            throw refuse(n, "pools a value of shape " + v.onnxShape() + " laid out " + v.layout()
                    + "; ONNX's global pooling reads channels-first (N, C, H, W) images");
        }
        Layer layer = n.getOpType().equals("GlobalAveragePool") ? new GlobalAveragePooling2D() : new GlobalMaxPooling2D();
        out(n, Val.of(apply(layer, g.layerName(n, ""), v.t()), Layout.POOLED));
    }

    /**
     * ReduceMean or ReduceMax over height and width: tf2onnx's form of Keras's global poolings
     * (axes [1, 2] of its NHWC tensors, keepdims 0); axes an attribute before opset 18, an input from it.
     */
    private void reduce(NodeProto n) {
        Val v = plain(n, in(n, 0));
        long[] axes = g.opset >= 18 ? (constantIn(n, 1) == null ? null : constantIn(n, 1).longs()) : ints(n, "axes", null);
        boolean keep = integer(n, "keepdims", 1) == 1;
        long[] spatial = v.layout() == Layout.NCHW ? new long[]{2, 3} : new long[]{1, 2};
        long[] sorted = axes == null ? null : Arrays.stream(axes).map(a -> a < 0 ? a + 4 : a).sorted().toArray();
        if (!v.image() || !Arrays.equals(sorted, spatial) || keep && v.layout() == Layout.NHWC) {
            throw refuse(n, "reduces axes " + (axes == null ? "(all)" : Arrays.toString(axes)) + " of a value of shape "
                    + v.onnxShape() + (keep ? " keeping them" : "") + "; Fovea imports the reductions over height and"
                    + " width that a global pooling is (keepdims 0, or 1 on channels-first values)");
        }
        Layer layer = n.getOpType().equals("ReduceMean") ? new GlobalAveragePooling2D() : new GlobalMaxPooling2D();
        out(n, Val.of(apply(layer, g.layerName(n, ""), v.t()), keep ? Layout.POOLED : Layout.FLAT));
    }

    /** Flatten from {@code axis} 1: Fovea's Flatten, whose (H, W, C) order a channels-first Flatten permutes. */
    private void flatten(NodeProto n, long axis) {
        Val v = in(n, 0);
        if (axis != 1) {
            throw refuse(n, "axis " + axis + "; Fovea flattens every axis after the batch (axis 1)");
        }
        out(n, flat(n, v));
    }

    private Val flat(NodeProto n, Val v) {
        switch (v.layout()) {
            case FLAT -> {
                return chain(n, v);
            }
            case POOLED -> {
                return chain(n, v.withLayout(Layout.FLAT, v.producer()));
            }
            default -> {
                Val x = plain(n, v);
                var s = x.t().shape();
                SymbolicTensor t = apply(new Flatten(), g.layerName(n, ""), x.t());
                int[] perm = null;
                if (x.layout() == Layout.NCHW && s.dim(2) > 1 && s.dim(0) * s.dim(1) > 1) {
                    int h = s.dim(0);
                    int w = s.dim(1);
                    int c = s.dim(2);
                    perm = new int[h * w * c];
                    for (int ch = 0; ch < c; ch++) {
                        for (int p = 0; p < h * w; p++) {
                            perm[ch * h * w + p] = p * c + ch; // ONNX (c, h, w) → Fovea (h, w, c)
                        }
                    }
                }
                return new Val(t, Layout.FLAT, perm, null, null, null, null);
            }
        }
    }

    /** A static Reshape that flattens ((N, F) from an image or pooled value) or keeps (N, C, 1, 1). */
    private void reshape(NodeProto n) {
        Constant shape = constantIn(n, 1);
        Val v = in(n, 0);
        if (shape == null) {
            throw refuse(n, "has no target shape");
        }
        long[] to = shape.longs();
        if (integer(n, "allowzero", 0) == 1 && Arrays.stream(to).anyMatch(d -> d == 0)) {
            throw refuse(n, "allowzero = 1 with a 0 in shape " + Arrays.toString(to) + ": an empty tensor");
        }
        int features = v.t().shape().size();
        boolean batchFirst = to.length == 2 && (to[0] == 0 || to[0] == -1 || to[0] >= 1)
                && (to[1] == features || to[1] == -1 && to[0] != -1);
        boolean inferredBatch = to.length == 2 && to[0] == -1 && to[1] == features;
        if (batchFirst || inferredBatch) {
            out(n, flat(n, v));
            return;
        }
        if (v.layout() == Layout.POOLED && to.length == 4 && to[2] == 1 && to[3] == 1
                && (to[1] == features || to[1] == -1)) {
            out(n, chain(n, v));
            return;
        }
        throw refuse(n, "reshapes a value of shape " + v.onnxShape() + " to " + Arrays.toString(to) + "; Fovea"
                + " imports the Reshapes that flatten to (N, features)");
    }

    private void squeeze(NodeProto n) {
        Constant c = g.constants.get(n.getInput(0));
        if (c != null) {
            g.constants.put(n.getOutput(0), new Constant(c.values(),
                    Arrays.stream(c.dims()).filter(d -> d != 1).toArray()));
            return;
        }
        Val v = in(n, 0);
        long[] axes = g.opset >= 13 ? (constantIn(n, 1) == null ? null : constantIn(n, 1).longs())
                : ints(n, "axes", null);
        if (v.layout() == Layout.POOLED && (axes == null || Arrays.equals(axes, new long[]{2, 3})
                || Arrays.equals(axes, new long[]{-2, -1}) || Arrays.equals(axes, new long[]{3, 2}))) {
            out(n, chain(n, v.withLayout(Layout.FLAT, v.producer())));
            return;
        }
        throw refuse(n, "squeezes axes " + Arrays.toString(axes) + " of a value of shape " + v.onnxShape()
                + "; Fovea imports the Squeeze of a global pooling's (N, C, 1, 1) to (N, C)");
    }

    private void softmax(NodeProto n) {
        Val v = plain(n, in(n, 0));
        long axis = integer(n, "axis", g.opset >= 13 ? -1 : 1);
        boolean ok = switch (v.layout()) {
            case FLAT -> axis == 1 || axis == -1;
            case POOLED -> axis == 1 || g.opset >= 13 && axis == -3;
            case NCHW -> g.opset >= 13 ? axis == 1 || axis == -3 : v.t().shape().dim(0) * v.t().shape().dim(1) == 1 && axis == 1;
            case NHWC -> axis == 3 || axis == -1;
        };
        if (!ok) {
            throw refuse(n, "axis " + axis + " of a value of shape " + v.onnxShape() + (g.opset < 13
                    ? " (before opset 13 Softmax flattens from its axis)" : "") + "; Fovea's softmax is over the"
                    + " channels or features");
        }
        out(n, Val.of(apply(new Activation(ActivationFunction.SOFTMAX), g.layerName(n, ""), v.t()), v.layout())
                .withLayoutPerm(v));
    }

    private void concat(NodeProto n) {
        if (n.getInputList().stream().allMatch(g.constants::containsKey)) {
            List<Constant> parts = n.getInputList().stream().map(g.constants::get).toList();
            if (parts.stream().anyMatch(c -> c.dims().length != 1)) {
                throw refuse(n, "joins constants of rank other than 1; Fovea folds the Concat of 1-D shapes");
            }
            double[] all = parts.stream().flatMapToDouble(c -> Arrays.stream(c.values())).toArray();
            g.constants.put(n.getOutput(0), new Constant(all, new long[]{all.length}));
            return;
        }
        List<Val> in = new ArrayList<>();
        for (int i = 0; i < n.getInputCount(); i++) {
            in.add(plain(n, in(n, i)));
        }
        Val first = in.get(0);
        long axis = integer(n, "axis", 1);
        int rank = first.image() || first.layout() == Layout.POOLED ? 4 : 2;
        if (axis < 0) {
            axis += rank;
        }
        for (Val v : in) {
            if (v.layout() != first.layout()) {
                throw refuse(n, "joins values laid out " + first.layout() + " and " + v.layout() + "; Fovea joins"
                        + " values of one layout");
            }
        }
        if (axis < 0 || axis >= rank) {
            throw refuse(n, "axis " + integer(n, "axis", 1) + " of values of rank " + rank);
        }
        int foveaAxis;
        int[] perm = null;
        switch (first.layout()) {
            case NCHW -> foveaAxis = new int[]{-1, 2, 0, 1}[(int) axis];
            case NHWC -> foveaAxis = new int[]{-1, 0, 1, 2}[(int) axis];
            case POOLED -> foveaAxis = axis == 1 ? 0 : -1;
            default -> {
                foveaAxis = axis == 1 ? 0 : -1;
                if (in.stream().anyMatch(v -> v.perm() != null)) {
                    List<Integer> p = new ArrayList<>();
                    int offset = 0;
                    for (Val v : in) {
                        int f = v.channels();
                        for (int j = 0; j < f; j++) {
                            p.add(offset + (v.perm() == null ? j : v.perm()[j]));
                        }
                        offset += f;
                    }
                    perm = p.stream().mapToInt(Integer::intValue).toArray();
                }
            }
        }
        if (foveaAxis < 0) {
            throw refuse(n, "axis " + axis + " is the batch axis; Fovea joins along the channels, height or width");
        }
        SymbolicTensor t = apply(new Concatenate(foveaAxis), g.layerName(n, ""),
                in.stream().map(Val::t).toArray(SymbolicTensor[]::new));
        out(n, new Val(t, first.layout(), perm, null, null, null, null));
    }

    /**
     * The static shape of a tensor as a constant, its batch size as 0: what PyTorch's
     * {@code x.view(x.size(0), -1)} feeds a Reshape (Shape, Gather, Unsqueeze, Concat), in which 0
     * means "the input's size", the batch. Opset 15's start and end are applied.
     */
    private void shape(NodeProto n) {
        Val v = in(n, 0);
        var s = v.t().shape();
        long[] d = switch (v.layout()) {
            case NCHW -> new long[]{0, s.dim(2), s.dim(0), s.dim(1)};
            case NHWC -> new long[]{0, s.dim(0), s.dim(1), s.dim(2)};
            case FLAT -> new long[]{0, s.dim(0)};
            case POOLED -> new long[]{0, s.dim(0), 1, 1};
        };
        int start = (int) integer(n, "start", 0);
        int end = (int) integer(n, "end", d.length);
        start = Math.max(0, Math.min(d.length, start < 0 ? start + d.length : start));
        end = Math.max(start, Math.min(d.length, end < 0 ? end + d.length : end));
        double[] out = Arrays.stream(Arrays.copyOfRange(d, start, end)).asDoubleStream().toArray();
        g.constants.put(n.getOutput(0), new Constant(out, new long[]{out.length}));
    }

    /** Gather, Unsqueeze and Cast of constants (shape arithmetic); of a computed tensor they are refused. */
    private void constantOnly(NodeProto n) {
        Constant c = g.constants.get(n.getInput(0));
        if (c == null) {
            throw refuse(n, "applies to a computed tensor; Fovea folds " + n.getOpType() + " of constants only (shape"
                    + " arithmetic)");
        }
        Constant out;
        switch (n.getOpType()) {
            case "Cast" -> out = c;
            case "Unsqueeze" -> {
                long[] axes = g.opset >= 13 ? (constantIn(n, 1) == null ? new long[0] : constantIn(n, 1).longs())
                        : ints(n, "axes", new long[0]);
                int rank = c.dims().length + axes.length;
                List<Long> dims = new ArrayList<>();
                Arrays.stream(c.dims()).forEach(dims::add);
                long[] sorted = Arrays.stream(axes).map(a -> a < 0 ? a + rank : a).sorted().toArray();
                for (long a : sorted) {
                    dims.add((int) a, 1L);
                }
                out = new Constant(c.values(), dims.stream().mapToLong(Long::longValue).toArray());
            }
            default -> {
                Constant idx = constantIn(n, 1);
                if (integer(n, "axis", 0) != 0 || c.dims().length != 1 || idx == null) {
                    throw refuse(n, "gathers along axis " + integer(n, "axis", 0) + " of a " + c.describe()
                            + "; Fovea folds the Gather of entries of a 1-D shape");
                }
                double[] v = new double[idx.size()];
                for (int i = 0; i < v.length; i++) {
                    long j = idx.longs()[i];
                    v[i] = c.values()[(int) (j < 0 ? j + c.size() : j)];
                }
                out = new Constant(v, idx.dims());
            }
        }
        g.constants.put(n.getOutput(0), out);
    }

    /**
     * Zero padding of height and width, kept pending: a Conv that reads it takes it into its own
     * padding, any other reader gets a ZeroPadding2D layer ({@link #unpad}).
     */
    private void pad(NodeProto n) {
        String mode = string(n, "mode", "constant");
        Constant pads = constantIn(n, 1);
        Constant value = constantIn(n, 2);
        Val v = materialize(in(n, 0), n.getName());
        // Padding by nothing is the identity whatever the mode or value (PyTorch writes F.pad(x, (0, 0, 0, 0),
        // value=-inf) before a valid max pool).
        boolean none = pads != null && pads.allEqual(0);
        if (!none && (!mode.equals("constant") || value != null && !value.allEqual(0))) {
            throw refuse(n, "mode '" + mode + "'" + (value == null ? "" : " with value " + value.describe())
                    + "; Fovea imports zero padding (mode 'constant', value 0)");
        }
        Constant axes = constantIn(n, 3); // opset 18: the axes the pads are for
        long[] p = pads == null ? null : pads.longs();
        if (p != null && axes != null && p.length == 2 * axes.size()) {
            long[] full = new long[8];
            long[] ax = axes.longs();
            for (int i = 0; i < ax.length; i++) {
                int a = (int) (ax[i] < 0 ? ax[i] + 4 : ax[i]);
                if (a < 0 || a > 3) {
                    throw refuse(n, "axes " + Arrays.toString(ax) + " of a 4-D value");
                }
                full[a] = p[i];
                full[a + 4] = p[i + ax.length];
            }
            p = full;
        }
        if (p == null || p.length != 8 || !v.image()) {
            throw refuse(n, "pads " + (p == null ? "absent" : Arrays.toString(p)) + " of a value of"
                    + " shape " + v.onnxShape() + "; Fovea imports padding of the height and width of an image");
        }
        int hAxis = v.layout() == Layout.NCHW ? 2 : 1;
        int wAxis = hAxis + 1;
        for (int a = 0; a < 4; a++) {
            if (a != hAxis && a != wAxis && (p[a] != 0 || p[a + 4] != 0) || p[a] < 0 || p[a + 4] < 0) {
                throw refuse(n, "pads " + Arrays.toString(p) + "; Fovea imports non-negative padding of the height"
                        + " and width only");
            }
        }
        if (Arrays.stream(p).allMatch(x -> x == 0)) {
            out(n, chain(n, v)); // PyTorch writes a Pad of zeros before some AveragePools
            return;
        }
        int[] before = v.pads() == null ? new int[4] : v.pads();
        out(n, v.withPads(new int[]{before[0] + (int) p[hAxis], before[1] + (int) p[wAxis],
                before[2] + (int) p[hAxis + 4], before[3] + (int) p[wAxis + 4]}));
    }

    // ---- arithmetic ------------------------------------------------------------------------

    private void arithmetic(NodeProto n) {
        String op = n.getOpType();
        String a = n.getInput(0);
        String b = n.getInput(1);
        Constant ca = g.constants.get(a);
        Constant cb = g.constants.get(b);
        if (ca != null && cb != null) {
            g.constants.put(n.getOutput(0), Folding.arithmetic(op, ca, cb, g.where + ": " + describe(n)));
            return;
        }
        if (ca == null && cb == null) {
            Val x = plain(n, in(n, 0));
            Val y = plain(n, in(n, 1));
            if (x.layout() != y.layout() || !Arrays.equals(x.perm(), y.perm())
                    || !x.t().shape().equals(y.t().shape())) {
                throw refuse(n, "combines values of shapes " + x.onnxShape() + " and " + y.onnxShape()
                        + "; Fovea adds tensors of one shape and layout");
            }
            SymbolicTensor yt = y.t();
            switch (op) {
                case "Add" -> { }
                case "Sub" -> yt = apply(new Rescaling(-1f), g.layerName(n, "_negate"), yt);
                default -> throw refuse(n, "multiplies or divides two computed tensors; Fovea has no element-wise"
                        + " product layer (it imports Mul and Div by constants)");
            }
            SymbolicTensor t = apply(new Add(), g.layerName(n, ""), x.t(), yt);
            out(n, new Val(t, x.layout(), x.perm(), null, null, null, null));
            return;
        }
        boolean constantFirst = ca != null;
        Val v = unpad(n, in(n, constantFirst ? 1 : 0));
        float[] c = Folding.perChannel(constantFirst ? ca : cb, v, g.where + ": " + describe(n));
        float[] one = {1f};
        float[] zero = {0f};
        float[] scale;
        float[] shift;
        switch (op) {
            case "Add" -> {
                scale = one;
                shift = c;
            }
            case "Sub" -> {
                scale = constantFirst ? new float[]{-1f} : one;
                shift = constantFirst ? c : Folding.times(c, -1f);
            }
            case "Mul" -> {
                scale = c;
                shift = zero;
            }
            default -> {
                if (constantFirst) {
                    throw refuse(n, "divides a constant by a computed tensor; Fovea imports division by constants");
                }
                scale = Folding.reciprocal(c);
                shift = zero;
            }
        }
        out(n, Folding.affine(n, g, v, scale, shift));
    }
}
