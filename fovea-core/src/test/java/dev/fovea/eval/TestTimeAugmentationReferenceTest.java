package dev.fovea.eval;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fovea.eval.TestTimeAugmentation.Level;
import dev.fovea.io.Compare;
import dev.fovea.io.SafeTensors;
import dev.fovea.nn.ActivationFunction;
import dev.fovea.nn.Conv2D;
import dev.fovea.nn.Dense;
import dev.fovea.nn.Flatten;
import dev.fovea.nn.Input;
import dev.fovea.nn.MaxPooling2D;
import dev.fovea.nn.Model;
import dev.fovea.nn.Padding;
import dev.fovea.tensor.Tensor;
import java.nio.file.Path;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Every level against airbench94's own inference functions ({@code infer_basic},
 * {@code infer_mirror}, {@code infer_mirror_translate}) run by PyTorch on a small conv model:
 * the case is made by {@code tta_reference.py} beside it (float64, stored as float32).
 */
class TestTimeAugmentationReferenceTest {
    @ParameterizedTest
    @CsvSource({"none, NONE", "flip, FLIP", "6view, SIX_VIEW"})
    void matchesAirbenchInference(String expectedKey, Level level) throws Exception {
        SafeTensors ref = SafeTensors.read(Path.of(getClass().getResource("tta_reference.safetensors").toURI()));
        Tensor x = ref.tensor("x");
        Conv2D conv = new Conv2D(4, 3, Padding.SAME, ActivationFunction.RELU);
        Dense dense = new Dense(5);
        Model m = Model.sequential(Input.of(x.dim(1), x.dim(2), x.dim(3)), conv, new MaxPooling2D(2),
                new Flatten(), dense);
        m.initialize(1);
        copy(ref.floats("kernel"), conv.params().get(0).value());
        copy(ref.floats("bias"), conv.params().get(1).value());
        copy(ref.floats("dense_kernel"), dense.params().get(0).value());
        copy(ref.floats("dense_bias"), dense.params().get(1).value());
        float[] y = new TestTimeAugmentation(level).forward(m, x).data();
        Compare.Result r = Compare.floats(y, ref.floats(expectedKey));
        assertTrue(r.passed(), level + ": " + r.describe());
        if (level != Level.NONE) {
            // The views must matter on this model, or the comparison would not tell them apart.
            Compare.Result plain = Compare.floats(y, ref.floats("none"));
            assertTrue(!plain.passed(), level + " equals the plain forward pass on this case");
        }
    }

    private static void copy(float[] from, float[] to) {
        assertTrue(from.length == to.length, "weights of " + from.length + " values for a parameter of " + to.length);
        System.arraycopy(from, 0, to, 0, to.length);
    }
}
