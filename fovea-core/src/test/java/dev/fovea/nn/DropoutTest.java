package dev.fovea.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fovea.FoveaException;
import dev.fovea.tensor.Parallel;
import dev.fovea.tensor.Rng;
import dev.fovea.tensor.Shape;
import dev.fovea.tensor.Tensor;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class DropoutTest {
    private static final Shape SAMPLE = Shape.of(20, 20, 16);

    @Test
    void rateZeroPassesTheGradientCheck() {
        GradCheck.check(PoolingLayersTest.named(new Dropout(0f), "dropout"), Shape.of(5, 7, 3), 2, 71);
    }

    @Test
    void maskKeepsAboutOneMinusRateScaledAndBackwardAppliesTheSameMask() {
        float rate = 0.3f;
        Dropout d = built(rate, 5);
        Tensor x = ones(8);
        float[] y = d.forward(x, true).data().clone();
        Tensor dy = Tensor.zeros(x.shape());
        for (int i = 0; i < dy.size(); i++) {
            dy.data()[i] = 1f + (i % 13);
        }
        float[] dx = d.backward(dy).data();
        float scale = (float) (1.0 / (1.0 - rate));
        int kept = 0;
        for (int i = 0; i < y.length; i++) {
            if (y[i] != 0f) {
                kept++;
                assertEquals(scale, y[i]);
                assertEquals(dy.data()[i] * scale, dx[i]);
            } else {
                assertEquals(0f, dx[i]);
            }
        }
        // 51,200 Bernoulli(0.7) draws: the standard deviation of the fraction is 0.002.
        assertEquals(1 - rate, kept / (double) y.length, 0.01);
    }

    @Test
    void maskIsTheDocumentedRngStream() {
        float rate = 0.5f;
        Dropout d = built(rate, 6);
        Rng caller = new Rng(d.rngState());
        float[] y = d.forward(ones(2), true).data();
        Rng element = new Rng(caller.nextLong());
        for (float v : y) {
            assertEquals(element.nextFloat() >= rate ? 2f : 0f, v);
        }
    }

    @Test
    void sameSeedSameMaskAndRestoredStateRepeatsIt() {
        Dropout a = built(0.4f, 7);
        Dropout b = built(0.4f, 7);
        long start = a.rngState();
        float[] first = a.forward(ones(4), true).data().clone();
        assertArrayEquals(first, b.forward(ones(4), true).data());
        float[] second = a.forward(ones(4), true).data().clone();
        assertFalse(Arrays.equals(first, second), "each call must draw a new mask");
        a.setRngState(start);
        assertArrayEquals(first, a.forward(ones(4), true).data());
        assertFalse(Arrays.equals(first, built(0.4f, 8).forward(ones(4), true).data()));
    }

    @Test
    void maskDoesNotDependOnTheThreadCount() {
        int prev = Parallel.threads();
        try {
            Parallel.setThreads(1);
            float[] one = built(0.25f, 9).forward(ones(16), true).data().clone();
            Parallel.setThreads(2);
            float[] two = built(0.25f, 9).forward(ones(16), true).data().clone();
            assertArrayEquals(one, two);
        } finally {
            Parallel.setThreads(prev);
        }
    }

    @Test
    void inferenceIsTheIdentity() {
        Dropout d = built(0.5f, 10);
        Tensor x = ones(2);
        assertSame(x, d.forward(x, false));
        Tensor dy = ones(2);
        assertSame(dy, d.backward(dy));
    }

    @Test
    void configAndValidation() {
        Dropout d = new Dropout(0.25f);
        assertEquals("Dropout", d.typeName());
        assertEquals(0.25f, d.config().get("rate"));
        FoveaException e = assertThrows(FoveaException.class, () -> new Dropout(1f));
        assertEquals("Dropout: rate must be in [0, 1), received 1.0; it is the fraction of inputs dropped",
                e.getMessage());
        assertThrows(FoveaException.class, () -> new Dropout(-0.1f));
        assertTrue(assertThrows(IllegalStateException.class, () -> new Dropout(0.1f).rngState())
                .getMessage().endsWith("not built yet"));
    }

    private static Dropout built(float rate, long seed) {
        Dropout d = new Dropout(rate);
        d.build(SAMPLE, new Rng(seed));
        return d;
    }

    private static Tensor ones(int batch) {
        Tensor t = Tensor.zeros(SAMPLE.withBatch(batch));
        t.fill(1f);
        return t;
    }
}
