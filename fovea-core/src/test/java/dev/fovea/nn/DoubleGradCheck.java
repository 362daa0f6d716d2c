package dev.fovea.nn;

import static org.junit.jupiter.api.Assertions.fail;

import dev.fovea.tensor.Rng;
import dev.fovea.tensor.Shape;
import dev.fovea.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Finite differences in double precision: the numeric gradient of L = Σ y·r is taken from a
 * float64 reference forward ({@link DoubleReference}, written from the definitions, not from the
 * kernels) with central differences at h = 1e-6, and compared with the layer's float32 backward
 * for the input and every trainable parameter; the float32 forward is compared with the
 * reference too. Tolerance: |a − b| ≤ 1e-4 + 1e-3·|b|, the rule of the PyTorch cases.
 */
final class DoubleGradCheck {
    private static final double H = 1e-6;
    private static final int MAX_POINTS = 300;

    private DoubleGradCheck() {
    }

    static void check(Layer layer, Shape inputShape, int batch, long seed, DoubleReference.Forward ref) {
        Rng rng = new Rng(seed);
        Shape out = layer.build(inputShape, rng.split(1));
        Tensor x = Tensor.zeros(inputShape.withBatch(batch));
        Rng data = rng.split(2);
        for (int i = 0; i < x.size(); i++) {
            x.data()[i] = data.nextFloat() * 2f - 1f;
        }
        List<Param> params = layer.params();
        for (Param p : params) {
            if (p.trainable()) {
                // Non-default values, so a mix-up of gamma and beta (or a zero bias) cannot hide.
                for (int i = 0; i < p.size(); i++) {
                    p.value()[i] += data.nextFloat() * 0.5f - 0.25f;
                }
            }
            Arrays.fill(p.grad(), 0f);
        }
        Tensor r = Tensor.zeros(out.withBatch(batch));
        for (int i = 0; i < r.size(); i++) {
            r.data()[i] = data.nextFloat() * 2f - 1f;
        }
        float[] y = layer.forward(x, true).data().clone();
        float[] dx = layer.backward(r).data().clone();

        double[] xd = toDouble(x.data());
        double[][] pd = new double[params.size()][];
        for (int k = 0; k < pd.length; k++) {
            pd[k] = toDouble(params.get(k).value());
        }
        double[] rd = toDouble(r.data());
        List<String> failures = new ArrayList<>();
        double[] yRef = ref.apply(xd, batch, pd);
        compare(y, yRef, "forward", failures);

        compareGradient(dx, xd, xd, pd, rd, batch, ref, "dx", rng.split(3), failures);
        for (int k = 0; k < params.size(); k++) {
            if (params.get(k).trainable()) {
                compareGradient(params.get(k).grad(), pd[k], xd, pd, rd, batch, ref,
                        "d" + params.get(k).name(), rng.split(4 + k), failures);
            }
        }
        if (!failures.isEmpty()) {
            fail(layer.name() + ": " + failures.size() + " mismatches against float64 finite differences, first: "
                    + String.join("; ", failures.subList(0, Math.min(4, failures.size()))));
        }
    }

    private static void compareGradient(float[] analytic, double[] target, double[] xd, double[][] pd, double[] rd,
                                        int batch, DoubleReference.Forward ref, String what, Rng pick,
                                        List<String> failures) {
        int n = target.length;
        int points = Math.min(n, MAX_POINTS);
        for (int t = 0; t < points; t++) {
            int i = n <= MAX_POINTS ? t : pick.nextInt(n);
            double saved = target[i];
            target[i] = saved + H;
            double plus = loss(ref.apply(xd, batch, pd), rd);
            target[i] = saved - H;
            double minus = loss(ref.apply(xd, batch, pd), rd);
            target[i] = saved;
            double numeric = (plus - minus) / (2 * H);
            if (!(Math.abs(analytic[i] - numeric) <= 1e-4 + 1e-3 * Math.abs(numeric))) {
                failures.add(what + "[" + i + "] float32 backward " + analytic[i] + ", float64 numeric " + numeric);
            }
        }
    }

    private static void compare(float[] actual, double[] expected, String what, List<String> failures) {
        if (actual.length != expected.length) {
            failures.add(what + ": length " + actual.length + ", reference " + expected.length);
            return;
        }
        for (int i = 0; i < actual.length; i++) {
            if (!(Math.abs(actual[i] - expected[i]) <= 1e-4 + 1e-3 * Math.abs(expected[i]))) {
                failures.add(what + "[" + i + "] " + actual[i] + ", reference " + expected[i]);
                return;
            }
        }
    }

    private static double loss(double[] y, double[] r) {
        double s = 0;
        for (int i = 0; i < y.length; i++) {
            s += y[i] * r[i];
        }
        return s;
    }

    private static double[] toDouble(float[] a) {
        double[] d = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            d[i] = a[i];
        }
        return d;
    }
}
