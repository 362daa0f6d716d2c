package dev.fovea.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fovea.tensor.Rng;
import dev.fovea.tensor.Shape;
import dev.fovea.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.CyclicBarrier;
import org.junit.jupiter.api.Test;

/**
 * Synchronized batch-norm: two replicas of a conv-BN model, each on a slice of a batch and
 * summing their statistics through a {@link CrossReplicaSum}, against one model on the whole
 * batch (the definition of what synchronized statistics must compute).
 */
class SyncBatchNormalizationTest {
    private static final int N = 7;
    private static final int CLASSES = 3;

    /** conv → BN → ReLU → conv → BN → GAP → Dense; 6×6 images make BN's rows (7·36 = 252) span two 128-row blocks. */
    private static Model model() {
        Model m = Model.sequential(Input.of(6, 6, 2),
                new Conv2D(3, 3, Padding.SAME, ActivationFunction.LINEAR),
                new BatchNormalization(BatchNormalization.Config.defaults().momentum(0.9f)),
                new Activation(ActivationFunction.RELU),
                new Conv2D(4, 3, Padding.SAME, ActivationFunction.LINEAR),
                new BatchNormalization(BatchNormalization.Config.defaults().momentum(0.9f)),
                new GlobalAveragePooling2D(), new Dense(CLASSES));
        m.initialize(17);
        // Non-trivial gamma and beta, so errors in dγ, dβ or their use in dx would show.
        Rng rng = new Rng(18);
        for (Param p : m.params()) {
            if (p.name().startsWith("gamma") || p.name().startsWith("beta")) {
                for (int i = 0; i < p.size(); i++) {
                    p.value()[i] = (p.name().startsWith("gamma") ? 1f : 0f) + 0.3f * (float) rng.nextGaussian();
                }
            }
        }
        return m;
    }

    private static float[] gaussian(int n, long seed, float offset) {
        Rng rng = new Rng(seed);
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = offset + (float) rng.nextGaussian();
        }
        return a;
    }

    /** What one model computes on rows [from, to) of the batch with upstream gradient r/scale on its outputs. */
    private record Pass(float[] out, float[] dx, List<float[]> grads, List<float[]> values) {
    }

    private static Pass run(Model m, float[] x, float[] r, int from, int to, float scale) {
        int per = 6 * 6 * 2;
        Tensor in = new Tensor(Shape.of(to - from, 6, 6, 2), java.util.Arrays.copyOfRange(x, from * per, to * per));
        m.zeroGrads();
        float[] out = m.forward(in, true).data().clone();
        float[] dy = new float[(to - from) * CLASSES];
        for (int i = 0; i < dy.length; i++) {
            dy[i] = r[from * CLASSES + i] / scale;
        }
        float[] dx = m.backward(new Tensor(Shape.of(to - from, CLASSES), dy)).data().clone();
        List<float[]> grads = new ArrayList<>();
        List<float[]> values = new ArrayList<>();
        for (Param p : m.params()) {
            grads.add(p.grad().clone());
            values.add(p.value().clone());
        }
        return new Pass(out, dx, grads, values);
    }

    /** Two replicas in two threads: each call deposits its array and, when both have, sums slot 0 + slot 1 in that order. */
    private static final class TwoReplicas {
        private final double[][] slot = new double[2][];
        private final CyclicBarrier barrier = new CyclicBarrier(2);
        int calls;

        CrossReplicaSum rank(int r, double weight) {
            return new CrossReplicaSum() {
                @Override
                public void sum(double[] values) {
                    slot[r] = values.clone();
                    await();
                    for (int i = 0; i < values.length; i++) {
                        values[i] = slot[0][i] + slot[1][i];
                    }
                    if (r == 0) {
                        calls++;
                    }
                    await(); // neither replica may overwrite its slot before the other has read it
                }

                @Override
                public double gradientWeight() {
                    return weight;
                }
            };
        }

        private void await() {
            try {
                barrier.await();
            } catch (InterruptedException | BrokenBarrierException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    private static void synchronize(Model m, CrossReplicaSum reducer) {
        for (Layer l : m.layers()) {
            if (l instanceof BatchNormalization bn) {
                bn.setCrossReplicaSum(reducer);
            }
        }
    }

    @Test
    void twoReplicasOnSlicesComputeWhatOneModelComputesOnTheWholeBatch() throws Exception {
        // Offset inputs (≈ 3 ± 1) so the statistics are not near zero; an unequal split (3 + 4)
        // exercises the n_k/N weights of a mean loss.
        float[] x = gaussian(N * 6 * 6 * 2, 1, 3f);
        float[] r = gaussian(N * CLASSES, 2, 0f);
        int split = 3;
        // The reference: one model, mean loss over N rows, upstream gradient r/N.
        Pass whole = run(model(), x, r, 0, N, N);

        Model a = model();
        Model b = model();
        TwoReplicas ring = new TwoReplicas();
        synchronize(a, ring.rank(0, (double) split / N));
        synchronize(b, ring.rank(1, (double) (N - split) / N));
        Pass[] got = new Pass[2];
        Thread t = new Thread(() -> got[1] = run(b, x, r, split, N, N - split));
        t.start();
        got[0] = run(a, x, r, 0, split, split);
        t.join();
        assertEquals(2 * 3, ring.calls, "two BN layers, each 2 sums forward and 1 backward");

        // Float tolerance: the statistics differ only in how the double sums are grouped, so
        // outputs and gradients agree to float rounding (measured: outputs equal, largest
        // difference 4.8e-7 on conv kernel gradients of order 0.1); 2e-6 absolute leaves room
        // for other vector widths. Per-replica statistics miss it by far (checked below), and
        // so do equal weights 1/2 for this 3 + 4 split (5e-4 on the input gradients).
        double tol = 2e-6;
        float[] out = concat(got[0].out, got[1].out);
        assertClose(whole.out, out, tol, "outputs");
        // Replica k's dx is in the scale of its own loss L_k; the global loss is Σ w_k·L_k.
        float[] dx = concat(scaled(got[0].dx, (float) split / N), scaled(got[1].dx, (float) (N - split) / N));
        assertClose(whole.dx, dx, tol, "input gradients");
        List<Param> ps = a.params();
        for (int i = 0; i < ps.size(); i++) {
            Param p = ps.get(i);
            if (p.trainable()) {
                float[] g = new float[p.size()];
                for (int j = 0; j < g.length; j++) {
                    g[j] = (float) split / N * got[0].grads.get(i)[j] + (float) (N - split) / N * got[1].grads.get(i)[j];
                }
                assertClose(whole.grads.get(i), g, tol, "gradient of " + p.name());
            } else {
                // Moving statistics moved with the global mean and variance, identically on both replicas.
                assertClose(whole.values.get(i), got[0].values.get(i), tol, p.name() + " on replica 0");
                assertArrayEquals(got[0].values.get(i), got[1].values.get(i), p.name() + " differs between replicas");
            }
        }

        // The same split with local statistics (per-worker BN) is far off: the test can tell.
        Pass local = run(model(), x, r, 0, split, split);
        assertTrue(maxAbs(java.util.Arrays.copyOf(whole.out, split * CLASSES), local.out) > 100 * tol,
                "per-replica statistics should change the outputs noticeably");
    }

    @Test
    void oneReplicaIsTheLocalPathBitForBitAndNullRestoresIt() {
        float[] x = gaussian(N * 6 * 6 * 2, 3, 20f);
        float[] r = gaussian(N * CLASSES, 4, 0f);
        Pass plain = run(model(), x, r, 0, N, N);
        Model m = model();
        int[] calls = new int[1];
        synchronize(m, new CrossReplicaSum() {
            @Override
            public void sum(double[] values) {
                calls[0]++;
            }

            @Override
            public double gradientWeight() {
                return 1;
            }
        });
        Pass one = run(m, x, r, 0, N, N);
        assertEquals(6, calls[0]);
        assertArrayEquals(plain.out, one.out);
        assertArrayEquals(plain.dx, one.dx);
        for (int i = 0; i < plain.grads.size(); i++) {
            assertArrayEquals(plain.grads.get(i), one.grads.get(i));
            assertArrayEquals(plain.values.get(i), one.values.get(i));
        }
        synchronize(m, null);
        Model fresh = model();
        run(fresh, x, r, 0, N, N);
        for (Layer l : m.layers()) {
            if (l instanceof BatchNormalization bn) {
                assertEquals(null, bn.crossReplicaSum());
            }
        }
        calls[0] = 0;
        run(m, x, r, 0, N, N);
        assertEquals(0, calls[0], "with the reducer removed, statistics are local again");
    }

    private static float[] concat(float[] a, float[] b) {
        float[] c = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }

    private static float[] scaled(float[] a, float s) {
        float[] c = a.clone();
        for (int i = 0; i < c.length; i++) {
            c[i] *= s;
        }
        return c;
    }

    private static double maxAbs(float[] a, float[] b) {
        double m = 0;
        for (int i = 0; i < a.length; i++) {
            m = Math.max(m, Math.abs(a[i] - b[i]));
        }
        return m;
    }

    private static void assertClose(float[] want, float[] got, double tol, String what) {
        assertEquals(want.length, got.length, what + ": lengths");
        double d = maxAbs(want, got);
        assertTrue(d <= tol, what + ": max abs difference " + d + " > " + tol);
    }
}
