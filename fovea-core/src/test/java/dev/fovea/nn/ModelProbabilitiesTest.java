package dev.fovea.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fovea.tensor.Shape;
import dev.fovea.tensor.Tensor;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@link Model#probabilities}: softmax the logits unless the model ends in softmax. A Dense of 2
 * → 3 with hand-set weights gives logits (2, 4.5, −1.5) and (−1, 0.5, 0.5) for two inputs; their
 * softmax, worked out by hand (e^z / Σ e^z in double), is what both kinds of model return.
 */
class ModelProbabilitiesTest {
    private static final float[] X = {1f, 2f, -1f, 0f};
    /** softmax(2, 4.5, −1.5) and softmax(−1, 0.5, 0.5). */
    private static final float[] EXPECTED = {0.075684807f, 0.922029709f, 0.002285483f,
        0.100367565f, 0.449816218f, 0.449816218f};

    /** x (2) → Dense(3) with kernel [[1, 0, −1], [0.5, 2, 0]] and bias (0, 0.5, −0.5), then {@code head}. */
    private static Model model(ActivationFunction denseActivation, Layer head) {
        SymbolicTensor in = Input.of(2);
        Dense dense = new Dense(3, denseActivation);
        SymbolicTensor y = dense.apply(in);
        Model m = Model.of(in, head == null ? y : head.apply(y));
        setWeights(dense);
        return m;
    }

    /** Building a model (an outer one too) initializes the weights: set them after. */
    private static void setWeights(Dense dense) {
        System.arraycopy(new float[]{1f, 0f, -1f, 0.5f, 2f, 0f}, 0, dense.params().get(0).value(), 0, 6);
        System.arraycopy(new float[]{0f, 0.5f, -0.5f}, 0, dense.params().get(1).value(), 0, 3);
    }

    private static float[] outputs(Model m) {
        return m.forward(new Tensor(Shape.of(2, 2), X.clone()), false).data().clone();
    }

    @Test
    void logitsAreSoftmaxedRowByRow() {
        Model m = model(ActivationFunction.LINEAR, null);
        assertFalse(m.endsInSoftmax());
        float[] logits = outputs(m);
        assertArrayEquals(new float[]{2f, 4.5f, -1.5f, -1f, 0.5f, 0.5f}, logits, 0f);
        float[] p = m.probabilities(logits);
        assertArrayEquals(EXPECTED, p, 1e-6f);
        assertArrayEquals(new float[]{2f, 4.5f, -1.5f, -1f, 0.5f, 0.5f}, logits, 0f, "outputs are only read");
    }

    @Test
    void aSoftmaxHeadsOutputsAreReturnedAsTheyAre() {
        for (Model m : List.of(model(ActivationFunction.SOFTMAX, null),
                model(ActivationFunction.LINEAR, new Activation(ActivationFunction.SOFTMAX)))) {
            assertTrue(m.endsInSoftmax());
            float[] out = outputs(m);
            assertArrayEquals(EXPECTED, out, 1e-6f);
            float[] p = m.probabilities(out);
            assertNotSame(out, p);
            // Not softmaxed twice: softmax(EXPECTED) would be far flatter (0.29, 0.53, 0.19 for row 0).
            assertArrayEquals(out, p, 0f);
        }
    }

    /** A nested model holding the softmax head counts as ending in softmax; a layer after a softmax does not. */
    @Test
    void theHeadIsLookedForInsideANestedModelAndOnlyAtTheEnd() {
        Model inner = model(ActivationFunction.SOFTMAX, null);
        SymbolicTensor in = Input.of(2);
        Model outer = Model.of(in, inner.apply(in));
        setWeights((Dense) inner.layer("dense"));
        assertTrue(outer.endsInSoftmax());
        assertArrayEquals(EXPECTED, outer.probabilities(outputs(outer)), 1e-6f);
        Model scaled = model(ActivationFunction.SOFTMAX, new Rescaling(2f));
        assertFalse(scaled.endsInSoftmax());
        // Then the outputs 2·p are logits: softmax(2·EXPECTED) of row 0, by hand.
        double a = Math.exp(2 * 0.075684807);
        double b = Math.exp(2 * 0.922029709);
        double c = Math.exp(2 * 0.002285483);
        float[] p = scaled.probabilities(outputs(scaled));
        assertEquals(a / (a + b + c), p[0], 1e-6);
        assertEquals(b / (a + b + c), p[1], 1e-6);
        assertEquals(c / (a + b + c), p[2], 1e-6);
    }

    /** The preallocated form: the first rows only, into a given array, the outputs themselves allowed. */
    @Test
    void theFirstRowsIntoAGivenArrayInPlaceToo() {
        Model m = model(ActivationFunction.LINEAR, null);
        float[] out = outputs(m);
        float[] probs = new float[9];
        java.util.Arrays.fill(probs, -7f);
        m.probabilities(out, 1, probs);
        assertArrayEquals(new float[]{EXPECTED[0], EXPECTED[1], EXPECTED[2], -7f, -7f, -7f, -7f, -7f, -7f}, probs, 1e-6f);
        m.probabilities(out, 2, out);
        assertArrayEquals(EXPECTED, out, 1e-6f);
    }
}
