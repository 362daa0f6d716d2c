package dev.fovea.interop.onnx;

import ai.onnx.proto.OnnxMl.TensorProto;
import dev.fovea.FoveaException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * A constant of an ONNX graph (an initializer or a Constant node's value) as doubles in
 * row-major order, with its dims. Float, double and integer element types are read; integers
 * stay exact in a double up to 2^53, far beyond any shape or axis.
 */
record Constant(double[] values, long[] dims) {
    int size() {
        return values.length;
    }

    float[] floats() {
        float[] f = new float[values.length];
        for (int i = 0; i < f.length; i++) {
            f[i] = (float) values[i];
        }
        return f;
    }

    long[] longs() {
        long[] l = new long[values.length];
        for (int i = 0; i < l.length; i++) {
            l[i] = (long) values[i];
        }
        return l;
    }

    boolean allEqual(double v) {
        return Arrays.stream(values).allMatch(x -> x == v);
    }

    String describe() {
        String v = values.length <= 8 ? Arrays.toString(values) : values.length + " values";
        return "constant of shape " + Arrays.toString(dims) + " " + v;
    }

    /** Reads a TensorProto; {@code where} names it in errors. */
    static Constant of(TensorProto t, String where) {
        long[] dims = t.getDimsList().stream().mapToLong(Long::longValue).toArray();
        long n = 1;
        for (long d : dims) {
            n *= d;
        }
        if (t.getDataLocation() == TensorProto.DataLocation.EXTERNAL || t.getExternalDataCount() > 0) {
            throw new FoveaException(where + ": tensor '" + t.getName() + "' keeps its data in an external file,"
                    + " which Fovea does not read; save the model with its weights inside (onnx.save_model with"
                    + " save_as_external_data=False)");
        }
        int type = t.getDataType();
        double[] v = new double[(int) n];
        ByteBuffer raw = t.getRawData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
        boolean hasRaw = !t.getRawData().isEmpty();
        if (type == TensorProto.DataType.FLOAT.getNumber()) {
            check(where, t, hasRaw ? raw.remaining() / 4 : t.getFloatDataCount(), n);
            for (int i = 0; i < n; i++) {
                v[i] = hasRaw ? raw.getFloat() : t.getFloatData(i);
            }
        } else if (type == TensorProto.DataType.DOUBLE.getNumber()) {
            check(where, t, hasRaw ? raw.remaining() / 8 : t.getDoubleDataCount(), n);
            for (int i = 0; i < n; i++) {
                v[i] = hasRaw ? raw.getDouble() : t.getDoubleData(i);
            }
        } else if (type == TensorProto.DataType.INT64.getNumber()) {
            check(where, t, hasRaw ? raw.remaining() / 8 : t.getInt64DataCount(), n);
            for (int i = 0; i < n; i++) {
                v[i] = hasRaw ? raw.getLong() : t.getInt64Data(i);
            }
        } else if (type == TensorProto.DataType.INT32.getNumber()) {
            check(where, t, hasRaw ? raw.remaining() / 4 : t.getInt32DataCount(), n);
            for (int i = 0; i < n; i++) {
                v[i] = hasRaw ? raw.getInt() : t.getInt32Data(i);
            }
        } else {
            String name = TensorProto.DataType.forNumber(type) == null ? "type " + type
                    : TensorProto.DataType.forNumber(type).name();
            throw new FoveaException(where + ": tensor '" + t.getName() + "' holds " + name
                    + " elements; Fovea reads float32, float64, int64 and int32 tensors; convert the model to float32");
        }
        return new Constant(v, dims);
    }

    private static void check(String where, TensorProto t, long have, long want) {
        if (have != want) {
            throw new FoveaException(where + ": tensor '" + t.getName() + "' of shape " + t.getDimsList() + " holds "
                    + have + " values instead of " + want + "; the file is damaged or truncated");
        }
    }
}
