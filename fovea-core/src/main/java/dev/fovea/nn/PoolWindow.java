package dev.fovea.nn;

import dev.fovea.FoveaException;
import dev.fovea.kernel.window.WindowGeometry;
import dev.fovea.tensor.Shape;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The configuration of a 2-D pooling layer (pool size, strides, padding) with its validation, its
 * output arithmetic, its kernel geometry and its Keras config:
 * {@code new MaxPooling2D(PoolWindow.of(3).strides(2))}. {@link MaxPooling2D} and
 * {@link AveragePooling2D} take the same options, so they share this one record (held by
 * {@link PoolingLayer}) instead of two identical {@code Config}s. Not a layer itself.
 */
public record PoolWindow(int poolH, int poolW, int strideH, int strideW, Padding padding) {
    public PoolWindow {
        if (poolH < 1 || poolW < 1 || strideH < 1 || strideW < 1) {
            throw new FoveaException("pool_size and strides must be positive, received pool_size=("
                    + poolH + ", " + poolW + "), strides=(" + strideH + ", " + strideW + ")");
        }
        if (padding == null || padding == Padding.FULL) {
            throw new FoveaException("pooling padding must be 'valid' or 'same', received "
                    + (padding == null ? "null" : "'" + padding.keras() + "'"));
        }
    }

    /** Keras defaults for a square pool: strides equal to the pool size, {@code valid} padding. */
    public static PoolWindow of(int poolSize) {
        return of(poolSize, poolSize);
    }

    /** Keras defaults for a {@code height}×{@code width} pool: strides equal to it, {@code valid} padding. */
    public static PoolWindow of(int height, int width) {
        return new PoolWindow(height, width, height, width, Padding.VALID);
    }

    /** A copy with Keras's {@code strides} set (it defaults to the pool size). */
    public PoolWindow strides(int stride) {
        return strides(stride, stride);
    }

    public PoolWindow strides(int height, int width) {
        return new PoolWindow(poolH, poolW, height, width, padding);
    }

    /** A copy with Keras's {@code padding} set: {@code valid} or {@code same}. */
    public PoolWindow padding(Padding value) {
        return new PoolWindow(poolH, poolW, strideH, strideW, value);
    }

    /** Fails unless {@code in} is a per-sample image shape (H, W, C). */
    static void requireImage(String layer, Shape in) {
        if (in.rank() != 3) {
            throw new FoveaException(layer + ": expects input of rank 4 (batch, height, width, channels), "
                    + "received input of shape " + in.toBatchString() + "; add a Reshape or use it after a Conv2D");
        }
    }

    /** The per-sample output shape for input (H, W, C), validated. */
    Shape outputShape(String layer, Shape in) {
        requireImage(layer, in);
        int oh = padding.outSize(in.dim(0), poolH, strideH);
        int ow = padding.outSize(in.dim(1), poolW, strideW);
        if (oh < 1 || ow < 1) {
            throw new FoveaException(layer + ": pool_size (" + poolH + ", " + poolW
                    + ") does not fit input of shape " + in.toBatchString() + " with padding '" + padding.keras()
                    + "'; computed output size would be (" + oh + ", " + ow + "); use padding 'same' or a smaller pool");
        }
        return Shape.of(oh, ow, in.dim(2));
    }

    /** The kernels' window over input (H, W, C); validate with {@link #outputShape} first. */
    WindowGeometry geometry(Shape in) {
        return padding.geometry(in.dim(0), in.dim(1), poolH, poolW, strideH, strideW);
    }

    Map<String, Object> config() {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("pool_size", List.of(poolH, poolW));
        c.put("strides", List.of(strideH, strideW));
        c.put("padding", padding.keras());
        c.put("data_format", "channels_last");
        return c;
    }

    /** Reads what {@link #config()} writes, as Keras does: {@code strides} None means the pool size. */
    static PoolWindow fromConfig(LayerConfig c) {
        int[] p = c.pair("pool_size", new int[]{2, 2});
        int[] s = c.pair("strides", p);
        PoolWindow w = of(p[0], p[1]).strides(s[0], s[1]).padding(c.padding());
        c.channelsLast();
        return w;
    }
}
