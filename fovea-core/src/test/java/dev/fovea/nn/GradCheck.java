package dev.fovea.nn;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.fovea.tensor.Rng;
import dev.fovea.tensor.Shape;
import dev.fovea.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * Finite-difference gradient check for any {@link Layer}: the shared test helper every layer
 * test uses. The probe loss is L = Σ y·r for a fixed random r, so dL/dy = r; central differences
 * of L (summed in double) are compared with the backward pass for the input and for every
 * trainable parameter. Kernels run in float32, so the step is 1e-2 and the tolerance is loose
 * (2e-3 absolute + 2e-2 relative); points where the function has a kink inside the step (ReLU
 * at 0, ties in max pooling) are detected by comparing steps h and h/2 (a kink makes them
 * differ by far more than smooth curvature does) and skipped, and at most
 * 5% of the points may be skipped.
 */
public final class GradCheck {
    private static final double H = 1e-2;
    private static final double ATOL = 2e-3;
    private static final double RTOL = 2e-2;
    private static final double KINK_ATOL = 2e-4;
    private static final double KINK_RTOL = 5e-3;
    private static final int MAX_POINTS = 400;

    private GradCheck() {
    }

    /** Builds {@code layer} for {@code inputShape} (per sample) and checks a batch of {@code batch}. */
    public static void check(Layer layer, Shape inputShape, int batch, long seed) {
        Rng rng = new Rng(seed);
        Shape out = layer.build(inputShape, rng.split(1));
        Tensor x = Tensor.zeros(inputShape.withBatch(batch));
        Rng data = rng.split(2);
        for (int i = 0; i < x.size(); i++) {
            x.data()[i] = data.nextFloat() * 2f - 1f;
        }
        Tensor r = Tensor.zeros(out.withBatch(batch));
        for (int i = 0; i < r.size(); i++) {
            r.data()[i] = data.nextFloat() * 2f - 1f;
        }
        for (Param p : layer.params()) {
            java.util.Arrays.fill(p.grad(), 0f);
        }
        layer.forward(x, true);
        float[] dx = layer.backward(r).data().clone();
        List<float[]> grads = new ArrayList<>();
        for (Param p : layer.params()) {
            grads.add(p.grad().clone());
        }

        List<String> failures = new ArrayList<>();
        int[] counts = new int[2]; // checked, skipped
        compare(layer, x, r, x.data(), dx, "input", rng.split(3), failures, counts);
        List<Param> params = layer.params();
        for (int k = 0; k < params.size(); k++) {
            Param p = params.get(k);
            if (p.trainable()) {
                compare(layer, x, r, p.value(), grads.get(k), layer.name() + "/" + p.name(), rng.split(4 + k),
                        failures, counts);
            }
        }
        if (!failures.isEmpty()) {
            fail(layer.name() + ": " + failures.size() + " gradient mismatches, first: "
                    + String.join("; ", failures.subList(0, Math.min(5, failures.size()))));
        }
        assertTrue(counts[1] <= 0.05 * counts[0] + 1,
                "too many kinked points skipped: " + counts[1] + " of " + counts[0]);
    }

    private static void compare(Layer layer, Tensor x, Tensor r, float[] target, float[] analytic,
                                String what, Rng pick, List<String> failures, int[] counts) {
        int n = target.length;
        int points = Math.min(n, MAX_POINTS);
        double f0 = probe(layer, x, r);
        for (int t = 0; t < points; t++) {
            int i = n <= MAX_POINTS ? t : pick.nextInt(n);
            double[] full = sides(layer, x, r, target, i, H);
            double[] half = sides(layer, x, r, target, i, H / 2);
            double g1 = (full[0] - full[1]) / full[2];
            double g2 = (half[0] - half[1]) / half[2];
            // Second differences shrink with the step for smooth functions but stay near the
            // slope jump at a kink; central differences also drift when a kink lies between h/2 and h.
            double d1 = (full[0] - 2 * f0 + full[1]) / (full[2] / 2);
            double d2 = (half[0] - 2 * f0 + half[1]) / (half[2] / 2);
            counts[0]++;
            boolean kink = Math.abs(g1 - g2) > KINK_ATOL + KINK_RTOL * Math.abs(g2)
                    || (Math.abs(d2) > ATOL && Math.abs(d2) > 0.75 * Math.abs(d1));
            if (kink) {
                counts[1]++;
                continue;
            }
            double a = analytic[i];
            if (Math.abs(a - g2) > ATOL + RTOL * Math.max(Math.abs(a), Math.abs(g2))) {
                failures.add(what + "[" + i + "] analytic " + a + " numeric " + g2);
            }
        }
    }

    /** {f(v + h), f(v − h), the step actually taken in float32}. */
    private static double[] sides(Layer layer, Tensor x, Tensor r, float[] target, int i, double h) {
        float saved = target[i];
        float up = (float) (saved + h);
        float down = (float) (saved - h);
        target[i] = up;
        double plus = probe(layer, x, r);
        target[i] = down;
        double minus = probe(layer, x, r);
        target[i] = saved;
        return new double[]{plus, minus, (double) up - down};
    }

    private static double probe(Layer layer, Tensor x, Tensor r) {
        float[] y = layer.forward(x, true).data();
        float[] rd = r.data();
        double s = 0;
        for (int j = 0; j < y.length; j++) {
            s += (double) y[j] * rd[j];
        }
        return s;
    }
}
