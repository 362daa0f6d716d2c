package dev.fovea.nn;

import dev.fovea.FoveaException;
import dev.fovea.tensor.Rng;
import dev.fovea.tensor.Shape;
import dev.fovea.tensor.Tensor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Keras {@code Concatenate(axis=-1)}: joins inputs along one axis (channels by default). */
public final class Concatenate extends BaseMerge {
    private final int axis;
    private Shape[] inShapes;
    private int resolvedAxis;
    private Tensor y;
    private Tensor[] grads;

    public Concatenate() {
        this(-1);
    }

    /** {@code axis} counts per-sample dimensions from 0, or from the end when negative. */
    public Concatenate(int axis) {
        this.axis = axis;
    }

    @Override
    public Shape build(List<Shape> inputShapes, Rng rng) {
        requireSeveral(inputShapes);
        Shape first = inputShapes.get(0);
        int rank = first.rank();
        int ax = axis < 0 ? rank + axis : axis;
        if (ax < 0 || ax >= rank) {
            throw new FoveaException(name() + ": axis " + axis + " is outside inputs of rank " + rank
                    + "; use an axis from " + -rank + " to " + (rank - 1) + " (-1, the channels, by default)");
        }
        int[] out = first.dims();
        out[ax] = 0;
        for (Shape s : inputShapes) {
            boolean ok = s.rank() == rank;
            for (int d = 0; ok && d < rank; d++) {
                ok = d == ax || s.dim(d) == first.dim(d);
            }
            if (!ok) {
                throw new FoveaException(name() + ": expects inputs matching except on axis " + axis
                        + ", received " + inputShapes.stream().map(Shape::toBatchString).toList());
            }
            out[ax] += s.dim(ax);
        }
        inShapes = inputShapes.toArray(new Shape[0]);
        resolvedAxis = ax;
        return Shape.of(out);
    }

    /** Sizes of the blocks copied per outer index: product of dims from the axis on. */
    private static int inner(Shape s, int ax) {
        int n = 1;
        for (int d = ax; d < s.rank(); d++) {
            n *= s.dim(d);
        }
        return n;
    }

    @Override
    public Tensor forward(List<Tensor> inputs, boolean training) {
        int batch = inputs.get(0).dim(0);
        int[] outDims = inShapes[0].dims();
        outDims[resolvedAxis] = 0;
        for (Shape s : inShapes) {
            outDims[resolvedAxis] += s.dim(resolvedAxis);
        }
        Shape outShape = Shape.of(outDims);
        y = BaseLayer.reuse(y, outShape.withBatch(batch));
        int outInner = inner(outShape, resolvedAxis);
        int outer = y.size() / outInner;
        int offset = 0;
        for (int k = 0; k < inputs.size(); k++) {
            int in = inner(inShapes[k], resolvedAxis);
            float[] src = inputs.get(k).data();
            for (int o = 0; o < outer; o++) {
                System.arraycopy(src, o * in, y.data(), o * outInner + offset, in);
            }
            offset += in;
        }
        return y;
    }

    @Override
    public List<Tensor> backward(Tensor dy, boolean inputGradients) {
        int batch = dy.dim(0);
        if (grads == null || grads[0] == null || grads[0].dim(0) != batch) {
            grads = new Tensor[inShapes.length];
            for (int k = 0; k < inShapes.length; k++) {
                grads[k] = Tensor.zeros(inShapes[k].withBatch(batch));
            }
        }
        int outInner = dy.size() / (grads[0].size() / inner(inShapes[0], resolvedAxis));
        int outer = dy.size() / outInner;
        int offset = 0;
        List<Tensor> out = new ArrayList<>();
        for (int k = 0; k < inShapes.length; k++) {
            int in = inner(inShapes[k], resolvedAxis);
            float[] dst = grads[k].data();
            for (int o = 0; o < outer; o++) {
                System.arraycopy(dy.data(), o * outInner + offset, dst, o * in, in);
            }
            offset += in;
            out.add(grads[k]);
        }
        return out;
    }

    @Override
    public Map<String, Object> config() {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("axis", axis);
        return c;
    }

    /**
     * Reads what {@link #config()} writes. A positive axis counts per-sample dimensions (the
     * batch axis excluded), unlike Keras's, where 3 is the channels of images: an importer of
     * Keras configs subtracts one from a positive axis first.
     */
    static Concatenate fromConfig(LayerConfig c) {
        return new Concatenate(c.integer("axis", -1));
    }
}
