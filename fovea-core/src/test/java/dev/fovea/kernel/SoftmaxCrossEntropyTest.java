package dev.fovea.kernel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

public class SoftmaxCrossEntropyTest {
    private static final Path OPS = dev.fovea.io.ReferenceFiles.dir();

    /**
     * Minimal F32-only safetensors read for the golden files (also used by the loss tests);
     * the project's reader lives in io.
     */
    public static Map<String, float[]> readSafetensors(Path file) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        ByteBuffer buf = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        int headerLen = (int) buf.getLong(0);
        JsonNode header = new ObjectMapper().readTree(new String(bytes, 8, headerLen, StandardCharsets.UTF_8));
        int dataStart = 8 + headerLen;
        Map<String, float[]> out = new HashMap<>();
        header.fields().forEachRemaining(e -> {
            if (e.getKey().equals("__metadata__")) {
                return;
            }
            assertEquals("F32", e.getValue().get("dtype").asText());
            int begin = e.getValue().get("data_offsets").get(0).asInt();
            int end = e.getValue().get("data_offsets").get(1).asInt();
            float[] a = new float[(end - begin) / 4];
            for (int i = 0; i < a.length; i++) {
                a[i] = buf.getFloat(dataStart + begin + 4 * i);
            }
            out.put(e.getKey(), a);
        });
        return out;
    }

    private static void assertClose(float[] expected, float[] actual, String what) {
        assertEquals(expected.length, actual.length, what + " length");
        for (int i = 0; i < expected.length; i++) {
            double tol = 1e-4 + 1e-3 * Math.abs(expected[i]);
            assertTrue(Math.abs(expected[i] - actual[i]) <= tol,
                    what + "[" + i + "]: expected " + expected[i] + ", got " + actual[i]);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"019_dense_softmax_cross_entropy", "020_dense_softmax_cross_entropy"})
    void matchesPyTorchDenseSoftmaxCrossEntropy(String name) throws IOException {
        Map<String, float[]> ref = readSafetensors(OPS.resolve(name + ".safetensors"));
        float smoothing = name.startsWith("020") ? 0.2f : 0f;
        float[] x = ref.get("x");
        float[] kernel = ref.get("kernel");
        float[] bias = ref.get("bias");
        int k = bias.length;
        int n = ref.get("labels").length;
        int in = x.length / n;
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            labels[i] = Math.round(ref.get("labels")[i]);
        }
        float[] logits = new float[n * k];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < k; j++) {
                float s = bias[j];
                for (int p = 0; p < in; p++) {
                    s += x[i * in + p] * kernel[p * k + j];
                }
                logits[i * k + j] = s;
            }
        }
        assertClose(ref.get("logits"), logits, "logits");

        for (boolean scalar : new boolean[] {false, true}) {
            float[] probs = new float[n * k];
            float[] dlogits = new float[n * k];
            float loss = scalar
                    ? SoftmaxCrossEntropy.fromLogitsScalar(logits, labels, probs, dlogits, n, k, smoothing, 1f)
                    : SoftmaxCrossEntropy.fromLogits(logits, labels, probs, dlogits, n, k, smoothing, 1f);
            assertClose(ref.get("probabilities"), probs, "probabilities");
            assertClose(ref.get("loss"), new float[] {loss}, "loss");

            float[] dx = new float[n * in];
            float[] dkernel = new float[in * k];
            float[] dbias = new float[k];
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < k; j++) {
                    float g = dlogits[i * k + j];
                    dbias[j] += g;
                    for (int p = 0; p < in; p++) {
                        dx[i * in + p] += g * kernel[p * k + j];
                        dkernel[p * k + j] += x[i * in + p] * g;
                    }
                }
            }
            assertClose(ref.get("dx"), dx, "dx");
            assertClose(ref.get("dkernel"), dkernel, "dkernel");
            assertClose(ref.get("dbias"), dbias, "dbias");

            // The same loss through softmax + from-probabilities, chained by softmax backward.
            float[] dprobs = new float[n * k];
            float lossP = SoftmaxCrossEntropy.fromProbabilities(probs, labels, dprobs, n, k, smoothing, 1f);
            assertClose(ref.get("loss"), new float[] {lossP}, "loss from probabilities");
            float[] chained = new float[n * k];
            SoftmaxCrossEntropy.softmaxBackward(probs, dprobs, chained, n, k);
            assertClose(dlogits, chained, "softmax backward of probability gradient");
        }
    }

    @Test
    void handComputedSmallCaseWithSmoothing() {
        // Two rows, three classes; expected values from the definition, in double.
        float[] z = {1f, 2f, 3f, 0f, 0f, 0f};
        int[] labels = {2, 0};
        float eps = 0.3f;
        double[] p0 = new double[3];
        double s0 = Math.exp(1) + Math.exp(2) + Math.exp(3);
        for (int j = 0; j < 3; j++) {
            p0[j] = Math.exp(j + 1) / s0;
        }
        double t = (1 - 0.3) + 0.1;   // on-label target
        double u = 0.1;               // off-label target
        double l0 = -(u * Math.log(p0[0]) + u * Math.log(p0[1]) + t * Math.log(p0[2]));
        double l1 = -(t + 2 * u) * Math.log(1.0 / 3);   // uniform row: −Σ target·log(1/3)
        float[] probs = new float[6];
        float[] d = new float[6];
        float loss = SoftmaxCrossEntropy.fromLogits(z, labels, probs, d, 2, 3, eps, 4f);
        assertEquals((l0 + l1) / 2, loss, 1e-6);
        assertEquals(p0[2], probs[2], 1e-6);
        assertEquals(1.0 / 3, probs[4], 1e-7);
        // scale 4, n 2: d = 2·(p − target)
        assertEquals(2 * (p0[0] - u), d[0], 1e-6);
        assertEquals(2 * (p0[2] - t), d[2], 1e-6);
        assertEquals(2 * (1.0 / 3 - t), d[3], 1e-6);
        assertEquals(2 * (1.0 / 3 - u), d[5], 1e-6);
    }

    @Test
    void stableForHugeLogitsAndExactForConfidentRows() {
        float[] z = {1000f, -1000f, 0f, 88f, 89f, 90f};
        int[] labels = {0, 2};
        float[] probs = new float[6];
        float loss = SoftmaxCrossEntropy.fromLogits(z, labels, probs, null, 2, 3, 0f, 1f);
        double row1 = Math.log(Math.exp(-2) + Math.exp(-1) + 1);
        assertEquals(row1 / 2, loss, 1e-7);   // row 0 contributes exactly 0
        assertEquals(1f, probs[0]);
        assertEquals(0f, probs[1]);
    }

    @Test
    void fromProbabilitiesClipsAndZeroesClippedGradient() {
        float[] p = {0f, 1f, 0.25f, 0.75f};
        int[] labels = {0, 1};
        float[] d = new float[4];
        float loss = SoftmaxCrossEntropy.fromProbabilities(p, labels, d, 2, 2, 0f, 1f);
        double expected = (-Math.log(1e-7f) - Math.log(0.75)) / 2;
        assertEquals(expected, loss, 1e-5);
        assertEquals(0f, d[0]);   // p = 0 was clipped: no gradient, as tf.clip_by_value
        assertEquals(0f, d[1]);
        assertEquals(0f, d[2]);   // off-label target is 0
        assertEquals(-1.0 / (2 * 0.75), d[3], 1e-7);
    }

    /**
     * The Vector API's {@code lanewise(EXP)} and {@code reduceLanes(ADD)} give different bits
     * interpreted and once C2 has compiled them (SVML exp, a tree sum), so a softmax head trained in
     * a fresh process (a resumed run) drifted from one trained in a warm JVM. Softmax, its backward
     * pass and the loss must give the scalar twins' bits however warm the JIT is.
     */
    @Test
    void softmaxGivesTheScalarTwinsBitsBeforeAndAfterTheJitCompilesIt() {
        Random rnd = new Random(3);
        int n = 64;
        for (int k : new int[] {8, 10, 17, 100}) {
            float[] z = new float[n * k];
            float[] dy = new float[n * k];
            int[] labels = new int[n];
            for (int i = 0; i < z.length; i++) {
                z[i] = (float) (rnd.nextGaussian() * 3);
                dy[i] = (float) rnd.nextGaussian();
            }
            for (int i = 0; i < n; i++) {
                labels[i] = rnd.nextInt(k);
            }
            float[] ps = new float[n * k];
            float[] ds = new float[n * k];
            float[] gs = new float[n * k];
            SoftmaxCrossEntropy.softmaxScalar(z, ps, n, k);
            SoftmaxCrossEntropy.softmaxBackwardScalar(ps, dy, ds, n, k);
            float loss = SoftmaxCrossEntropy.fromLogitsScalar(z, labels, new float[n * k], gs, n, k, 0.2f, 1f);
            float[] pv = new float[n * k];
            float[] dv = new float[n * k];
            float[] gv = new float[n * k];
            for (int it = 0; it < 30_000; it++) {
                SoftmaxCrossEntropy.softmax(z, pv, n, k);
                SoftmaxCrossEntropy.softmaxBackward(pv, dy, dv, n, k);
                if (it == 0 || it == 29_999) {
                    String when = (it == 0 ? "first call" : "after warm-up") + ", k = " + k;
                    assertArrayEquals(ps, pv, "softmax, " + when);
                    assertArrayEquals(ds, dv, "softmax backward, " + when);
                    assertEquals(loss, SoftmaxCrossEntropy.fromLogits(z, labels, new float[n * k], gv, n, k, 0.2f, 1f),
                            "loss, " + when);
                    assertArrayEquals(gs, gv, "loss gradient, " + when);
                }
            }
        }
    }

    @Test
    void vectorAndScalarTwinsAgreeOnRandomShapes() {
        Random rnd = new Random(11);
        int[][] shapes = {{1, 1}, {1, 16}, {3, 17}, {5, 10}, {2, 33}, {7, 100}, {4, 1000}, {1, 15}};
        for (int[] sh : shapes) {
            int n = sh[0];
            int k = sh[1];
            float[] z = new float[n * k];
            float[] dy = new float[n * k];
            int[] labels = new int[n];
            for (int i = 0; i < z.length; i++) {
                z[i] = (float) (rnd.nextGaussian() * 4);
                dy[i] = (float) rnd.nextGaussian();
            }
            for (int i = 0; i < n; i++) {
                labels[i] = rnd.nextInt(k);
            }
            float[] pv = new float[n * k];
            float[] ps = new float[n * k];
            float[] dv = new float[n * k];
            float[] ds = new float[n * k];
            float lv = SoftmaxCrossEntropy.fromLogits(z, labels, pv, dv, n, k, 0.1f, 0.5f);
            float ls = SoftmaxCrossEntropy.fromLogitsScalar(z, labels, ps, ds, n, k, 0.1f, 0.5f);
            String where = " at (" + n + ", " + k + ")";
            assertEquals(ls, lv, 1e-5 * Math.max(1, Math.abs(ls)), "loss" + where);
            assertNear(ps, pv, "probs" + where);
            assertNear(ds, dv, "dlogits" + where);

            SoftmaxCrossEntropy.softmax(z, pv, n, k);
            SoftmaxCrossEntropy.softmaxScalar(z, ps, n, k);
            assertNear(ps, pv, "softmax" + where);
            SoftmaxCrossEntropy.softmaxBackward(ps, dy, dv, n, k);
            SoftmaxCrossEntropy.softmaxBackwardScalar(ps, dy, ds, n, k);
            assertNear(ds, dv, "softmax backward" + where);
            SoftmaxCrossEntropy.gradFromProbs(ps, labels, dv, n, k, 0.2f, 1f);
            SoftmaxCrossEntropy.gradFromProbsScalar(ps, labels, ds, n, k, 0.2f, 1f);
            assertNear(ds, dv, "gradFromProbs" + where);
        }
    }

    private static void assertNear(float[] expected, float[] actual, String what) {
        for (int i = 0; i < expected.length; i++) {
            double tol = 1e-6 + 1e-5 * Math.abs(expected[i]);
            assertTrue(Math.abs(expected[i] - actual[i]) <= tol,
                    what + "[" + i + "]: scalar " + expected[i] + ", vector " + actual[i]);
        }
    }

    @Test
    void softmaxBackwardMatchesFiniteDifferences() {
        // L = Σ w ⊙ softmax(x); dL/dx by central differences in double.
        Random rnd = new Random(3);
        int n = 2;
        int k = 19;
        float[] x = new float[n * k];
        float[] w = new float[n * k];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) rnd.nextGaussian();
            w[i] = (float) rnd.nextGaussian();
        }
        float[] y = new float[n * k];
        float[] dx = new float[n * k];
        SoftmaxCrossEntropy.softmax(x, y, n, k);
        SoftmaxCrossEntropy.softmaxBackward(y, w, dx, n, k);
        double h = 1e-3;
        for (int i = 0; i < x.length; i++) {
            int row = i / k;
            double plus = weightedSoftmax(x, w, row, k, i, h);
            double minus = weightedSoftmax(x, w, row, k, i, -h);
            assertEquals((plus - minus) / (2 * h), dx[i], 1e-4, "dx[" + i + "]");
        }
    }

    private static double weightedSoftmax(float[] x, float[] w, int row, int k, int bump, double h) {
        double[] v = new double[k];
        double max = Double.NEGATIVE_INFINITY;
        for (int j = 0; j < k; j++) {
            v[j] = x[row * k + j] + (row * k + j == bump ? h : 0);
            max = Math.max(max, v[j]);
        }
        double s = 0;
        for (int j = 0; j < k; j++) {
            s += Math.exp(v[j] - max);
        }
        double out = 0;
        for (int j = 0; j < k; j++) {
            out += w[row * k + j] * Math.exp(v[j] - max) / s;
        }
        return out;
    }
}
