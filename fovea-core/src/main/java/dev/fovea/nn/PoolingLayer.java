package dev.fovea.nn;

import dev.fovea.kernel.window.Pool2d;
import dev.fovea.kernel.window.WindowGeometry;
import dev.fovea.tensor.Rng;
import dev.fovea.tensor.Shape;
import dev.fovea.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The one abstract helper of the pooling family: everything {@link MaxPooling2D},
 * {@link AveragePooling2D}, {@link GlobalMaxPooling2D} and {@link GlobalAveragePooling2D} share.
 * Building validates the input and fixes the window as the kernels take it (a
 * {@link WindowGeometry}: the {@link PoolWindow}'s, or the whole image for global pooling);
 * forward and backward call {@link Pool2d} through per-batch-size output, input-gradient and
 * argmax buffers. The subclasses hold only what makes each a Keras layer: constructors and type
 * name. No parameters; no pooling arithmetic of its own.
 */
abstract class PoolingLayer extends BaseLayer {
    private final PoolWindow window;
    private final boolean max;
    private WindowGeometry geometry;
    private int batch;
    private Tensor y;
    private Tensor dx;
    private int[] argmax = new int[0];

    /**
     * @param window pool size, strides and padding, or null for global pooling
     * @param max    max pooling when true, else the mean over each window's valid elements
     */
    PoolingLayer(PoolWindow window, boolean max) {
        this.window = window;
        this.max = max;
    }

    /** Pool size, strides and padding (for {@link ConvArithmetic}); null for global pooling. */
    PoolWindow window() {
        return window;
    }

    @Override
    public Shape build(Shape in, Rng rng) {
        if (window == null) {
            PoolWindow.requireImage(name(), in);
            outputShape = Shape.of(in.dim(2));
            geometry = WindowGeometry.global(in.dim(0), in.dim(1));
        } else {
            outputShape = window.outputShape(name(), in);
            geometry = window.geometry(in);
        }
        inputShape = in;
        return outputShape;
    }

    @Override
    public Tensor forward(Tensor x, boolean training) {
        checkInput(x);
        batch = x.dim(0);
        int c = inputShape.dim(2);
        y = reuse(y, outputShape.withBatch(batch));
        if (max) {
            if (argmax.length < y.size()) { // a smaller batch uses the front of a larger one
                argmax = new int[y.size()];
            }
            Pool2d.maxForward(x.data(), y.data(), argmax, geometry, batch, c);
        } else {
            Pool2d.avgForward(x.data(), y.data(), geometry, batch, c);
        }
        return y;
    }

    @Override
    public Tensor backward(Tensor dy) {
        int c = inputShape.dim(2);
        dx = reuse(dx, inputShape.withBatch(batch));
        if (max) {
            Pool2d.maxBackward(dy.data(), argmax, dx.data(), geometry, batch, c);
        } else {
            Pool2d.avgBackward(dy.data(), dx.data(), geometry, batch, c);
        }
        return dx;
    }

    /** The window's Keras config, or that of both global poolings ({@code keepdims=False}). */
    @Override
    public Map<String, Object> config() {
        if (window != null) {
            return window.config();
        }
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("data_format", "channels_last");
        c.put("keepdims", false);
        return c;
    }

    /** Reads the global poolings' config ({@link #config()}'s), returning {@code layer}: keepdims False only. */
    static <T extends PoolingLayer> T globalFromConfig(LayerConfig c, T layer) {
        c.channelsLast();
        c.only("keepdims", v -> v == null || Boolean.FALSE.equals(v), "false only (the output is (N, C))");
        return layer;
    }
}
