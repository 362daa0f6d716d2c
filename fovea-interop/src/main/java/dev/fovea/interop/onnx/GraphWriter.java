package dev.fovea.interop.onnx;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The ONNX graph being written: nodes in order and float initializers, with value names kept
 * unique. Only what {@link OnnxExport} needs: float tensors, int and float attributes.
 */
final class GraphWriter {
    final GraphProto.Builder graph = GraphProto.newBuilder();
    private final Set<String> names = new HashSet<>();

    /** {@code base}, or {@code base_1}, {@code base_2}, … when taken. */
    String unique(String base) {
        String n = base;
        for (int i = 1; !names.add(n); i++) {
            n = base + "_" + i;
        }
        return n;
    }

    /** A float initializer of the given dims (row-major data); returns its name. */
    String constant(String name, float[] data, long... dims) {
        String n = unique(name);
        ByteBuffer b = ByteBuffer.allocate(data.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(data);
        TensorProto.Builder t = TensorProto.newBuilder().setName(n).setDataType(TensorProto.DataType.FLOAT.getNumber())
                .setRawData(com.google.protobuf.ByteString.copyFrom(b.array()));
        for (long d : dims) {
            t.addDims(d);
        }
        graph.addInitializer(t);
        return n;
    }

    /** An int64 initializer (Reshape's shape); returns its name. */
    String constantLongs(String name, long... data) {
        String n = unique(name);
        TensorProto.Builder t = TensorProto.newBuilder().setName(n).setDataType(TensorProto.DataType.INT64.getNumber())
                .addDims(data.length);
        for (long v : data) {
            t.addInt64Data(v);
        }
        graph.addInitializer(t);
        return n;
    }

    /** Adds node {@code op} named {@code name} reading {@code inputs}; returns its one output's name. */
    String node(String op, String name, List<String> inputs, AttributeProto... attributes) {
        return add(op, unique(name), inputs, attributes);
    }

    /** A node whose output keeps a name reserved before ({@link #unique}), such as the graph output's. */
    String reserved(String op, String reservedName, List<String> inputs) {
        return add(op, reservedName, inputs);
    }

    private String add(String op, String out, List<String> inputs, AttributeProto... attributes) {
        NodeProto.Builder n = NodeProto.newBuilder().setOpType(op).setName(out).addAllInput(inputs).addOutput(out);
        for (AttributeProto a : attributes) {
            n.addAttribute(a);
        }
        graph.addNode(n);
        return out;
    }

    static AttributeProto ints(String name, long... values) {
        AttributeProto.Builder a = AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INTS);
        for (long v : values) {
            a.addInts(v);
        }
        return a.build();
    }

    static AttributeProto integer(String name, long value) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INT).setI(value).build();
    }

    static AttributeProto real(String name, float value) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.FLOAT).setF(value)
                .build();
    }
}
