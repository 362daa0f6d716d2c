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

    /** erf by Simpson's rule on 2/√π·e^(−t²) in double: accurate to ~1e-12, independent of the kernel's fit. */
    private static double erfReference(double z) {
        double a = Math.abs(z);
        int steps = 20000;
        double h = a / steps;
        double sum = 1 + Math.exp(-a * a);
        for (int k = 1; k < steps; k++) {
            double t = k * h;
            sum += (k % 2 == 1 ? 4 : 2) * Math.exp(-t * t);
        }
        double v = sum * h / 3 * 2 / Math.sqrt(Math.PI);
        return z < 0 ? -v : v;
    }

    @Test
    void geluVectorEqualsScalarBitForBit() {
        Rng rng = new Rng(5);
        for (int n : new int[]{0, 1, 7, 16, 17, 100, 1000, 70_001}) {
            float[] x = new float[n];
            float[] dy = new float[n];
            for (int i = 0; i < n; i++) {
                int k = rng.nextInt(10);
                x[i] = k == 0 ? 0f : k == 1 ? -0f : k == 2 ? (rng.nextFloat() - 0.5f) * 40f : (rng.nextFloat() - 0.5f) * 8f;
                dy[i] = rng.nextFloat() * 2f - 1f;
            }
            float[] a = new float[n];
            float[] b = new float[n];
            Activations.gelu(x, a, n);
            Activations.geluScalar(x, b, n);
            assertBits(b, a, "gelu n=" + n);
            Activations.geluBackward(x, dy, a, n);
            Activations.geluBackwardScalar(x, dy, b, n);
            assertBits(b, a, "geluBackward n=" + n);
        }
    }

    @Test
    void geluMatchesTheDefinitionToFloatPrecision() {
        int n = 4001;
        float[] x = new float[n];
        float[] ones = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = -10f + 20f * i / (n - 1);
            ones[i] = 1f;
        }
        float[] y = new float[n];
        float[] d = new float[n];
        Activations.gelu(x, y, n);
        Activations.geluBackward(x, ones, d, n);
        for (int i = 0; i < n; i++) {
            double v = x[i];
            double cdf = 0.5 * (1 + erfReference(v / Math.sqrt(2)));
            double pdf = Math.exp(-v * v / 2) / Math.sqrt(2 * Math.PI);
            // erf's fit is within 1.5e-7; float rounding adds a few ulps of |x|
            assertEquals(v * cdf, y[i], 2e-7 * Math.max(1, Math.abs(v)), "gelu(" + v + ")");
            assertEquals(cdf + v * pdf, d[i], 4e-7 * Math.max(1, Math.abs(v)), "gelu'(" + v + ")");
        }
        // far tails: exactly x and exactly 0 / 1 in float
        float[] far = {-200f, 200f, -30f};
        float[] out = new float[3];
        Activations.gelu(far, out, 3);
        assertEquals(0f, out[0], 1e-30f);
        assertEquals(200f, out[1]);
        assertEquals(0f, out[2], 1e-30f);
    }
}
