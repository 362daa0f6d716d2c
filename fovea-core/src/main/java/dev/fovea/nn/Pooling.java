package dev.fovea.nn;

import dev.fovea.kernel.WindowGeometry;
import dev.fovea.tensor.Shape;
import dev.fovea.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What the four pooling layers share once built: the window as the kernels take it (a
 * {@link WindowGeometry}; the whole image for global pooling), the channel count, and the
 * per-batch-size output, input-gradient and argmax buffers. Composed into {@link MaxPooling2D},
 * {@link AveragePooling2D}, {@link GlobalMaxPooling2D} and {@link GlobalAveragePooling2D}; not a
 * layer, and no pooling arithmetic (that is {@code kernel.Pool2d}'s).
 */
final class Pooling {
    private WindowGeometry geometry;
    private Shape in;
    private Shape out;
    private int batch;
    private Tensor y;
    private Tensor dx;
    private int[] argmax = new int[0];

    /** Validates {@code in} for a windowed pooling layer and returns its per-sample output shape. */
    Shape build(String layer, PoolWindow window, Shape in) {
        Shape shape = window.outputShape(layer, in);
        geometry = window.geometry(in);
        return built(in, shape);
    }

    /** Validates {@code in} for a global pooling layer and returns its per-sample output shape (C). */
    Shape buildGlobal(String layer, Shape in) {
        PoolWindow.requireImage(layer, in);
        geometry = WindowGeometry.global(in.dim(0), in.dim(1));
        return built(in, Shape.of(in.dim(2)));
    }

    private Shape built(Shape in, Shape out) {
        this.in = in;
        this.out = out;
        return out;
    }

    WindowGeometry geometry() {
        return geometry;
    }

    int channels() {
        return in.dim(2);
    }

    /** The batch size of the last {@link #output} call, which backward passes use. */
    int batch() {
        return batch;
    }

    /** The output buffer for a batch of n, which becomes the batch of the following backward. */
    Tensor output(int n) {
        batch = n;
        y = BaseLayer.reuse(y, out.withBatch(n));
        return y;
    }

    /** Max pooling's argmax buffer, as long as the current output. */
    int[] argmax() {
        if (argmax.length != y.size()) {
            argmax = new int[y.size()];
        }
        return argmax;
    }

    /** The input-gradient buffer for the current batch. */
    Tensor inputGradient() {
        dx = BaseLayer.reuse(dx, in.withBatch(batch));
        return dx;
    }

    /** Keras's config of both global poolings ({@code keepdims=False}). */
    static Map<String, Object> globalConfig() {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("data_format", "channels_last");
        c.put("keepdims", false);
        return c;
    }
}
