package dev.fovea.kernel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.fovea.tensor.Rng;
import org.junit.jupiter.api.Test;

class ActivationsTest {
    private static final int[] SIZES = {0, 1, 3, 15, 16, 17, 64, 100, 257};

    @Test
    void vectorEqualsScalar() {
        Rng rng = new Rng(11);
        for (int n : SIZES) {
            float[] x = new float[n];
            float[] dy = new float[n];
            for (int i = 0; i < n; i++) {
                // Exact zeros (both signs) exercise ReLU's boundary.
                int k = rng.nextInt(8);
                x[i] = k == 0 ? 0f : k == 1 ? -0f : rng.nextFloat() * 4f - 2f;
                dy[i] = rng.nextFloat() * 2f - 1f;
            }
            float[] a = new float[n];
            float[] b = new float[n];
            Activations.relu(x, a, n);
            Activations.reluScalar(x, b, n);
            assertBits(b, a, "relu n=" + n);
            Activations.reluBackward(x, dy, a, n);
            Activations.reluBackwardScalar(x, dy, b, n);
            assertBits(b, a, "reluBackward n=" + n);
            float[] s = new float[n];
            Activations.sigmoid(x, s, n);
            Activations.sigmoidBackward(s, dy, a, n);
            Activations.sigmoidBackwardScalar(s, dy, b, n);
            assertBits(b, a, "sigmoidBackward n=" + n);
            Activations.tanh(x, s, n);
            Activations.tanhBackward(s, dy, a, n);
            Activations.tanhBackwardScalar(s, dy, b, n);
            assertBits(b, a, "tanhBackward n=" + n);
        }
    }

    @Test
    void backwardMayWriteIntoDy() {
        float[] y = {0.5f, 0f, -1f, 2f};
        float[] dy = {1f, 2f, 3f, 4f};
        Activations.reluBackward(y, dy, dy, 4);
        assertArrayEquals(new float[]{1f, 0f, 0f, 4f}, dy);
        float[] g = {2f, 2f};
        Activations.sigmoidBackward(new float[]{0.5f, 0.25f}, g, g, 2);
        assertEquals(0.5f, g[0]);
        assertEquals(2f * 0.25f * 0.75f, g[1]);
    }

    private static void assertBits(float[] want, float[] got, String what) {
        for (int i = 0; i < want.length; i++) {
            assertEquals(Float.floatToRawIntBits(want[i]), Float.floatToRawIntBits(got[i]), what + " at " + i);
        }
    }
}
