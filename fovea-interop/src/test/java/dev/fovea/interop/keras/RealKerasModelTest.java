package dev.fovea.interop.keras;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.fovea.data.Cifar10;
import dev.fovea.data.Dataset;
import dev.fovea.data.Normalization;
import dev.fovea.io.ReferenceFiles;
import dev.fovea.nn.InferencePlan;
import dev.fovea.nn.Model;
import dev.fovea.tensor.Shape;
import dev.fovea.tensor.Tensor;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The real Keras model in {@code ../shared/models/} (a tf.keras 2.1.6 legacy {@code .h5} trained
 * elsewhere, see its README) imports and scores what its README states on the shared CIFAR-10 test
 * split with x/255 inputs: accuracy 0.6894 (3,447 of 5,000) and the first 8 predictions
 * 7 4 6 1 8 8 6 2. Those figures were computed independently from the file in float32; matching
 * them checks HWIO kernels, TensorFlow's bottom/right "same" pooling pads, BatchNormalization's
 * epsilon 0.001 and Flatten's height-width-channel order all at once.
 */
class RealKerasModelTest {
    @Test
    void sylvainCifar10ReachesItsStatedAccuracyAndPredictions() {
        Path h5 = ReferenceFiles.shared().resolve("models/sylvain-cifar10-bn.h5");
        KerasImport.Imported imported = KerasImport.read(h5);
        assertEquals("keras-h5", imported.format());
        assertEquals("2.1.6-tf", imported.kerasVersion());
        Model model = imported.model();
        Dataset test = Cifar10.load(ReferenceFiles.datasets().resolve("cifar-10-binary.tar.gz")).test();
        assertEquals(5000, test.size());

        int[] predicted = predict(model, test, Normalization.scale(3));
        int correct = 0;
        for (int i = 0; i < predicted.length; i++) {
            correct += predicted[i] == test.label(i) ? 1 : 0;
        }
        assertArrayEquals(new int[]{7, 4, 6, 1, 8, 8, 6, 2}, java.util.Arrays.copyOf(predicted, 8));
        assertEquals(3447, correct, "accuracy " + correct / 5000.0 + ", stated 0.6894");
    }

    /** The arg-max class of every image, through the inference plan evaluate and predict run. */
    static int[] predict(Model model, Dataset data, Normalization norm) {
        InferencePlan plan = InferencePlan.of(model);
        int batch = 500;
        int bytes = data.imageBytes();
        int[] out = new int[data.size()];
        for (int start = 0; start < data.size(); start += batch) {
            int n = Math.min(batch, data.size() - start);
            float[] x = new float[n * bytes];
            norm.toFloat(data.images(), start * bytes, x, 0, n * bytes);
            Tensor y = plan.forward(new Tensor(Shape.of(n, data.height(), data.width(), data.channels()), x));
            int k = y.shape().dim(-1);
            float[] v = y.data();
            for (int i = 0; i < n; i++) {
                int best = 0;
                for (int j = 1; j < k; j++) {
                    best = v[i * k + j] > v[i * k + best] ? j : best;
                }
                out[start + i] = best;
            }
        }
        return out;
    }
}
