package dev.fovea.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.fovea.kernel.conv.Convolution;
import dev.fovea.kernel.window.WindowGeometry;
import dev.fovea.tensor.Parallel;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Each benchmark method called once, directly after its setup, on a tiny shape (no JMH run), and
 * its result held to the direct seven-loop convolution: a benchmark that passed the wrong
 * arguments would time the wrong work.
 */
class ConvBenchTest {
    private int threadsBefore;

    @BeforeEach
    void rememberThreads() {
        threadsBefore = Parallel.threads();
    }

    @AfterEach
    void restoreThreads() {
        Parallel.setThreads(threadsBefore);
    }

    @Test
    void sameShapeWithBiasAndReluRunsEveryPassCorrectly() {
        ConvShape s = new ConvShape("tiny", "test", "test", 3, 5, 3, 4, 3, true, true, true);
        checkAllPasses(s, 2);
    }

    @Test
    void validShapeWithoutBiasRunsEveryPassCorrectly() {
        ConvShape s = new ConvShape("tiny-valid", "test", "test", 2, 6, 5, 3, 2, false, false, false);
        checkAllPasses(s, 1);
    }

    @Test
    void setupSetsTheThreadCountAndLooksTheShapeUp() {
        ConvBench b = new ConvBench();
        b.shape = "tutorial6-b32";
        b.threads = 1;
        b.setup();
        assertEquals(1, Parallel.threads());
        assertEquals(32 * 8 * 8 * 128, b.x().length);
        assertEquals(32 * 8 * 8 * 128, b.forward().length);
    }

    private static void checkAllPasses(ConvShape s, int threads) {
        ConvBench b = new ConvBench();
        b.setup(s, threads);
        assertEquals(threads, Parallel.threads());
        WindowGeometry g = s.geometry();
        int out = s.n() * g.oh() * g.ow() * s.f();
        int in = s.n() * g.h() * g.w() * s.c();

        float[] y = b.forward().clone();
        float[] expectedY = new float[out];
        Convolution.forwardScalar(b.x(), b.kernel(), b.bias(), expectedY, g, s.n(), s.c(), s.f());
        assertClose(expectedY, y, "forward y");
        if (s.relu()) {
            float[] relu = new float[out];
            for (int i = 0; i < out; i++) {
                relu[i] = Math.max(expectedY[i], 0f);
            }
            assertClose(relu, b.relu(), "forward relu");
        } else {
            assertNull(b.relu());
        }

        float[] dx = b.backwardData();
        float[] expectedDx = new float[in];
        Convolution.backwardDataScalar(b.dy(), b.kernel(), expectedDx, g, s.n(), s.c(), s.f());
        assertClose(expectedDx, dx, "backward-data dx");

        float[] dk = b.backwardWeights();
        float[] expectedDk = new float[dk.length];
        float[] expectedDb = s.bias() ? new float[s.f()] : null;
        Convolution.backwardWeightsScalar(b.x(), b.dy(), expectedDk, expectedDb, g, s.n(), s.c(), s.f());
        assertClose(expectedDk, dk, "backward-weights dkernel");
        if (s.bias()) {
            assertClose(expectedDb, b.dbias(), "backward-weights dbias");
        } else {
            assertNull(b.dbias());
        }
    }

    @Test
    void gemmBenchComputesTheProductOfItsShape() {
        GemmBench b = new GemmBench();
        b.shape = 0;
        b.threads = 2;
        b.setup();
        float[] c = b.gemm();
        int m = (Integer) GemmShapes.SHAPES[0][0];
        int n = (Integer) GemmShapes.SHAPES[0][1];
        int k = (Integer) GemmShapes.SHAPES[0][2];
        float[] a = b.a();
        float[] bm = b.b();
        float[] expected = new float[m * n];
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double sum = 0;
                for (int p = 0; p < k; p++) {
                    sum += (double) a[i * k + p] * bm[p * n + j];
                }
                expected[i * n + j] = (float) sum;
            }
        }
        assertClose(expected, c, "gemm c");
    }

    private static void assertClose(float[] expected, float[] actual, String what) {
        assertEquals(expected.length, actual.length, what + " length");
        for (int i = 0; i < expected.length; i++) {
            double e = expected[i];
            if (Math.abs(e - actual[i]) > 1e-4 * (1 + Math.abs(e))) {
                throw new AssertionError(what + " [" + i + "]: expected " + e + ", received " + actual[i]);
            }
        }
    }
}
