package dev.fovea.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fovea.FoveaException;
import dev.fovea.nn.Param;
import dev.fovea.tensor.Shape;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@link SGD#absoluteDecay} (airbench's parametrization) and the {@link PiecewiseLinear} schedule. */
class SgdAbsoluteDecayTest {
    private static Param param(String name, float... values) {
        Param p = new Param(name, Shape.of(values.length), true);
        System.arraycopy(values, 0, p.value(), 0, values.length);
        return p;
    }

    private static void grad(Param p, float... g) {
        System.arraycopy(g, 0, p.grad(), 0, g.length);
    }

    @Test
    void nesterovStepsMatchHandArithmetic() {
        Param kernel = param("kernel", 1f);
        Param beta = param("beta", 1f);
        List<ParamGroup> groups = List.of(new ParamGroup(List.of(kernel)), new ParamGroup(List.of(beta), 64));
        SGD sgd = SGD.absoluteDecay(new Constant(0.01), 0.01, 0.5, true, 0.001);
        grad(kernel, 0.5f);
        grad(beta, 0.5f);
        sgd.step(groups);
        // kernel: g' = 0.5 + (0.001/0.01)·1 = 0.6, v = 0.6, w = 1 − 0.01·(0.6 + 0.5·0.6)
        assertEquals(0.991, kernel.value()[0], 1e-7);
        // beta at 64×: l2 = 0.001/0.64, g' = 0.5015625, v = g', w = 1 − 0.64·1.5·0.5015625
        assertEquals(0.5185, beta.value()[0], 1e-6);
        grad(kernel, 0.2f);
        sgd.step(groups);
        // g' = 0.2 + 0.1·0.991 = 0.2991, v = 0.5·0.6 + 0.2991 = 0.5991, d = 0.2991 + 0.5·0.5991
        assertEquals(0.991 - 0.01 * 0.59865, kernel.value()[0], 1e-7);
        assertEquals(List.of("momentum_buffer/0", "momentum_buffer/1"), List.copyOf(sgd.state().keySet()));
    }

    @Test
    void everyGroupDecaysByTheSameAbsoluteAmountFollowingTheSchedule() {
        Param a = param("kernel", 1f);
        Param b = param("beta", 1f);
        Param c = param("bias", 1f);
        List<ParamGroup> groups = List.of(new ParamGroup(List.of(a)), new ParamGroup(List.of(b), 64),
                new ParamGroup(List.of(c), 0.5));
        double base = 0.02;
        // rates 0.02, 0.01: with no gradient and no momentum, w ← w·(1 − wd·lr/base) in every group
        SGD sgd = SGD.absoluteDecay(new PiecewiseLinear(new double[] {0, 1}, new double[] {base, base / 2}), base,
                0, false, 0.1);
        sgd.step(groups);
        sgd.step(groups);
        double expected = (1 - 0.1) * (1 - 0.05);
        for (Param p : List.of(a, b, c)) {
            assertEquals(expected, p.value()[0], 1e-6, p.name());
        }
    }

    @Test
    void defaultSgdKeepsKerasDecoupledDecay() {
        Param p = param("kernel", 1f);
        new SGD(0.1, 0, false, 0.01).step(List.of(new ParamGroup(List.of(p), 2)));
        // Keras: w ← w − w·wd·lr_group, then the (zero) gradient step
        assertEquals(1 - 0.01 * 0.2, p.value()[0], 1e-7);
    }

    @Test
    void matchesTorchSgdWithTwoGroupsAndLambdaLr() throws IOException {
        JsonNode c;
        try (InputStream in = getClass().getResourceAsStream("sgd_absolute_decay.json")) {
            c = new ObjectMapper().readTree(in);
        }
        int steps = c.get("total_steps").asInt();
        double lr = c.get("lr").asDouble();
        Param a = param("kernel", floats(c.get("a")));
        Param b = param("beta", floats(c.get("b")));
        List<ParamGroup> groups = List.of(new ParamGroup(List.of(a)),
                new ParamGroup(List.of(b), c.get("multiplier").asDouble()));
        SGD sgd = SGD.absoluteDecay(PiecewiseLinear.warmupDecay(lr, steps, 0.23, 0.2, 0.07), lr,
                c.get("momentum").asDouble(), true, c.get("weight_decay").asDouble());
        for (int t = 0; t < steps; t++) {
            assertEquals(c.get("rates").get(t).asDouble(), sgd.learningRate(), 1e-15, "rate at step " + t);
            grad(a, floats(c.get("grads_a").get(t)));
            grad(b, floats(c.get("grads_b").get(t)));
            sgd.step(groups);
            assertClose(floats(c.get("after_a").get(t)), a.value(), "group 1 after step " + (t + 1));
            assertClose(floats(c.get("after_b").get(t)), b.value(), "group 2 (64x) after step " + (t + 1));
        }
    }

    @Test
    void resumedOptimizerContinuesBitIdenticallyAndRefusesKerasState() {
        float[][] grads = {{0.3f, -0.1f}, {0.2f, 0.4f}, {-0.5f, 0.1f}, {0.05f, 0.2f}};
        Param whole = param("kernel", 1f, -2f);
        SGD one = SGD.absoluteDecay(new Constant(0.1), 0.1, 0.85, true, 0.01);
        for (float[] g : grads) {
            grad(whole, g);
            one.step(List.of(new ParamGroup(List.of(whole))));
        }
        Param split = param("kernel", 1f, -2f);
        SGD first = SGD.absoluteDecay(new Constant(0.1), 0.1, 0.85, true, 0.01);
        for (int t = 0; t < 2; t++) {
            grad(split, grads[t]);
            first.step(List.of(new ParamGroup(List.of(split))));
        }
        Map<String, float[]> state = first.state();
        SGD second = SGD.absoluteDecay(new Constant(0.1), 0.1, 0.85, true, 0.01);
        second.load(state, first.iterations());
        for (int t = 2; t < 4; t++) {
            grad(split, grads[t]);
            second.step(List.of(new ParamGroup(List.of(split))));
        }
        assertEquals(Float.floatToIntBits(whole.value()[0]), Float.floatToIntBits(split.value()[0]));
        assertEquals(Float.floatToIntBits(whole.value()[1]), Float.floatToIntBits(split.value()[1]));

        SGD keras = new SGD(0.1, 0.85, true, 0);
        keras.load(state, 2);
        FoveaException e = assertThrows(FoveaException.class,
                () -> keras.step(List.of(new ParamGroup(List.of(param("kernel", 0f, 0f))))));
        assertTrue(e.getMessage().contains("momentum/0 should hold 2 values, found no entry"), e.getMessage());
        e = assertThrows(FoveaException.class, () -> SGD.absoluteDecay(new Constant(0.1), 0, 0.9, true, 0.01));
        assertTrue(e.getMessage().contains("received 0.0"), e.getMessage());
    }

    @Test
    void airbenchScheduleMatchesNumpyInterpByHand() {
        double base = 1.465e-3;
        PiecewiseLinear s = PiecewiseLinear.warmupDecay(base, 476, 0.23, 0.2, 0.07);
        // int(0.23·476) = int(109.48) = 109
        assertEquals(0.2 * base, s.at(0), 1e-18);
        assertEquals((0.2 + 0.8 * 50 / 109.0) * base, s.at(50), 1e-15);
        assertEquals(base, s.at(109), 1e-18);
        assertEquals((1 - 0.93 * (300 - 109) / 367.0) * base, s.at(300), 1e-15);
        assertEquals(0.07 * base, s.at(476), 1e-18);
        assertEquals(0.07 * base, s.at(500), 1e-18);
        FoveaException e = assertThrows(FoveaException.class,
                () -> new PiecewiseLinear(new double[] {0, 5, 5}, new double[] {1, 1, 1}));
        assertTrue(e.getMessage().contains("strictly increasing, received [0.0, 5.0, 5.0]"), e.getMessage());
    }

    private static float[] floats(JsonNode array) {
        float[] out = new float[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = (float) array.get(i).asDouble();
        }
        return out;
    }

    /** PyTorch's float32 kernels may fuse multiply-adds; the Java loop does not. */
    private static void assertClose(float[] expected, float[] actual, String what) {
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], actual[i], 2e-6 * Math.max(1, Math.abs(expected[i])), what + " [" + i + "]");
        }
    }
}
