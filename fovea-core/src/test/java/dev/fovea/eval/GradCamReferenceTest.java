package dev.fovea.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fovea.io.Compare;
import dev.fovea.io.SafeTensors;
import dev.fovea.nn.Activation;
import dev.fovea.nn.ActivationFunction;
import dev.fovea.nn.BatchNormalization;
import dev.fovea.nn.Conv2D;
import dev.fovea.nn.Dense;
import dev.fovea.nn.GlobalAveragePooling2D;
import dev.fovea.nn.Input;
import dev.fovea.nn.MaxPooling2D;
import dev.fovea.nn.Model;
import dev.fovea.nn.Padding;
import dev.fovea.nn.Param;
import dev.fovea.tensor.Tensor;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Grad-CAM against its definition computed by PyTorch autograd on a small random model
 * (conv-BN-ReLU-pool-conv-ReLU-GAP-dense in inference mode); {@code gradcam/make_case.py} writes
 * the case. Explaining the first conv sends the gradient back through BatchNormalization's
 * inference backward, max-pooling and the ReLUs.
 */
class GradCamReferenceTest {
    private static Model model(SafeTensors ref, ActivationFunction head) {
        Tensor x = ref.tensor("x");
        Model m = Model.sequential(Input.of(x.dim(1), x.dim(2), x.dim(3)),
                new Conv2D(4, 3, Padding.SAME, ActivationFunction.LINEAR), new BatchNormalization(),
                new Activation(ActivationFunction.RELU), new MaxPooling2D(2),
                new Conv2D(6, 3, Padding.SAME, ActivationFunction.RELU), new GlobalAveragePooling2D(),
                new Dense(5, head));
        for (Map.Entry<String, Param> e : m.namedParams().entrySet()) {
            float[] v = ref.floats(e.getKey());
            System.arraycopy(v, 0, e.getValue().value(), 0, v.length);
        }
        return m;
    }

    @ParameterizedTest
    @CsvSource({"conv2d_1, LINEAR", "conv2d, LINEAR", "conv2d_1, SOFTMAX", "conv2d, SOFTMAX"})
    void matchesPyTorchAutogradOnTheLogits(String layer, ActivationFunction head) throws Exception {
        SafeTensors ref = SafeTensors.read(Path.of(getClass().getResource("/gradcam/case.safetensors").toURI()));
        Model m = model(ref, head);
        GradCam cam = layer.equals("conv2d_1") ? new GradCam(m) : new GradCam(m, layer);
        assertTrue(cam.layerName().equals(layer), cam.layerName());
        GradCam.Result r = cam.compute(ref.tensor("x"), new int[]{2, -1, 4});
        float[] classes = ref.floats("classes");
        assertArrayEquals(new int[]{(int) classes[0], (int) classes[1], (int) classes[2]}, r.classes());
        Compare.Result p = Compare.floats(r.probabilities(), ref.floats("probabilities"));
        assertTrue(p.passed(), "probabilities: " + p.describe());
        Compare.Result h = Compare.floats(r.maps(), ref.floats(layer + "/heatmap"));
        assertTrue(h.passed(), layer + " heatmaps: " + h.describe());
        // The raw maps are small (max ≈ 0.002–0.02), so their tolerance is relative to each map's maximum.
        float[] raw = ref.floats(layer + "/raw");
        int hw = r.height() * r.width();
        for (int i = 0; i < r.n(); i++) {
            float max = 0f;
            for (int j = 0; j < hw; j++) {
                max = Math.max(max, raw[i * hw + j]);
            }
            assertTrue(max > 0f, "the case must have evidence in image " + i);
            float[] actual = r.rawHeatmap(i);
            for (int j = 0; j < hw; j++) {
                float e = raw[i * hw + j];
                assertTrue(Math.abs(actual[j] - e) <= 1e-4f * max + 1e-3f * Math.abs(e),
                        layer + " image " + i + " pixel " + j + ": " + actual[j] + " vs " + e);
            }
        }
    }
}
