package dev.fovea.interop.onnx;

import ai.onnx.proto.OnnxMl.NodeProto;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * GELU's exact form 0.5·x·(1 + erf(x/√2)) as exporters write it without a Gelu operator
 * (PyTorch's before opset 20, Fovea's own): Div by √2 (or Mul by 1/√2), Erf, Add 1, then Mul by
 * x and Mul by 0.5 in either order, each intermediate read by the next node only. Found before
 * the walk, so that the pattern becomes one GELU {@code Activation} at its last node and its other
 * nodes nothing ({@link GraphReader#absorbed}).
 */
final class ErfGelu {
    private final GraphReader g;
    /** The last node of each pattern found → the Gelu node standing for it. */
    private final Map<NodeProto, NodeProto> pending = new LinkedHashMap<>();

    ErfGelu(GraphReader g) {
        this.g = g;
    }

    /**
     * Finds 0.5·x·(1 + erf(x/√2)) as PyTorch and Fovea's own export write it (Div or Mul by a
     * √2 constant, Erf, Add 1, then the two Muls by x and by 0.5 in either order) and marks its
     * nodes so that the last one becomes one GELU layer.
     */
    void find(List<NodeProto> nodes) {
        for (NodeProto erf : nodes) {
            if (!erf.getOpType().equals("Erf")) {
                continue;
            }
            NodeProto div = g.producers.get(erf.getInput(0));
            if (div == null || !single(div)) {
                continue;
            }
            String x = scaledBy(div, (float) Math.sqrt(2));
            NodeProto add = soleReader(nodes, erf);
            if (x == null || add == null || !add.getOpType().equals("Add") || !hasConstant(add, 1f)) {
                continue;
            }
            NodeProto m1 = soleReader(nodes, add);
            if (m1 == null || !m1.getOpType().equals("Mul") || !single(add) || !single(erf)) {
                continue;
            }
            boolean xFirst = m1.getInputList().contains(x);
            if (!xFirst && !hasConstant(m1, 0.5f)) {
                continue;
            }
            NodeProto m2 = soleReader(nodes, m1);
            if (m2 == null || !m2.getOpType().equals("Mul")
                    || !(xFirst ? hasConstant(m2, 0.5f) : m2.getInputList().contains(x))) {
                continue;
            }
            g.absorbed.addAll(List.of(div, erf, add, m1, m2));
            NodeProto gelu = NodeProto.newBuilder().setOpType("Gelu").setName(m2.getName()).addInput(x)
                    .addOutput(m2.getOutput(0)).build();
            pending.put(m2, gelu);
        }
    }


    /** At an absorbed node: the last node of a pattern becomes its GELU layer, the others nothing. */
    void run(NodeProto absorbedNode, Ops ops) {
        NodeProto gelu = pending.get(absorbedNode);
        if (gelu != null) {
            ops.gelu(gelu);
        }
    }

    /** The tensor input of a Div by c or Mul by 1/c, or null. */
    private String scaledBy(NodeProto n, float c) {
        if (n.getOpType().equals("Div") && isConstant(n.getInput(1), c)) {
            return n.getInput(0);
        }
        if (n.getOpType().equals("Mul")) {
            if (isConstant(n.getInput(1), 1 / c)) {
                return n.getInput(0);
            }
            if (isConstant(n.getInput(0), 1 / c)) {
                return n.getInput(1);
            }
        }
        return null;
    }

    private boolean hasConstant(NodeProto n, float c) {
        return n.getInputList().stream().anyMatch(i -> isConstant(i, c));
    }

    private boolean isConstant(String name, float c) {
        Constant k = g.constants.get(name);
        if (k == null) {
            NodeProto p = g.producers.get(name);
            if (p != null && p.getOpType().equals("Constant") && GraphReader.attribute(p, "value") != null) {
                k = Constant.of(GraphReader.attribute(p, "value").getT(), g.where);
            }
        }
        return k != null && k.size() == 1 && Math.abs(k.values()[0] - c) <= 1e-6 * Math.max(1, Math.abs(c));
    }

    private boolean single(NodeProto n) {
        return g.readers.getOrDefault(n.getOutput(0), 0) == 1;
    }

    private static NodeProto soleReader(List<NodeProto> nodes, NodeProto n) {
        NodeProto found = null;
        for (NodeProto r : nodes) {
            if (r.getInputList().contains(n.getOutput(0))) {
                if (found != null) {
                    return null;
                }
                found = r;
            }
        }
        return found;
    }
}
