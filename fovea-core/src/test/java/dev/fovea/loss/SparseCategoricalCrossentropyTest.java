package dev.fovea.loss;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fovea.FoveaException;
import dev.fovea.kernel.SoftmaxCrossEntropyTest;
import dev.fovea.tensor.Shape;
import dev.fovea.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SparseCategoricalCrossentropyTest {
    private static Tensor tensor(int n, int k, float... v) {
        return new Tensor(Shape.of(n, k), v);
    }

    @Test
    void kerasDocumentedExampleFromProbabilities() {
        // keras.losses.SparseCategoricalCrossentropy docs: y_true [1, 2],
        // y_pred [[0.05, 0.95, 0], [0.1, 0.8, 0.1]] → 1.177 = (−ln 0.95 − ln 0.1)/2
        Loss loss = new SparseCategoricalCrossentropy();
        Tensor grad = Tensor.zeros(2, 3);
        float value = loss.compute(tensor(2, 3, 0.05f, 0.95f, 0f, 0.1f, 0.8f, 0.1f), new int[] {1, 2}, grad);
        assertEquals((-Math.log(0.95) - Math.log(0.1)) / 2, value, 1e-6);
        assertEquals(1.177, value, 1e-3);
        assertEquals(-1 / (2 * 0.95), grad.data()[1], 1e-6);
        assertEquals(-1 / (2 * 0.1), grad.data()[5], 1e-5);
        assertEquals(0f, grad.data()[0]);
        assertEquals("sparse_categorical_crossentropy", loss.name());
    }

    @Test
    void fromLogitsWithLabelSmoothingByHand() {
        // K = 2, logits (2, 0), label 0, ε = 0.2 → target (0.9, 0.1)
        Loss loss = new SparseCategoricalCrossentropy(true, 0.2f);
        Tensor grad = Tensor.zeros(1, 2);
        float value = loss.compute(tensor(1, 2, 2f, 0f), new int[] {0}, grad);
        double p0 = Math.exp(2) / (Math.exp(2) + 1);
        double p1 = 1 - p0;
        assertEquals(-0.9 * Math.log(p0) - 0.1 * Math.log(p1), value, 1e-6);
        assertEquals(p0 - 0.9, grad.data()[0], 1e-6);
        assertEquals(p1 - 0.1, grad.data()[1], 1e-6);
        // Evaluation without a gradient buffer gives the same loss.
        assertEquals(value, loss.compute(tensor(1, 2, 2f, 0f), new int[] {0}, null));
    }

    @Test
    void matchesPyTorchReferenceLossFromStoredLogits() throws IOException {
        for (String file : new String[] {"019", "020"}) {
            Map<String, float[]> ref = SoftmaxCrossEntropyTest.readSafetensors(
                    dev.fovea.io.ReferenceFiles.dir().resolve(file + "_dense_softmax_cross_entropy.safetensors"));
            float eps = file.equals("020") ? 0.2f : 0f;
            int n = ref.get("labels").length;
            int k = ref.get("bias").length;
            int[] labels = new int[n];
            for (int i = 0; i < n; i++) {
                labels[i] = Math.round(ref.get("labels")[i]);
            }
            float[] expected = ref.get("loss");
            float logitsLoss = new SparseCategoricalCrossentropy(true, eps)
                    .compute(new Tensor(Shape.of(n, k), ref.get("logits")), labels, Tensor.zeros(n, k));
            float probsLoss = new SparseCategoricalCrossentropy(false, eps)
                    .compute(new Tensor(Shape.of(n, k), ref.get("probabilities")), labels, Tensor.zeros(n, k));
            assertEquals(expected[0], logitsLoss, 1e-4 + 1e-3 * Math.abs(expected[0]), file + " from logits");
            assertEquals(expected[0], probsLoss, 1e-4 + 1e-3 * Math.abs(expected[0]), file + " from probabilities");
        }
    }

    @Test
    void reusesScratchAcrossBatchSizes() {
        Loss loss = new SparseCategoricalCrossentropy(true, 0f);
        float big = loss.compute(tensor(2, 2, 0f, 0f, 0f, 0f), new int[] {0, 1}, null);
        float small = loss.compute(tensor(1, 2, 0f, 0f), new int[] {1}, null);
        assertEquals(Math.log(2), big, 1e-7);
        assertEquals(Math.log(2), small, 1e-7);
    }

    @Test
    void rejectsBadLabelsShapesAndSettings() {
        Loss loss = new SparseCategoricalCrossentropy(true, 0f);
        FoveaException e = assertThrows(FoveaException.class,
                () -> loss.compute(tensor(2, 3, new float[6]), new int[] {0, 3}, null));
        assertEquals("sparse_categorical_crossentropy: label 3 at batch index 1 is outside [0, 3); "
                + "check that the model's output units match the number of classes", e.getMessage());
        e = assertThrows(FoveaException.class,
                () -> loss.compute(new Tensor(Shape.of(2, 3, 1), new float[6]), new int[] {0, 1}, null));
        assertTrue(e.getMessage().contains("received (2, 3, 1)"), e.getMessage());
        e = assertThrows(FoveaException.class,
                () -> loss.compute(tensor(2, 3, new float[6]), new int[] {0}, null));
        assertTrue(e.getMessage().contains("expects 2 labels"), e.getMessage());
        e = assertThrows(FoveaException.class, () -> new SparseCategoricalCrossentropy(true, 1.5f));
        assertTrue(e.getMessage().contains("received 1.5"), e.getMessage());
    }
}
