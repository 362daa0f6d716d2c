package dev.fovea.interop.onnx;

import static dev.fovea.interop.onnx.GraphWriter.integer;
import static dev.fovea.interop.onnx.GraphWriter.ints;
import static dev.fovea.interop.onnx.GraphWriter.real;

import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.OperatorSetIdProto;
import ai.onnx.proto.OnnxMl.StringStringEntryProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.TensorShapeProto;
import ai.onnx.proto.OnnxMl.TypeProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import dev.fovea.FoveaException;
import dev.fovea.io.AtomicFiles;
import dev.fovea.io.ModelFile;
import dev.fovea.nn.Activation;
import dev.fovea.nn.ActivationFunction;
import dev.fovea.nn.AveragePooling2D;
import dev.fovea.nn.BaseLayer;
import dev.fovea.nn.BatchNormalization;
import dev.fovea.nn.Conv2D;
import dev.fovea.nn.Dense;
import dev.fovea.nn.DepthwiseConv2D;
import dev.fovea.nn.Layer;
import dev.fovea.nn.MaxPooling2D;
import dev.fovea.nn.Model;
import dev.fovea.nn.Padding;
import dev.fovea.nn.Param;
import dev.fovea.nn.PoolWindow;
import dev.fovea.nn.ReLU;
import dev.fovea.nn.Rescaling;
import dev.fovea.nn.ZeroPadding2D;
import dev.fovea.tensor.Shape;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes a Fovea model as an ONNX file (opset {@value #OPSET}) that ONNX Runtime and other
 * ONNX consumers run with the same outputs.
 *
 * <p>Layout: the graph's input {@code input} is channels-last, {@code (N, H, W, C)} float32, as
 * Fovea takes images, already preprocessed as the metadata's {@code fovea.preprocessing} says
 * ({@code (pixel/255 − mean[c]) / std[c]}). One Transpose turns it to NCHW, the layout of ONNX's
 * Conv and pooling operators, as tf2onnx does for Keras models; kernels are written as OIHW,
 * a DepthwiseConv2D's as a Conv with group = C and weights (C·M, 1, KH, KW).
 * A Flatten of an image transposes back to NHWC first, so the flattened features are in Fovea's
 * (and Keras's) height-width-channel order and Dense kernels are written as they are. An image
 * output is transposed back to NHWC. The output {@code output} is {@code (N, K)}: logits, or
 * probabilities when the model ends in softmax (metadata {@code fovea.output}).
 *
 * <p>Metadata ({@code metadata_props}): {@code fovea.input_layout} ({@code NHWC}),
 * {@code fovea.preprocessing}, {@code fovea.class_names}, {@code fovea.output}
 * ({@code logits}/{@code probabilities}) and {@code fovea.config}, the Fovea architecture JSON of
 * the model file. GELU is written as its exact erf form, 0.5·x·(1 + erf(x/√2)), since ONNX has a
 * Gelu operator only from opset 20, which many runtimes lack. Fovea's ReLU layer is written as
 * the fewest standard operators that compute it exactly (Relu, Clip, LeakyRelu; Where for a threshold).
 *
 * <p>Not for: training graphs (Dropout is dropped, BatchNormalization uses the moving statistics).
 */
public final class OnnxExport {
    /** The operator set written: 17 (ONNX 1.12, 2022) is read by every current runtime. */
    public static final int OPSET = 17;
    /** IR version 8 goes with opset 17. */
    static final int IR_VERSION = 8;

    private OnnxExport() {
    }

    /** Writes {@code model} to {@code file} atomically, with no class names and the 1/255 scaling. */
    public static void write(Model model, Path file) {
        write(model, file, ModelFile.Info.of(List.of()));
    }

    /**
     * Writes {@code model} with its class names and preprocessing ({@code info}) to {@code file}
     * atomically: a temporary file in the same folder, renamed into place.
     *
     * @throws FoveaException when the model holds a layer ONNX export does not cover, or the write fails
     */
    public static void write(Model model, Path file, ModelFile.Info info) {
        byte[] bytes = toProto(model, info).toByteArray();
        AtomicFiles.writeBytes(file, bytes);
    }

    /** The ONNX model of {@code model}, not written. */
    public static ModelProto toProto(Model model, ModelFile.Info info) {
        GraphWriter g = new GraphWriter();
        g.graph.setName(model.name());
        Shape in = model.inputShape();
        if (in.rank() != 3 && in.rank() != 1) {
            throw new FoveaException("ONNX export: model input " + in.toBatchString()
                    + " is neither an image (None, height, width, channels) nor features (None, n); Fovea exports those two");
        }
        g.graph.addInput(valueInfo(OnnxNames.INPUT, in));
        g.unique(OnnxNames.INPUT);
        g.unique(OnnxNames.OUTPUT); // kept for the graph output, whatever the layers are named
        Value x = new Value(OnnxNames.INPUT, in);
        if (in.rank() == 3) {
            x = new Value(g.node("Transpose", "input_nchw", List.of(OnnxNames.INPUT), ints("perm", 0, 3, 1, 2)), in);
        }
        Value y = new Exporter(g).model(model, "", x);
        String out = y.name;
        if (y.shape.rank() == 3) {
            out = g.node("Transpose", "output_nhwc", List.of(out), ints("perm", 0, 2, 3, 1));
        }
        // The output is named "output" whatever layer made it, so consumers find it by one name.
        g.reserved("Identity", OnnxNames.OUTPUT, List.of(out));
        g.graph.addOutput(valueInfo(OnnxNames.OUTPUT, y.shape));

        ModelProto.Builder m = ModelProto.newBuilder()
                .setIrVersion(IR_VERSION)
                .setProducerName("fovea")
                .setProducerVersion(version())
                .setDocString("Fovea model '" + model.name() + "': input NHWC float32, preprocessed as"
                        + " fovea.preprocessing says")
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(OPSET))
                .setGraph(g.graph);
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put(OnnxNames.META_LAYOUT, "NHWC");
        meta.put(OnnxNames.META_PREPROCESSING, ModelFile.json(new LinkedHashMap<>(info.preprocessing())));
        meta.put(OnnxNames.META_CLASS_NAMES, ModelFile.json(info.classNames()));
        meta.put(OnnxNames.META_OUTPUT, model.endsInSoftmax() ? "probabilities" : "logits");
        meta.put(OnnxNames.META_CONFIG, ModelFile.json(model.config()));
        meta.forEach((k, v) -> m.addMetadataProps(StringStringEntryProto.newBuilder().setKey(k).setValue(v)));
        return m.build();
    }

    private static String version() {
        String v = OnnxExport.class.getPackage().getImplementationVersion();
        return v == null ? "dev" : v;
    }

    /** {@code (N, H, W, C)} or {@code (N, n)} float32 with a symbolic batch dimension. */
    private static ValueInfoProto valueInfo(String name, Shape perSample) {
        TensorShapeProto.Builder s = TensorShapeProto.newBuilder()
                .addDim(TensorShapeProto.Dimension.newBuilder().setDimParam("N"));
        for (int d : perSample.dims()) {
            s.addDim(TensorShapeProto.Dimension.newBuilder().setDimValue(d));
        }
        TypeProto.Tensor t = TypeProto.Tensor.newBuilder().setElemType(TensorProto.DataType.FLOAT.getNumber())
                .setShape(s).build();
        return ValueInfoProto.newBuilder().setName(name).setType(TypeProto.newBuilder().setTensorType(t)).build();
    }

    /** An ONNX value and the Fovea per-sample shape it holds; a rank-3 shape is NCHW in the graph. */
    record Value(String name, Shape shape) {
        boolean image() {
            return shape.rank() == 3;
        }
    }

    /** The walk over one model's layers, nested models inlined under their path. */
    private static final class Exporter {
        private final GraphWriter g;

        Exporter(GraphWriter g) {
            this.g = g;
        }

        @SuppressWarnings("unchecked")
        Value model(Model model, String prefix, Value input) {
            Map<String, Object> config = model.config();
            Map<String, Value> values = new HashMap<>();
            values.put("input_layer", input);
            for (Object o : (List<Object>) config.get("layers")) {
                Map<String, Object> entry = (Map<String, Object>) o;
                String name = (String) entry.get("name");
                List<Value> args = new ArrayList<>();
                for (String src : (List<String>) entry.get("inbound")) {
                    args.add(values.get(src));
                }
                Layer layer = model.layer(name);
                Map<String, Object> layerConfig = (Map<String, Object>) entry.get("config");
                values.put(name, layer(layer, prefix + name, args, layerConfig));
            }
            return values.get((String) config.get("output"));
        }

        private Value layer(Layer layer, String path, List<Value> in, Map<String, Object> config) {
            Value x = in.get(0);
            if (layer instanceof Model nested) {
                return model(nested, path + "/", x);
            }
            Shape out = layer instanceof BaseLayer b ? b.outputShape() : null;
            return switch (layer.typeName()) {
                case "Conv2D" -> conv((Conv2D) layer, path, x);
                case "DepthwiseConv2D" -> depthwise((DepthwiseConv2D) layer, path, x);
                case "ReLU" -> relu((ReLU) layer, path, x);
                case "ZeroPadding2D" -> zeroPadding((ZeroPadding2D) layer, path, x, out);
                case "Dense" -> dense((Dense) layer, path, x);
                case "BatchNormalization" -> batchNorm((BatchNormalization) layer, path, x);
                case "MaxPooling2D" -> pool("MaxPool", ((MaxPooling2D) layer).window(), path, x, out);
                case "AveragePooling2D" -> pool("AveragePool", ((AveragePooling2D) layer).window(), path, x, out);
                case "GlobalAveragePooling2D" -> global("GlobalAveragePool", path, x, out);
                case "GlobalMaxPooling2D" -> global("GlobalMaxPool", path, x, out);
                case "Flatten" -> flatten(path, x, out);
                case "Dropout" -> x; // inference: the identity
                case "Activation" -> activation(((Activation) layer).function(), path, x);
                case "Rescaling" -> rescaling((Rescaling) layer, path, x);
                case "Add" -> add(path, in);
                case "Concatenate" -> concat(path, in, ((Number) config.get("axis")).intValue());
                default -> throw new FoveaException("ONNX export: layer '" + path + "' is a " + layer.typeName()
                        + ", which the ONNX export does not cover; it covers Conv2D, DepthwiseConv2D, Dense,"
                        + " BatchNormalization, MaxPooling2D, AveragePooling2D, GlobalAveragePooling2D,"
                        + " GlobalMaxPooling2D, ZeroPadding2D, Flatten, Dropout, Activation, ReLU, Rescaling, Add,"
                        + " Concatenate and nested models");
            };
        }

        private Value conv(Conv2D c, String path, Value x) {
            Shape in = c.inputShape();
            int h = in.dim(0);
            int w = in.dim(1);
            int ch = in.dim(2);
            int f = c.filters();
            int kh = c.kernelH();
            int kw = c.kernelW();
            // HWIO (Fovea, Keras) → OIHW (ONNX, PyTorch).
            float[] hwio = c.kernel().value();
            float[] oihw = new float[hwio.length];
            for (int y = 0; y < kh; y++) {
                for (int xx = 0; xx < kw; xx++) {
                    for (int i = 0; i < ch; i++) {
                        for (int o = 0; o < f; o++) {
                            oihw[((o * ch + i) * kh + y) * kw + xx] = hwio[((y * kw + xx) * ch + i) * f + o];
                        }
                    }
                }
            }
            List<String> inputs = new ArrayList<>(List.of(x.name, g.constant(path + "/kernel", oihw, f, ch, kh, kw)));
            if (c.useBias()) {
                inputs.add(g.constant(path + "/bias", c.bias().value(), f));
            }
            String y = convNode(path, inputs, h, w, kh, kw, c.strideH(), c.strideW(), c.padding(), 1);
            return activation(c.activation(), path, new Value(y, c.outputShape()));
        }

        /** ONNX's Conv over an (h, w) image with Fovea's padding mode written as explicit pads. */
        private String convNode(String path, List<String> inputs, int h, int w, int kh, int kw, int sh, int sw,
                                Padding p, int group) {
            return g.node("Conv", path, inputs,
                    ints("kernel_shape", kh, kw),
                    ints("strides", sh, sw),
                    ints("pads", p.padBefore(h, kh, sh), p.padBefore(w, kw, sw), p.padAfter(h, kh, sh),
                            p.padAfter(w, kw, sw)),
                    ints("dilations", 1, 1),
                    integer("group", group));
        }

        /**
         * A grouped Conv with one group per input channel (group = C), as ONNX and PyTorch write
         * a depthwise convolution: Fovea's kernel (KH, KW, C, M) becomes weights (C·M, 1, KH, KW)
         * whose output channel c·M + m reads input channel c, the channel order of Keras and Fovea.
         */
        private Value depthwise(DepthwiseConv2D d, String path, Value x) {
            Shape in = d.inputShape();
            int c = in.dim(2);
            int m = d.depthMultiplier();
            int kh = d.kernelH();
            int kw = d.kernelW();
            float[] khwcm = d.kernel().value();
            float[] grouped = new float[khwcm.length];
            for (int y = 0; y < kh; y++) {
                for (int xx = 0; xx < kw; xx++) {
                    for (int i = 0; i < c; i++) {
                        for (int j = 0; j < m; j++) {
                            grouped[((i * m + j) * kh + y) * kw + xx] = khwcm[((y * kw + xx) * c + i) * m + j];
                        }
                    }
                }
            }
            List<String> inputs = new ArrayList<>(List.of(x.name,
                    g.constant(path + "/depthwise_kernel", grouped, (long) c * m, 1, kh, kw)));
            if (d.useBias()) {
                inputs.add(g.constant(path + "/bias", d.bias().value(), (long) c * m));
            }
            String y = convNode(path, inputs, in.dim(0), in.dim(1), kh, kw, d.strideH(), d.strideW(), d.padding(), c);
            return activation(d.activation(), path, new Value(y, d.outputShape()));
        }

        /**
         * Fovea's ReLU (f(x) = max for x ≥ max, x from the threshold t up, slope·(x − t) below it)
         * as the fewest standard operators that compute it exactly. With t = 0: Relu; Clip(0, max)
         * (ReLU6); LeakyRelu(slope), then Clip(−, max) when capped (slope·x ≤ 0 < max, so the cap
         * reads only the upper branch); Clip(−, max) alone for slope 1 (min(x, max)). With t ≠ 0 f
         * jumps at t (from 0 to t), which no chain of continuous operators makes, so Fovea's own
         * comparisons: Where(x ≥ t, min(x, max), slope·(x − t)).
         */
        private Value relu(ReLU r, String path, Value x) {
            float max = r.maxValue();
            float slope = r.negativeSlope();
            float t = r.threshold();
            boolean capped = max != ReLU.NO_MAX;
            String y;
            if (t == 0f && slope == 0f) {
                y = capped ? clip(path, x.name, g.constant(path + "/min", new float[]{0f}), max)
                        : g.node("Relu", path, List.of(x.name));
            } else if (t == 0f) {
                if (slope == 1f && !capped) {
                    return x; // the identity
                }
                y = slope == 1f ? x.name : g.node("LeakyRelu", capped ? path + "/leaky" : path, List.of(x.name),
                        real("alpha", slope));
                if (capped) {
                    y = clip(path, y, "", max);
                }
            } else {
                String tc = g.constant(path + "/threshold", new float[]{t});
                String atOrAbove = g.node("GreaterOrEqual", path + "/at_or_above", List.of(x.name, tc));
                String upper = capped ? clip(path + "/cap", x.name, "", max) : x.name;
                String lower = slope == 0f ? g.constant(path + "/zero", new float[]{0f})
                        : g.node("Mul", path + "/below", List.of(g.node("Sub", path + "/minus_threshold",
                        List.of(x.name, tc)), g.constant(path + "/slope", new float[]{slope})));
                y = g.node("Where", path, List.of(atOrAbove, upper, lower));
            }
            return new Value(y, x.shape);
        }

        /** Clip(x, min, max), {@code min} an initializer's name or "" for none. */
        private String clip(String path, String x, String min, float max) {
            return g.node("Clip", path, List.of(x, min, g.constant(path + "/max", new float[]{max})));
        }

        /**
         * Pad with zeros: (top, left) before and (bottom, right) after the height and width of
         * NCHW. The value written is −0.0, which is 0 in every sum and comparison, because ONNX
         * Runtime (1.22, its PadFusion) folds a Pad whose value's bytes are all zero into a
         * MaxPool after it, whose own padding is −∞, not 0: a window of negative values then
         * loses its 0 (onnxsim's issue 290 is the same fold). A sign bit keeps the Pad a Pad.
         */
        private Value zeroPadding(ZeroPadding2D z, String path, Value x, Shape out) {
            int[] p = z.padding(); // top, bottom, left, right
            String pads = g.constantLongs(path + "/pads", 0, 0, p[0], p[2], 0, 0, p[1], p[3]);
            String zero = g.constant(path + "/value", new float[]{-0f});
            return new Value(g.node("Pad", path, List.of(x.name, pads, zero)), out);
        }

        private Value dense(Dense d, String path, Value x) {
            Param kernel = d.params().get(0);
            int in = kernel.shape().dim(0);
            String k = g.constant(path + "/kernel", kernel.value(), in, d.units());
            String y;
            if (d.useBias()) {
                String b = g.constant(path + "/bias", d.params().get(1).value(), d.units());
                y = g.node("Gemm", path, List.of(x.name, k, b));
            } else {
                y = g.node("MatMul", path, List.of(x.name, k));
            }
            return activation(d.activation(), path, new Value(y, d.outputShape()));
        }

        private Value batchNorm(BatchNormalization bn, String path, Value x) {
            Map<String, float[]> p = new HashMap<>();
            for (Param q : bn.params()) {
                p.put(q.name(), q.value());
            }
            int c = bn.inputShape().dim(-1);
            float[] ones = new float[c];
            Arrays.fill(ones, 1f);
            float[] gamma = p.getOrDefault("gamma", ones);
            float[] beta = p.getOrDefault("beta", new float[c]);
            if (!x.image() && x.shape.rank() != 1) {
                throw new FoveaException("ONNX export: BatchNormalization '" + path + "' normalizes an input of shape "
                        + x.shape.toBatchString() + "; the export covers images and feature vectors");
            }
            String y = g.node("BatchNormalization", path, List.of(x.name,
                            g.constant(path + "/gamma", gamma, c),
                            g.constant(path + "/beta", beta, c),
                            g.constant(path + "/moving_mean", p.get("moving_mean"), c),
                            g.constant(path + "/moving_variance", p.get("moving_variance"), c)),
                    real("epsilon", bn.epsilon()),
                    // ONNX's running-statistics update is Keras's: running·momentum + batch·(1 − momentum).
                    real("momentum", bn.momentum()));
            return new Value(y, x.shape);
        }

        private Value pool(String op, PoolWindow win, String path, Value x, Shape out) {
            int h = x.shape.dim(0);
            int w = x.shape.dim(1);
            Padding p = win.padding();
            // AveragePool's default count_include_pad = 0 averages over the window's valid
            // elements, as Keras and Fovea do; MaxPool never picks a pad.
            String y = g.node(op, path, List.of(x.name),
                    ints("kernel_shape", win.poolH(), win.poolW()),
                    ints("strides", win.strideH(), win.strideW()),
                    ints("pads", p.padBefore(h, win.poolH(), win.strideH()), p.padBefore(w, win.poolW(), win.strideW()),
                            p.padAfter(h, win.poolH(), win.strideH()), p.padAfter(w, win.poolW(), win.strideW())));
            return new Value(y, out);
        }

        private Value global(String op, String path, Value x, Shape out) {
            String pooled = g.node(op, path, List.of(x.name));
            return new Value(g.node("Flatten", path + "/flatten", List.of(pooled), integer("axis", 1)), out);
        }

        private Value flatten(String path, Value x, Shape out) {
            String src = x.name;
            if (x.image()) {
                // Back to NHWC, so the features come in Fovea's height-width-channel order.
                src = g.node("Transpose", path + "/nhwc", List.of(src), ints("perm", 0, 2, 3, 1));
            } else if (x.shape.rank() == 1) {
                return x;
            }
            return new Value(g.node("Flatten", path, List.of(src), integer("axis", 1)), out);
        }

        private Value activation(ActivationFunction f, String path, Value x) {
            String at = path + "/" + f.keras();
            String y = switch (f) {
                case LINEAR -> null;
                case RELU -> g.node("Relu", at, List.of(x.name));
                case SIGMOID -> g.node("Sigmoid", at, List.of(x.name));
                case TANH -> g.node("Tanh", at, List.of(x.name));
                case SOFTMAX -> g.node("Softmax", at, List.of(x.name), integer("axis", x.image() ? 1 : -1));
                case GELU -> gelu(at, x.name);
            };
            return y == null ? x : new Value(y, x.shape);
        }

        /** GELU's exact form 0.5·x·(1 + erf(x/√2)), as PyTorch's {@code nn.GELU()} and Fovea compute it. */
        private String gelu(String at, String x) {
            String scaled = g.node("Div", at + "/div", List.of(x, g.constant(at + "/sqrt2", new float[]{(float) Math.sqrt(2)})));
            String erf = g.node("Erf", at + "/erf", List.of(scaled));
            String plus = g.node("Add", at + "/add", List.of(erf, g.constant(at + "/one", new float[]{1f})));
            String times = g.node("Mul", at + "/mul", List.of(x, plus));
            return g.node("Mul", at, List.of(times, g.constant(at + "/half", new float[]{0.5f})));
        }

        private Value rescaling(Rescaling r, String path, Value x) {
            String y = g.node("Mul", path, List.of(x.name, g.constant(path + "/scale", new float[]{r.scale()})));
            if (r.offset() != 0f) {
                y = g.node("Add", path + "/offset", List.of(y, g.constant(path + "/offset", new float[]{r.offset()})));
            }
            return new Value(y, x.shape);
        }

        /** Fovea's Add sums its inputs in order; ONNX's Add is binary, so a chain in the same order. */
        private Value add(String path, List<Value> in) {
            String y = in.get(0).name;
            for (int i = 1; i < in.size(); i++) {
                y = g.node("Add", i == in.size() - 1 ? path : path + "/" + i, List.of(y, in.get(i).name));
            }
            return new Value(y, in.get(0).shape);
        }

        private Value concat(String path, List<Value> in, int axis) {
            Shape first = in.get(0).shape;
            int rank = first.rank();
            int ax = axis < 0 ? rank + axis : axis;
            // Per-sample (H, W, C) axes 0, 1, 2 are NCHW's 2, 3, 1; a feature axis 0 is 1.
            int onnxAxis = rank == 3 ? new int[]{2, 3, 1}[ax] : ax + 1;
            int[] dims = first.dims();
            dims[ax] = 0;
            for (Value v : in) {
                dims[ax] += v.shape.dim(ax);
            }
            String y = g.node("Concat", path, in.stream().map(Value::name).toList(), integer("axis", onnxAxis));
            return new Value(y, Shape.of(dims));
        }
    }
}
