package dev.fovea.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fovea.io.Compare;
import dev.fovea.io.ReferenceFiles;
import dev.fovea.io.SafeTensors;
import dev.fovea.loss.SparseCategoricalCrossentropy;
import dev.fovea.tensor.Tensor;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The tutorial CNN built through the public API (softmax head, as in Keras), loaded with the
 * PyTorch seed model's weights, reproduces its logits (through the softmax), loss and gradients.
 */
class TutorialCnnTest {
    private static void assertClose(float[] actual, float[] expected, String what) {
        Compare.Result r = Compare.floats(actual, expected);
        assertTrue(r.passed(), what + ": " + r.describe());
    }

    private static float[] softmax(float[] logits, int rows, int cols) {
        float[] p = new float[logits.length];
        for (int r = 0; r < rows; r++) {
            double max = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < cols; j++) {
                max = Math.max(max, logits[r * cols + j]);
            }
            double sum = 0;
            for (int j = 0; j < cols; j++) {
                sum += Math.exp(logits[r * cols + j] - max);
            }
            for (int j = 0; j < cols; j++) {
                p[r * cols + j] = (float) (Math.exp(logits[r * cols + j] - max) / sum);
            }
        }
        return p;
    }

    @Test
    void reproducesTheSeedModel() {
        SafeTensors ref = SafeTensors.read(ReferenceFiles.dir().resolve("100_seed_model.safetensors"));
        Model model = Presets.tutorialCnn(32, 32, 3, 10, 0f, ActivationFunction.SOFTMAX);
        Map<String, Param> params = model.namedParams();
        assertEquals(6 * 2 + 6 * 4 + 4, params.size());
        for (Map.Entry<String, Param> e : params.entrySet()) {
            float[] v = ref.floats(e.getKey());
            System.arraycopy(v, 0, e.getValue().value(), 0, v.length);
        }
        Tensor x = ref.tensor("x");
        int n = x.dim(0);
        assertClose(model.forward(x, false).data(), softmax(ref.floats("logits_inference"), n, 10), "inference");

        model.zeroGrads();
        Tensor probs = model.forward(x, true);
        assertClose(probs.data(), softmax(ref.floats("logits_training"), n, 10), "training");
        int[] labels = new int[n];
        float[] lf = ref.floats("labels");
        for (int i = 0; i < n; i++) {
            labels[i] = (int) lf[i];
        }
        Tensor dprobs = Tensor.zeros(probs.shape());
        float loss = new SparseCategoricalCrossentropy(false, 0f).compute(probs, labels, dprobs);
        assertClose(new float[]{loss}, ref.floats("loss_training"), "loss");
        model.backward(dprobs);
        for (Map.Entry<String, Param> e : params.entrySet()) {
            if (e.getValue().trainable()) {
                assertClose(e.getValue().grad(), ref.floats("grad/" + e.getKey()), "grad/" + e.getKey());
            }
        }
    }

    @Test
    void summaryTotalsMatchKeras() {
        String s = Summary.of(Presets.create("tutorial-cnn", 32, 32, 3, 10));
        assertTrue(s.contains(" Total params: 2,397,226 (9.14 MB)"), s);
        assertTrue(s.contains(" Trainable params: 2,396,330 (9.14 MB)"), s);
        assertTrue(s.contains(" Non-trainable params: 896 (3.50 KB)"), s);
        assertTrue(s.matches("(?s).*│ conv2d \\(Conv2D\\) +│ \\(None, 32, 32, 32\\) +│ +896 │\n.*"), s);
        assertTrue(s.contains("dense_1 (Dense)"), s);
        assertTrue(s.contains("(None, 2048)"), s);
        assertTrue(!s.contains("Connected to"), "a chain needs no Connected to column");
    }
}
