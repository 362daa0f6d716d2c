package dev.fovea.tensor;

import dev.fovea.FoveaException;
import java.util.Arrays;

/**
 * An immutable list of non-negative dimensions, e.g. {@code (N, H, W, C)} for an NHWC batch.
 * Layer shapes exclude the batch dimension; {@link #withBatch(int)} adds it.
 * Not a tensor: it holds no data.
 */
public final class Shape {
    private final int[] dims;

    private Shape(int[] dims) {
        for (int d : dims) {
            if (d < 0) {
                throw new IllegalArgumentException("negative dimension in shape " + Arrays.toString(dims));
            }
        }
        this.dims = dims;
    }

    public static Shape of(int... dims) {
        return new Shape(dims.clone());
    }

    public int rank() {
        return dims.length;
    }

    public int dim(int i) {
        return dims[i < 0 ? dims.length + i : i];
    }

    public int[] dims() {
        return dims.clone();
    }

    /** Number of elements, failing on int overflow rather than wrapping. */
    public int size() {
        long n = 1;
        for (int d : dims) {
            n *= d;
            if (n > Integer.MAX_VALUE) {
                throw new FoveaException("shape " + this + " holds more than 2^31-1 elements, more than one Java array "
                        + "can; use smaller images or a smaller batch");
            }
        }
        return (int) n;
    }

    /**
     * The last {@link #withBatch} result: layers ask for the same batch shape on every step, and
     * a shape is immutable, so handing back the same instance spares an allocation per call
     * (a racing thread at worst makes one more).
     */
    private Shape batched;

    /** This shape with {@code batch} prepended. */
    public Shape withBatch(int batch) {
        Shape s = batched;
        if (s != null && s.dims[0] == batch) {
            return s;
        }
        int[] d = new int[dims.length + 1];
        d[0] = batch;
        System.arraycopy(dims, 0, d, 1, dims.length);
        s = new Shape(d);
        batched = s;
        return s;
    }

    /** True when this shape is a batch of {@code inner}: one more dimension, the others equal. Allocates nothing. */
    public boolean isBatchOf(Shape inner) {
        if (dims.length != inner.dims.length + 1) {
            return false;
        }
        for (int i = 0; i < inner.dims.length; i++) {
            if (dims[i + 1] != inner.dims[i]) {
                return false;
            }
        }
        return true;
    }

    /** This shape without its first dimension. */
    public Shape dropFirst() {
        return new Shape(Arrays.copyOfRange(dims, 1, dims.length));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Shape s && Arrays.equals(dims, s.dims);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(dims);
    }

    /** Python-style tuple, as Keras prints shapes: {@code (32, 32, 3)}, {@code (10,)}. */
    @Override
    public String toString() {
        if (dims.length == 1) {
            return "(" + dims[0] + ",)";
        }
        StringBuilder sb = new StringBuilder("(");
        for (int i = 0; i < dims.length; i++) {
            sb.append(i == 0 ? "" : ", ").append(dims[i]);
        }
        return sb.append(')').toString();
    }

    /** Keras's summary form with an unknown batch: {@code (None, 32, 32, 3)}. */
    public String toBatchString() {
        StringBuilder sb = new StringBuilder("(None");
        for (int d : dims) {
            sb.append(", ").append(d);
        }
        return sb.append(')').toString();
    }
}
