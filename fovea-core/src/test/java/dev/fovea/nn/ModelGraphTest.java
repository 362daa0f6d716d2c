package dev.fovea.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fovea.FoveaException;
import dev.fovea.tensor.Shape;
import dev.fovea.tensor.Tensor;
import java.util.List;
import org.junit.jupiter.api.Test;

class ModelGraphTest {
    /** x → tanh → a; x → sigmoid → b; add(a, b) and concat(a, add) share a and feed the output. */
    private static Model branching() {
        SymbolicTensor x = Input.of(3, 4, 2);
        SymbolicTensor a = new Activation(ActivationFunction.TANH).apply(x);
        SymbolicTensor b = new Activation(ActivationFunction.SIGMOID).apply(x);
        SymbolicTensor s = new Add().apply(a, b);
        SymbolicTensor c = new Concatenate().apply(a, s);
        SymbolicTensor y = new Activation(ActivationFunction.GELU).apply(c);
        return Model.of(x, y);
    }

    @Test
    void gradientsThroughBranchesMatchFiniteDifferences() {
        GradCheck.check(branching(), Shape.of(3, 4, 2), 2, 5);
    }

    @Test
    void forwardMatchesHandComputedGraph() {
        Model m = branching();
        assertEquals(Shape.of(3, 4, 4), m.outputShape());
        Tensor x = Tensor.zeros(2, 3, 4, 2);
        for (int i = 0; i < x.size(); i++) {
            x.data()[i] = (i % 7) * 0.3f - 1f;
        }
        float[] y = m.forward(x, false).data();
        for (int p = 0; p < 2 * 3 * 4; p++) {
            for (int ch = 0; ch < 4; ch++) {
                double v = x.data()[p * 2 + (ch % 2)];
                double a = Math.tanh(v);
                double s = a + 1 / (1 + Math.exp(-v));
                double c = ch < 2 ? a : s;
                double expected = 0.5 * c * (1 + Activations_erf(c / Math.sqrt(2)));
                assertEquals(expected, y[p * 4 + ch], 1e-5, "position " + p + " channel " + ch);
            }
        }
    }

    private static double Activations_erf(double v) {
        return dev.fovea.kernel.Activations.erf(v);
    }

    @Test
    void unnamedLayersAreNumberedKerasStyleInTopologicalOrder() {
        Model m = branching();
        assertEquals(java.util.List.of("activation", "activation_1", "add", "concatenate", "activation_2"),
                m.layers().stream().map(Layer::name).toList());
    }

    @Test
    void summaryShowsConnectionsForBranchingModels() {
        String s = Summary.of(branching());
        assertTrue(s.contains("Connected to"), s);
        assertTrue(s.contains("concatenate (Concatenate)"), s);
        assertTrue(s.contains("(None, 3, 4, 4)"), s);
        assertTrue(s.contains("activation[0][0], add[0][0]"), s);
        assertTrue(s.contains(" Total params: 0 (0.00 B)"), s);
    }

    @Test
    void shapeMismatchFailsWhenBuiltNamingTheLayer() {
        SymbolicTensor x = Input.of(4, 4, 2);
        SymbolicTensor y = Input.of(4, 4, 3);
        FoveaException e = assertThrows(FoveaException.class, () -> new Add().apply(x, y));
        assertTrue(e.getMessage().startsWith("add: expects inputs of one shape"), e.getMessage());
        assertTrue(e.getMessage().contains("(None, 4, 4, 3)"), e.getMessage());
    }

    @Test
    void wrongInputShapeAtRunTimeIsReported() {
        Model m = branching();
        FoveaException e = assertThrows(FoveaException.class,
                () -> m.forward(Tensor.zeros(1, 5, 4, 2), false));
        assertTrue(e.getMessage().contains("expects input of shape (None, 3, 4, 2), received (1, 5, 4, 2)"),
                e.getMessage());
    }

    @Test
    void configRoundTripRebuildsTheSameGraph() {
        Model m = branching();
        Model back = ModelConfig.fromConfig(ModelConfig.toConfig(m), "test");
        assertEquals(ModelConfig.toConfig(m), ModelConfig.toConfig(back));
        Tensor x = Tensor.zeros(1, 3, 4, 2);
        x.fill(0.25f);
        assertArrayEquals(m.forward(x, false).data(), back.forward(x, false).data());
    }

    @Test
    void backwardWithoutInputGradientGivesTheSameParameterGradients() {
        SymbolicTensor in = Input.of(6, 5, 3);
        SymbolicTensor h = new Conv2D(4, 3, Padding.SAME, ActivationFunction.RELU).apply(in);
        SymbolicTensor out = new Conv2D(2, 3, Padding.VALID, ActivationFunction.LINEAR).apply(h);
        Model m = Model.of(in, out);
        Tensor x = Tensor.zeros(2, 6, 5, 3);
        for (int i = 0; i < x.size(); i++) {
            x.data()[i] = (float) Math.sin(i * 0.7);
        }
        Tensor dy = Tensor.zeros(m.forward(x, true).shape());
        for (int i = 0; i < dy.size(); i++) {
            dy.data()[i] = (float) Math.cos(i * 0.3);
        }
        java.util.List<float[]> full = new java.util.ArrayList<>();
        Tensor dx = m.backward(dy);
        assertEquals(x.shape(), dx.shape());
        for (Param p : m.params()) {
            full.add(p.grad().clone());
            java.util.Arrays.fill(p.grad(), 0f);
        }
        m.forward(x, true);
        assertEquals(java.util.Arrays.asList((Tensor) null), m.backward(dy, false));
        for (int i = 0; i < full.size(); i++) {
            assertArrayEquals(full.get(i), m.params().get(i).grad(), "parameter " + i);
        }
    }
    @Test
    void mergeLayersAreLayersOfTheModelLikeAnyOther() {
        Model m = branching();
        Layer add = m.layer("add");
        assertTrue(add instanceof Add, add.typeName());
        assertEquals(Shape.of(3, 4, 2), ((Add) add).shape());
        assertEquals("Concatenate", m.layers().get(3).typeName());
        FoveaException e = assertThrows(FoveaException.class, () -> m.layer("dense"));
        assertTrue(e.getMessage().contains("no layer named 'dense'"), e.getMessage());
    }

    @Test
    void wrongNumberOfInputsIsAUserErrorNamingTheLayer() {
        SymbolicTensor a = Input.of(4);
        FoveaException e = assertThrows(FoveaException.class, () -> new Dense(2).apply(a, a));
        assertEquals("dense: Dense takes one input, received 2; merge tensors with Add or Concatenate first",
                e.getMessage());
        e = assertThrows(FoveaException.class, () -> new Add().apply(a));
        assertTrue(e.getMessage().startsWith("add: expects at least 2 inputs, received 1"), e.getMessage());
    }

    /** A model used as a layer of another: y = tanh(x·W + b), W and b set by hand. */
    @Test
    void nestedModelIsALayer() {
        Dense dense = new Dense(2);
        Model inner = Model.sequential(Input.of(3), dense);
        SymbolicTensor x = Input.of(3);
        Model outer = Model.of(x, new Activation(ActivationFunction.TANH).apply(inner.apply(x)));
        assertEquals(List.of("sequential", "activation"), outer.layers().stream().map(Layer::name).toList());
        float[] w = {0.5f, -1f, 0.25f, 2f, -0.75f, 0.1f};
        float[] b = {0.2f, -0.3f};
        System.arraycopy(w, 0, dense.params().get(0).value(), 0, 6);
        System.arraycopy(b, 0, dense.params().get(1).value(), 0, 2);
        Tensor in = new Tensor(Shape.of(1, 3), new float[]{1f, -2f, 0.5f});
        float[] y = outer.forward(in, false).data();
        // Row-major kernel (in, units): z_j = Σ_i x_i·w[i·2 + j] + b_j.
        assertEquals(Math.tanh(1 * 0.5 - 2 * 0.25 + 0.5 * -0.75 + 0.2), y[0], 1e-6);
        assertEquals(Math.tanh(1 * -1 - 2 * 2 + 0.5 * 0.1 - 0.3), y[1], 1e-6);
        assertEquals(List.of("dense/kernel", "dense/bias"), List.copyOf(outer.namedParams().keySet()));
        GradCheck.check(outer, Shape.of(3), 2, 11);
    }

    /** Which heads give probabilities: softmax in a Dense, Conv2D or Activation layer, or in a nested model's head. */
    @Test
    void endsInSoftmaxReadsTheOutputLayerAndLooksIntoANestedHead() {
        SymbolicTensor in = Input.of(4, 4, 2);
        SymbolicTensor flat = new Flatten().apply(in);
        assertTrue(Model.of(in, new Dense(3, ActivationFunction.SOFTMAX).apply(flat)).endsInSoftmax());
        assertFalse(Model.of(in, new Dense(3, ActivationFunction.LINEAR).apply(flat)).endsInSoftmax());
        assertTrue(Model.of(in, new Activation(ActivationFunction.SOFTMAX).apply(
                new Dense(3, ActivationFunction.LINEAR).apply(flat))).endsInSoftmax());
        assertTrue(Model.of(in, new Conv2D(3, 1, Padding.VALID, ActivationFunction.SOFTMAX).apply(in)).endsInSoftmax());
        // A layer after the softmax makes the outputs something else again.
        assertFalse(Model.of(in, new Rescaling(2f).apply(new Dense(3, ActivationFunction.SOFTMAX).apply(flat)))
                .endsInSoftmax());

        SymbolicTensor headIn = Input.of(32);
        Model head = Model.of(headIn, new Dense(3, ActivationFunction.SOFTMAX).apply(headIn));
        SymbolicTensor outer = Input.of(4, 4, 2);
        Model nested = Model.of(outer, head.apply(new Flatten().apply(outer)));
        assertTrue(nested.endsInSoftmax());
    }
}
