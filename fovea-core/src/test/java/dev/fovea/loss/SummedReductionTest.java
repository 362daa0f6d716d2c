package dev.fovea.loss;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.fovea.tensor.Rng;
import dev.fovea.tensor.Shape;
import dev.fovea.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** {@link Reduction#SUM}: PyTorch's {@code reduction='sum'} for the gradient; the logged value stays the mean. */
class SummedReductionTest {
    @Test
    void summedGradientIsTargetGapPerRowByHand() {
        // Row 0: logits (0, 0, 0), label 0 → p = 1/3 each. Row 1: (ln 2, 0, 0), label 1 → p = (½, ¼, ¼).
        // ε = 0.2, K = 3: target = 0.8·onehot + 0.2/3.
        float ln2 = (float) Math.log(2);
        Tensor logits = new Tensor(Shape.of(2, 3), new float[] {0, 0, 0, ln2, 0, 0});
        Tensor grad = Tensor.zeros(2, 3);
        Loss sum = new SparseCategoricalCrossentropy(true, 0.2f, Reduction.SUM);
        float value = sum.compute(logits, new int[] {0, 1}, grad);
        double off = 0.2 / 3;
        double on = 0.8 + off;
        double row0 = Math.log(3);
        double row1 = -(off * Math.log(0.5) + on * Math.log(0.25) + off * Math.log(0.25));
        assertEquals((row0 + row1) / 2, value, 1e-6, "the returned value is the per-sample mean");
        double[] expected = {1 / 3.0 - on, 1 / 3.0 - off, 1 / 3.0 - off, 0.5 - off, 0.25 - on, 0.25 - off};
        for (int i = 0; i < 6; i++) {
            assertEquals(expected[i], grad.data()[i], 1e-6, "d(sum)/dlogit " + i);
        }
        Tensor meanGrad = Tensor.zeros(2, 3);
        new SparseCategoricalCrossentropy(true, 0.2f).compute(logits, new int[] {0, 1}, meanGrad);
        assertEquals(expected[4] / 2, meanGrad.data()[4], 1e-6, "the mean's gradient is 1/N of it");
    }

    @Test
    void summedGradientOfWideRowsMatchesTheDefinition() {
        // K = 10 and N = 37 take the vectorized rows and an odd batch.
        int n = 37;
        int k = 10;
        Rng r = new Rng(4);
        float[] z = new float[n * k];
        int[] labels = new int[n];
        for (int i = 0; i < z.length; i++) {
            z[i] = (float) (3 * r.nextGaussian());
        }
        for (int i = 0; i < n; i++) {
            labels[i] = r.nextInt(k);
        }
        Tensor grad = Tensor.zeros(n, k);
        new SparseCategoricalCrossentropy(true, 0.2f, Reduction.SUM).compute(new Tensor(Shape.of(n, k), z), labels,
                grad);
        for (int i = 0; i < n; i++) {
            double max = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < k; j++) {
                max = Math.max(max, z[i * k + j]);
            }
            double s = 0;
            for (int j = 0; j < k; j++) {
                s += Math.exp(z[i * k + j] - max);
            }
            for (int j = 0; j < k; j++) {
                double p = Math.exp(z[i * k + j] - max) / s;
                double t = (j == labels[i] ? 0.8 : 0) + 0.02;
                assertEquals(p - t, grad.data()[i * k + j], 1e-6, "row " + i + " class " + j);
            }
        }
    }
}
