package dev.fovea.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fovea.FoveaException;
import dev.fovea.nn.Param;
import dev.fovea.tensor.Shape;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

class OptimizerTest {
    private static final double TOL = 1e-6;

    private static Param param(String name, float... values) {
        Param p = new Param(name, Shape.of(values.length), true);
        System.arraycopy(values, 0, p.value(), 0, values.length);
        return p;
    }

    private static void setGrad(Param p, float... g) {
        System.arraycopy(g, 0, p.grad(), 0, g.length);
    }

    private static void assertClose(double expected, float actual, String what) {
        assertEquals(expected, actual, TOL * Math.max(1, Math.abs(expected)), what);
    }

    @Test
    void sgdPlainMatchesHandArithmetic() {
        Param p = param("kernel", 0.5f, -1f);
        List<ParamGroup> groups = List.of(new ParamGroup(List.of(p)));
        SGD sgd = new SGD(0.1);
        setGrad(p, 0.2f, -0.4f);
        sgd.step(groups);
        assertClose(0.5 - 0.1 * 0.2, p.value()[0], "w0 after 1");
        assertClose(-1 + 0.1 * 0.4, p.value()[1], "w1 after 1");
        setGrad(p, 1f, 0f);
        sgd.step(groups);
        assertClose(0.5 - 0.02 - 0.1, p.value()[0], "w0 after 2");
        assertEquals(2, sgd.iterations());
        assertTrue(sgd.state().isEmpty());
        assertEquals(0.01, new SGD().learningRate());
    }

    @Test
    void sgdMomentumAndNesterovMatchKerasRule() {
        double lr = 0.1;
        double mu = 0.9;
        double[] grads = {0.2, -0.5, 0.3};
        for (boolean nesterov : new boolean[] {false, true}) {
            Param p = param("kernel", 0.5f);
            SGD sgd = new SGD(lr, mu, nesterov, 0);
            double w = 0.5;
            double v = 0;
            for (int t = 0; t < 3; t++) {
                setGrad(p, (float) grads[t]);
                sgd.step(List.of(new ParamGroup(List.of(p))));
                v = mu * v - lr * grads[t];
                w += nesterov ? mu * v - lr * grads[t] : v;
                assertClose(w, p.value()[0], "nesterov=" + nesterov + " w after " + (t + 1));
                assertClose(v, sgd.state().get("momentum/0")[0], "velocity after " + (t + 1));
            }
        }
    }

    @Test
    void sgdDecoupledWeightDecayComesBeforeTheUpdate() {
        Param p = param("kernel", 2f);
        SGD sgd = new SGD(0.1, 0, false, 0.01);
        setGrad(p, 0.5f);
        sgd.step(List.of(new ParamGroup(List.of(p))));
        double w = 2 - 2 * 0.01 * 0.1 - 0.1 * 0.5;
        assertClose(w, p.value()[0], "after 1");
        sgd.step(List.of(new ParamGroup(List.of(p))));
        w = w - w * 0.01 * 0.1 - 0.1 * 0.5;
        assertClose(w, p.value()[0], "after 2");
    }

    /** Adam in double, written from the Keras 3 update rule. */
    private static double[] adamReference(double w, double[] grads, double lr, double wd) {
        double b1 = 0.9;
        double b2 = 0.999;
        double eps = 1e-7;
        double m = 0;
        double v = 0;
        double[] out = new double[grads.length];
        for (int t = 1; t <= grads.length; t++) {
            double g = grads[t - 1];
            w -= w * wd * lr;
            m = b1 * m + (1 - b1) * g;
            v = b2 * v + (1 - b2) * g * g;
            double alpha = lr * Math.sqrt(1 - Math.pow(b2, t)) / (1 - Math.pow(b1, t));
            w -= alpha * m / (Math.sqrt(v) + eps);
            out[t - 1] = w;
        }
        return out;
    }

    @Test
    void adamFirstStepsMatchHandArithmetic() {
        Param p = param("kernel", 0.5f);
        Adam adam = new Adam();
        double[] grads = {0.2, -0.1, 0.05};
        setGrad(p, 0.2f);
        adam.step(List.of(new ParamGroup(List.of(p))));
        // Step 1 in closed form: m = 0.1g, v = 0.001g², α = lr·√0.001/0.1, so
        // w − lr·g/(|g| + ε/√0.001).
        assertClose(0.5 - 0.001 * 0.2 / (0.2 + 1e-7 / Math.sqrt(0.001)), p.value()[0], "step 1 closed form");
        double[] expected = adamReference(0.5, grads, 0.001, 0);
        assertClose(expected[0], p.value()[0], "step 1");
        for (int t = 1; t < 3; t++) {
            setGrad(p, (float) grads[t]);
            adam.step(List.of(new ParamGroup(List.of(p))));
            assertClose(expected[t], p.value()[0], "step " + (t + 1));
        }
        assertClose(0.1 * 0.2 * 0.9 * 0.9 + 0.1 * -0.1 * 0.9 + 0.1 * 0.05, adam.state().get("m/0")[0], "m after 3");
        assertEquals(3, adam.iterations());
    }

    @Test
    void adamEpsilonIsAddedAsKerasDoesNotAsPyTorch() {
        // A gradient small enough for ε to matter: Keras's update is lr·g/(|g| + ε/√(1−β2)) =
        // 0.24·lr, where PyTorch's placement (ε on the bias-corrected √v̂) would give 0.91·lr.
        Param p = param("kernel", 0.5f);
        setGrad(p, 1e-6f);
        new Adam().step(List.of(new ParamGroup(List.of(p))));
        double expected = 0.5 - 0.001 * 1e-6 / (1e-6 + 1e-7 / Math.sqrt(0.001));
        assertEquals(expected, p.value()[0], 1e-7);
        assertEquals(0.5 - 0.001 * 0.24025307, expected, 1e-9);
    }

    @Test
    void adamWDefaultsDecayBeforeAdam() {
        Param p = param("kernel", 0.5f, -3f);
        AdamW adamw = new AdamW();
        assertEquals("adamw", adamw.name());
        double[] g0 = {0.2, 0.3, -0.4};
        double[] g1 = {-0.7, 0.1, 0.1};
        double[] e0 = adamReference(0.5, g0, 0.001, 0.004);
        double[] e1 = adamReference(-3, g1, 0.001, 0.004);
        for (int t = 0; t < 3; t++) {
            setGrad(p, (float) g0[t], (float) g1[t]);
            adamw.step(List.of(new ParamGroup(List.of(p))));
            assertClose(e0[t], p.value()[0], "w0 step " + (t + 1));
            assertClose(e1[t], p.value()[1], "w1 step " + (t + 1));
        }
    }

    @Test
    void groupsScaleLearningRateOverrideDecayAndSkipNonTrainable() {
        Param kernel = param("kernel", 1f);
        Param beta = param("beta", 1f);
        Param moving = new Param("moving_mean", Shape.of(2), false);
        moving.value()[0] = 3f;
        moving.grad()[1] = 5f;   // never read: the trainer leaves non-trainable grads alone
        setGrad(kernel, 0.5f);
        setGrad(beta, 0.5f);
        List<ParamGroup> groups = List.of(
                new ParamGroup(List.of(kernel, moving)),
                new ParamGroup(List.of(beta), 64, OptionalDouble.of(0)));
        SGD sgd = new SGD(0.01, 0.9, false, 0.1);
        sgd.step(groups);
        assertClose(1 - 1 * 0.1 * 0.01 - 0.01 * 0.5, kernel.value()[0], "kernel: decay + step");
        assertClose(1 - 0.64 * 0.5, beta.value()[0], "beta: 64× rate, no decay");
        assertArrayEquals(new float[] {3f, 0f}, moving.value());
        assertArrayEquals(new float[] {0f, 5f}, moving.grad());
        assertEquals(List.of("momentum/0", "momentum/2"), List.copyOf(sgd.state().keySet()));

        Param a = param("kernel", 0.5f);
        Adam adam = new Adam(new Constant(0.001), 0.9, 0.999, 1e-7, 0);
        setGrad(a, 0.2f);
        adam.step(List.of(new ParamGroup(List.of(a), 10)));
        assertClose(adamReference(0.5, new double[] {0.2}, 0.01, 0)[0], a.value()[0], "adam at 10× rate");
    }

    @Test
    void scheduleDrivesTheRateStepByStep() {
        Param p = param("kernel", 0f);
        SGD sgd = new SGD(new StepDecay(0.1, 0.5, 2), 0, false, 0);
        double w = 0;
        double[] rates = {0.1, 0.1, 0.05, 0.05, 0.025};
        for (double rate : rates) {
            assertEquals(rate, sgd.learningRate(), 1e-15);
            setGrad(p, 1f);
            sgd.step(List.of(new ParamGroup(List.of(p))));
            w -= rate;
            assertClose(w, p.value()[0], "after rate " + rate);
        }
    }

    private static void assertResumesIdentically(Supplier<Optimizer> factory) {
        Param a = param("kernel", 0.5f, -0.25f, 1.5f);
        Param frozen = new Param("moving_variance", Shape.of(1), false);
        Param b = param("bias", 0.1f);
        List<ParamGroup> groups = List.of(new ParamGroup(List.of(a, frozen)), new ParamGroup(List.of(b), 4));
        float[][] grads = {{0.3f, -0.2f, 0.1f, 0.05f}, {-0.1f, 0.4f, 0.2f, -0.3f}, {0.2f, 0.2f, -0.5f, 0.1f},
                {0.05f, -0.3f, 0.3f, 0.2f}, {-0.4f, 0.1f, 0.0f, 0.6f}};
        Optimizer first = factory.get();
        for (int t = 0; t < 3; t++) {
            setGrad(a, grads[t][0], grads[t][1], grads[t][2]);
            setGrad(b, grads[t][3]);
            first.step(groups);
        }
        Map<String, float[]> saved = first.state();
        long savedIterations = first.iterations();
        double savedRate = first.learningRate();
        float[] savedA = a.value().clone();
        float[] savedB = b.value().clone();
        for (int t = 3; t < 5; t++) {
            setGrad(a, grads[t][0], grads[t][1], grads[t][2]);
            setGrad(b, grads[t][3]);
            first.step(groups);
        }
        float[] endA = a.value().clone();
        float[] endB = b.value().clone();

        System.arraycopy(savedA, 0, a.value(), 0, savedA.length);
        System.arraycopy(savedB, 0, b.value(), 0, savedB.length);
        Optimizer resumed = factory.get();
        resumed.load(saved, savedIterations);
        assertEquals(savedRate, resumed.learningRate(), first.name());
        for (int t = 3; t < 5; t++) {
            setGrad(a, grads[t][0], grads[t][1], grads[t][2]);
            setGrad(b, grads[t][3]);
            resumed.step(groups);
        }
        assertArrayEquals(endA, a.value(), first.name());
        assertArrayEquals(endB, b.value(), first.name());
        assertEquals(first.iterations(), resumed.iterations());
        Map<String, float[]> s1 = first.state();
        Map<String, float[]> s2 = resumed.state();
        assertEquals(s1.keySet(), s2.keySet());
        s1.forEach((k, v) -> assertArrayEquals(v, s2.get(k), k));
    }

    @Test
    void saveRestoreContinuesBitIdentically() {
        assertResumesIdentically(() -> new SGD(new CosineDecay(0.1, 4), 0.9, true, 0.001));
        assertResumesIdentically(() -> new Adam(new LinearWarmup(new Constant(0.01), 2)));
        assertResumesIdentically(() -> new AdamW(new OneCycle(0.05, 5), 0.01));
    }

    @Test
    void loadRejectsStateOfAnotherModel() {
        Param p = param("kernel", 1f, 2f);
        Adam adam = new Adam();
        adam.load(Map.of("m/0", new float[3], "v/0", new float[3]), 7);
        setGrad(p, 1f, 1f);
        FoveaException e = assertThrows(FoveaException.class, () -> adam.step(List.of(new ParamGroup(List.of(p)))));
        assertEquals("adam: checkpoint state m/0 should hold 2 values, found 3 values; "
                + "the checkpoint was written for another model or optimizer", e.getMessage());

        SGD sgd = new SGD(0.1, 0.9, false, 0);
        sgd.step(List.of(new ParamGroup(List.of(p))));
        e = assertThrows(FoveaException.class, () -> sgd.load(Map.of("momentum/0", new float[2], "m/0", new float[2]), 1));
        assertTrue(e.getMessage().contains("unexpected entry m/0"), e.getMessage());
        e = assertThrows(FoveaException.class,
                () -> sgd.step(List.of(new ParamGroup(List.of(p, param("bias", 0f))))));
        assertTrue(e.getMessage().contains("step received 2 parameters"), e.getMessage());
        e = assertThrows(FoveaException.class, () -> new SGD(0.1, 1.5, false, 0));
        assertTrue(e.getMessage().contains("received 1.5"), e.getMessage());
    }
}
