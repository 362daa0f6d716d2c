package dev.fovea.interop.onnx;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorShapeProto;
import ai.onnx.proto.OnnxMl.TypeProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import dev.fovea.FoveaException;
import dev.fovea.interop.onnx.Val.Layout;
import dev.fovea.interop.onnx.Val.Weights;
import dev.fovea.nn.Input;
import dev.fovea.nn.Layer;
import dev.fovea.nn.Model;
import dev.fovea.nn.Param;
import dev.fovea.nn.SymbolicTensor;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One pass over an ONNX graph's nodes (in their order, which ONNX requires to be topological),
 * building the Fovea layers as it goes ({@link Ops} has what each operator becomes). Keeps the
 * graph's constants, what every value is ({@link Val}), how many nodes read each value (a layer's
 * weights may take in an affine map after it only when nothing else reads its output), the nodes
 * already taken into a pattern (GELU's erf form, a thresholded ReLU) and the weights to set once the model is built.
 */
final class GraphReader {
    final String where;
    final int opset;
    final Map<String, Constant> constants = new HashMap<>();
    final Map<String, Val> values = new HashMap<>();
    final Map<String, Integer> readers = new HashMap<>();
    final Map<String, NodeProto> producers = new HashMap<>();
    final Map<String, Weights> weights = new LinkedHashMap<>();
    final Set<NodeProto> absorbed = new HashSet<>();
    private final Set<String> layerNames = new HashSet<>();
    private final GraphProto graph;

    GraphReader(GraphProto graph, int opset, String where) {
        this.graph = graph;
        this.opset = opset;
        this.where = where;
        layerNames.add("input_layer"); // the model input's name in Fovea's model config
        for (var init : graph.getInitializerList()) {
            constants.put(init.getName(), Constant.of(init, where));
        }
        for (NodeProto n : graph.getNodeList()) {
            for (String in : n.getInputList()) {
                if (!in.isEmpty()) {
                    readers.merge(in, 1, Integer::sum);
                }
            }
            for (String out : n.getOutputList()) {
                producers.put(out, n);
            }
        }
        for (ValueInfoProto o : graph.getOutputList()) {
            readers.merge(o.getName(), 1, Integer::sum);
        }
    }

    Model read() {
        List<ValueInfoProto> inputs = graph.getInputList().stream()
                .filter(i -> !constants.containsKey(i.getName())).toList();
        if (inputs.size() != 1) {
            throw new FoveaException(where + ": the graph has " + inputs.size() + " inputs ("
                    + inputs.stream().map(ValueInfoProto::getName).toList() + "); Fovea models take one image"
                    + " or feature tensor");
        }
        if (graph.getOutputCount() != 1) {
            throw new FoveaException(where + ": the graph has " + graph.getOutputCount() + " outputs; Fovea"
                    + " models have one (the class scores)");
        }
        ValueInfoProto in = inputs.get(0);
        SymbolicTensor input = inputTensor(in);
        Layout layout = input.shape().rank() == 1 ? Layout.FLAT : inputLayout(in.getName());
        values.put(in.getName(), Val.of(input, layout));

        Ops ops = new Ops(this);
        ErfGelu gelus = new ErfGelu(this);
        gelus.find(graph.getNodeList());
        ThresholdRelu relus = new ThresholdRelu(this);
        relus.find(graph.getNodeList());
        for (NodeProto n : graph.getNodeList()) {
            if (!absorbed.contains(n)) {
                ops.node(n);
            } else {
                gelus.run(n, ops);
                relus.run(n, ops);
            }
        }
        String outName = graph.getOutput(0).getName();
        Val out = values.get(outName);
        if (out == null) {
            throw new FoveaException(where + ": the graph output '" + outName + "' is "
                    + (constants.containsKey(outName) ? "a constant" : "not computed by any node")
                    + "; Fovea imports models whose output depends on their input");
        }
        out = ops.materialize(ops.unpad(NodeProto.newBuilder().setName("output").build(), out), "output");
        if (out.perm() != null) {
            throw new FoveaException(where + ": the graph output is a flattened channels-first tensor, whose"
                    + " feature order Fovea's channels-last layers cannot keep; Fovea imports classifiers"
                    + " whose output is a Gemm, MatMul or pooled vector");
        }
        if (out.t() == input) {
            throw new FoveaException(where + ": the graph computes nothing from its input; nothing to import");
        }
        String name = graph.getName().isEmpty() ? "onnx" : sanitize(graph.getName());
        Model model = Model.of(name, input, out.t());
        Map<String, Param> params = model.namedParams();
        for (Weights w : weights.values()) {
            for (Map.Entry<String, float[]> e : w.params().entrySet()) {
                Param p = params.get(w.layer() + "/" + e.getKey());
                if (p == null) {
                    continue; // a layer the output does not depend on
                }
                if (p.size() != e.getValue().length) {
                    throw new IllegalStateException(w.layer() + "/" + e.getKey() + ": " + e.getValue().length
                            + " values for " + p.shape());
                }
                System.arraycopy(e.getValue(), 0, p.value(), 0, p.size());
            }
        }
        return model;
    }

    /** Fovea's input for the graph input: (H, W, C) for a 4-D input, (F) for a 2-D one; static sizes. */
    private SymbolicTensor inputTensor(ValueInfoProto in) {
        TypeProto.Tensor t = in.getType().getTensorType();
        if (!in.getType().hasTensorType() || t.getElemType() != 1) {
            throw new FoveaException(where + ": input '" + in.getName() + "' is not a float32 tensor; Fovea takes"
                    + " float32 images");
        }
        List<TensorShapeProto.Dimension> dims = t.getShape().getDimList();
        long[] d = new long[dims.size()];
        for (int i = 0; i < d.length; i++) {
            d[i] = dims.get(i).hasDimValue() ? dims.get(i).getDimValue() : -1;
        }
        String shape = shapeString(dims);
        if (d.length != 4 && d.length != 2) {
            throw new FoveaException(where + ": input '" + in.getName() + "' has shape " + shape + "; expected"
                    + " images (N, C, H, W) or (N, H, W, C), or features (N, F)");
        }
        for (int i = 1; i < d.length; i++) {
            if (d[i] < 1) {
                throw new FoveaException(where + ": input '" + in.getName() + "' has shape " + shape + ", whose"
                        + " axis " + i + " has no fixed size; Fovea builds a model for one image size: export the"
                        + " model with a fixed height, width and channels (only the batch axis may vary)");
            }
        }
        if (d.length == 2) {
            return Input.of((int) d[1]);
        }
        return inputLayout(in.getName()) == Layout.NHWC ? Input.of((int) d[1], (int) d[2], (int) d[3])
                : Input.of((int) d[2], (int) d[3], (int) d[1]);
    }

    /** NHWC when every reader of the input is a Transpose to NCHW (tf2onnx's graphs), else NCHW. */
    private Layout inputLayout(String input) {
        List<NodeProto> rs = graph.getNodeList().stream().filter(n -> n.getInputList().contains(input)).toList();
        boolean nhwc = !rs.isEmpty() && rs.stream().allMatch(n -> n.getOpType().equals("Transpose")
                && java.util.Arrays.equals(ints(n, "perm", null), new long[]{0, 3, 1, 2}));
        return nhwc ? Layout.NHWC : Layout.NCHW;
    }

    static String shapeString(List<TensorShapeProto.Dimension> dims) {
        List<String> s = new ArrayList<>();
        for (TensorShapeProto.Dimension d : dims) {
            s.add(d.hasDimValue() ? String.valueOf(d.getDimValue()) : d.getDimParam().isEmpty() ? "?" : d.getDimParam());
        }
        return "(" + String.join(", ", s) + ")";
    }

    /** A unique Fovea layer name from an ONNX node name: {@code /features/conv1/Conv} → {@code features_conv1_Conv}. */
    String layerName(NodeProto n, String suffix) {
        String base = n.getName().isEmpty() ? n.getOpType().toLowerCase(java.util.Locale.ROOT) : n.getName();
        base = sanitize(base + suffix);
        String name = base;
        for (int i = 1; !layerNames.add(name); i++) {
            name = base + "_" + i;
        }
        return name;
    }

    static String sanitize(String s) {
        String t = s.replaceAll("[^A-Za-z0-9_.-]+", "_").replaceAll("^_+|_+$", "");
        return t.isEmpty() ? "layer" : t;
    }

    // ---- attributes -----------------------------------------------------------------------

    static AttributeProto attribute(NodeProto n, String name) {
        for (AttributeProto a : n.getAttributeList()) {
            if (a.getName().equals(name)) {
                return a;
            }
        }
        return null;
    }

    static long[] ints(NodeProto n, String name, long[] otherwise) {
        AttributeProto a = attribute(n, name);
        return a == null ? otherwise : a.getIntsList().stream().mapToLong(Long::longValue).toArray();
    }

    static long integer(NodeProto n, String name, long otherwise) {
        AttributeProto a = attribute(n, name);
        return a == null ? otherwise : a.getI();
    }

    static float real(NodeProto n, String name, float otherwise) {
        AttributeProto a = attribute(n, name);
        return a == null ? otherwise : a.getF();
    }

    static String string(NodeProto n, String name, String otherwise) {
        AttributeProto a = attribute(n, name);
        return a == null ? otherwise : a.getS().toStringUtf8();
    }

    /** How a node is named in messages: {@code node '/conv1/Conv' (Conv)}. */
    static String describe(NodeProto n) {
        return "node '" + n.getName() + "' (" + n.getOpType() + ")";
    }

    /**
     * The constant named {@code name} before the nodes up to it have run: an initializer, a
     * constant folded so far, or the value of the Constant node that writes it; else null.
     */
    Constant constantAhead(String name) {
        Constant c = constants.get(name);
        NodeProto p = producers.get(name);
        if (c != null || p == null || !p.getOpType().equals("Constant")) {
            return c;
        }
        AttributeProto a = attribute(p, "value");
        if (a != null) {
            return Constant.of(a.getT(), where);
        }
        a = attribute(p, "value_float");
        return a == null ? null : new Constant(new double[]{a.getF()}, new long[0]);
    }

    /** Records a layer's weights (in Fovea's shapes) to set once the model is built. */
    Weights keep(Layer layer, Weights.Kind kind, Map<String, float[]> params) {
        Weights w = new Weights(layer.name(), kind, params);
        weights.put(layer.name(), w);
        return w;
    }
}
