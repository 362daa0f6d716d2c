package dev.fovea.nn;

import dev.fovea.FoveaException;
import dev.fovea.tensor.Rng;
import dev.fovea.tensor.Shape;
import dev.fovea.tensor.Tensor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Keras {@code Add}: the element-wise sum of inputs of one shape (residual connections). */
public final class Add extends BaseMerge {
    private Shape shape;
    private Tensor y;
    private int arity;

    @Override
    public Shape build(List<Shape> inputShapes, Rng rng) {
        requireSeveral(inputShapes);
        Shape first = inputShapes.get(0);
        for (int i = 1; i < inputShapes.size(); i++) {
            if (!inputShapes.get(i).equals(first)) {
                throw new FoveaException(name() + ": expects inputs of one shape, received "
                        + inputShapes.stream().map(Shape::toBatchString).toList()
                        + "; make the branches produce the same shape (e.g. a 1x1 Conv2D on the shortcut)");
            }
        }
        shape = first;
        arity = inputShapes.size();
        return first;
    }

    @Override
    public Tensor forward(List<Tensor> inputs, boolean training) {
        Tensor a = inputs.get(0);
        y = BaseLayer.reuse(y, a.shape());
        float[] out = y.data();
        System.arraycopy(a.data(), 0, out, 0, out.length);
        for (int k = 1; k < inputs.size(); k++) {
            float[] b = inputs.get(k).data();
            for (int i = 0; i < out.length; i++) {
                out[i] += b[i];
            }
        }
        return y;
    }

    /** Every input receives dy itself; callers only read it. */
    @Override
    public List<Tensor> backward(Tensor dy, boolean inputGradients) {
        List<Tensor> grads = new ArrayList<>(arity);
        for (int k = 0; k < arity; k++) {
            grads.add(dy);
        }
        return grads;
    }

    @Override
    public Map<String, Object> config() {
        return new LinkedHashMap<>();
    }

    static Add fromConfig(LayerConfig c) {
        return new Add();
    }

    Shape shape() {
        return shape;
    }
}
