package dev.fovea.interop.onnx;

import ai.onnx.proto.OnnxMl.NodeProto;
import dev.fovea.nn.ReLU;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Keras's ReLU with a threshold t ≠ 0 as Fovea's export writes it, since f jumps at t and no
 * continuous operator makes a jump: Where(GreaterOrEqual(x, t), upper, lower) with upper x or
 * Clip(x, −, max) and lower a constant 0 or Mul(Sub(x, t), slope), each intermediate read by the
 * next node only. Found before the walk, so that the pattern becomes one {@link ReLU} layer at
 * its Where and its other nodes nothing ({@link GraphReader#absorbed}); an export → import →
 * export keeps the layer. Other uses of Where and GreaterOrEqual stay refused as unsupported.
 */
final class ThresholdRelu {
    private final GraphReader g;
    /** The Where of each pattern found → its input x and the layer standing for it. */
    private final Map<NodeProto, Found> pending = new LinkedHashMap<>();

    private record Found(String x, ReLU layer) {
    }

    ThresholdRelu(GraphReader g) {
        this.g = g;
    }

    void find(List<NodeProto> nodes) {
        for (NodeProto where : nodes) {
            if (!where.getOpType().equals("Where") || where.getInputCount() != 3) {
                continue;
            }
            NodeProto ge = single(where.getInput(0), "GreaterOrEqual");
            if (ge == null || ge.getInputCount() != 2) {
                continue;
            }
            String x = ge.getInput(0);
            Float t = scalar(ge.getInput(1));
            if (t == null || g.constants.containsKey(x)) {
                continue;
            }
            List<NodeProto> absorbed = new ArrayList<>(List.of(ge, where));
            float max = ReLU.NO_MAX;
            if (!where.getInput(1).equals(x)) {
                NodeProto clip = single(where.getInput(1), "Clip");
                Float m = clip == null || clip.getInputCount() != 3 || !clip.getInput(0).equals(x)
                        || !clip.getInput(1).isEmpty() ? null : scalar(clip.getInput(2));
                if (m == null) {
                    continue;
                }
                max = m;
                absorbed.add(clip);
            }
            float slope;
            Float zero = scalar(where.getInput(2));
            if (zero != null && zero == 0f) {
                slope = 0f;
            } else {
                NodeProto mul = single(where.getInput(2), "Mul");
                NodeProto sub = mul == null ? null : single(mul.getInput(0), "Sub");
                Float s = mul == null ? null : scalar(mul.getInput(1));
                Float t2 = sub == null ? null : scalar(sub.getInput(1));
                if (s == null || t2 == null || !sub.getInput(0).equals(x) || t2.floatValue() != t || !(s >= 0)) {
                    continue;
                }
                slope = s;
                absorbed.addAll(List.of(mul, sub));
            }
            if (!(max > t) || !Float.isFinite(t)) {
                continue;
            }
            g.absorbed.addAll(absorbed);
            pending.put(where, new Found(x, new ReLU(max, slope, t)));
        }
    }

    /** At an absorbed node: the Where of a pattern becomes its ReLU layer, the others nothing. */
    void run(NodeProto absorbedNode, Ops ops) {
        Found f = pending.get(absorbedNode);
        if (f != null) {
            ops.reluOf(absorbedNode, f.x(), f.layer());
        }
    }

    /** The node writing {@code value} when it is a {@code op} that only one node reads, else null. */
    private NodeProto single(String value, String op) {
        NodeProto p = g.producers.get(value);
        return p != null && p.getOpType().equals(op) && g.readers.getOrDefault(value, 0) == 1 ? p : null;
    }

    private Float scalar(String name) {
        Constant c = g.constantAhead(name);
        return c == null || c.size() != 1 ? null : (float) c.values()[0];
    }
}
