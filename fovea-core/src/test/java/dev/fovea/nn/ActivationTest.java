package dev.fovea.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.fovea.tensor.Shape;
import dev.fovea.tensor.Tensor;
import org.junit.jupiter.api.Test;

class ActivationTest {
    @Test
    void gradientsMatchFiniteDifferences() {
        for (ActivationFunction f : ActivationFunction.values()) {
            Activation a = new Activation(f);
            a.setName("activation_" + f.keras());
            GradCheck.check(a, Shape.of(5, 7, 3), 2, 11);
        }
    }

    @Test
    void valuesMatchHandComputed() {
        Tensor x = new Tensor(Shape.of(1, 3), new float[]{-1f, 0f, 2f});
        float[] relu = run(ActivationFunction.RELU, x);
        assertEquals(0f, relu[0]);
        assertEquals(2f, relu[2]);
        float[] gelu = run(ActivationFunction.GELU, x);
        // x·Φ(x): Φ(−1) = 0.15865525, Φ(2) = 0.97724987
        assertEquals(-0.15865525, gelu[0], 1e-6);
        assertEquals(2 * 0.97724987, gelu[2], 1e-6);
        float[] soft = run(ActivationFunction.SOFTMAX, x);
        double z = Math.exp(-1) + 1 + Math.exp(2);
        assertEquals(Math.exp(2) / z, soft[2], 1e-6);
        float[] sig = run(ActivationFunction.SIGMOID, x);
        assertEquals(1 / (1 + Math.exp(1)), sig[0], 1e-7);
    }

    private static float[] run(ActivationFunction f, Tensor x) {
        Activation a = new Activation(f);
        a.build(Shape.of(3), new dev.fovea.tensor.Rng(0));
        return a.forward(x, false).data().clone();
    }
}
