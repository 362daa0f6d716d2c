package dev.fovea.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fovea.FoveaException;
import dev.fovea.tensor.Rng;
import dev.fovea.tensor.Shape;
import dev.fovea.tensor.Tensor;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The inference plan computes what the model computes: every preset and a branching, nested
 * model, with their BatchNormalization layers given non-trivial moving statistics (fresh ones are
 * mean 0, variance 1, which would hide a wrong fold), at batch 1 and larger. Tolerance: 1e-5 of
 * each output row's largest magnitude (folding a BatchNormalization into a kernel rounds each
 * weight once more); fused epilogues alone must give the same bits.
 */
class InferencePlanTest {
    private static final double TOL = 1e-5;

    /** Moving means in [−0.5, 0.5), variances in [0.25, 2.25), gamma and beta random (gamma > 0 unless negative). */
    static void randomizeStatistics(Model m, long seed, boolean negativeGamma) {
        Rng r = new Rng(seed);
        for (Map.Entry<String, Param> e : m.namedParams().entrySet()) {
            float[] v = e.getValue().value();
            String name = e.getKey();
            for (int i = 0; i < v.length; i++) {
                float u = r.nextFloat();
                if (name.endsWith("/moving_mean")) {
                    v[i] = u - 0.5f;
                } else if (name.endsWith("/moving_variance")) {
                    v[i] = 0.25f + 2f * u;
                } else if (name.endsWith("/gamma")) {
                    v[i] = (negativeGamma && i % 3 == 1 ? -1f : 1f) * (0.5f + u);
                } else if (name.endsWith("/beta") || name.endsWith("/bias")) {
                    v[i] = u - 0.5f;
                }
            }
        }
    }

    static Tensor images(Rng r, int n, int h, int w, int c) {
        Tensor x = Tensor.zeros(n, h, w, c);
        for (int i = 0; i < x.size(); i++) {
            x.data()[i] = r.nextFloat() * 2f - 1f;
        }
        return x;
    }

    static void assertClose(float[] expected, float[] actual, int rowLength, String what) {
        assertEquals(expected.length, actual.length, what);
        for (int r = 0; r < expected.length / rowLength; r++) {
            double scale = 0;
            for (int j = 0; j < rowLength; j++) {
                scale = Math.max(scale, Math.abs(expected[r * rowLength + j]));
            }
            for (int j = 0; j < rowLength; j++) {
                int i = r * rowLength + j;
                if (!(Math.abs(expected[i] - actual[i]) <= TOL * scale)) {
                    throw new AssertionError(what + ": row " + r + " column " + j + " expected " + expected[i]
                            + ", received " + actual[i] + " (allowed " + TOL * scale + ")");
                }
            }
        }
    }

    private static void check(Model m, int h, int w, int c, long seed) {
        InferencePlan plan = InferencePlan.of(m);
        Rng r = new Rng(seed);
        int classes = m.outputShape().dim(-1);
        for (int n : new int[]{1, 5, 33}) {
            Tensor x = images(r, n, h, w, c);
            float[] want = m.forward(x, false).data().clone();
            float[] got = plan.forward(x).data().clone();
            assertClose(want, got, classes, m.name() + " batch " + n);
            // A second call (buffers reused) gives the same result.
            assertArrayEquals(got, plan.forward(x).data(), "second call, batch " + n);
        }
    }

    @Test
    void tutorialCnnFusesReluAndBatchNormIntoItsConvolutions() {
        Model m = Presets.create("tutorial-cnn", 32, 32, 3, 10);
        randomizeStatistics(m, 1, true);
        check(m, 32, 32, 3, 2);
        List<String> d = InferencePlan.of(m).describe();
        assertEquals(6, d.size(), d.toString());
        assertTrue(d.get(0).startsWith("conv2d: ") && d.get(0).contains("epilogue RELU + batch_normalization"),
                d.toString());
    }

    @Test
    void fastPresetsFoldBatchNormAndFuseGelu() {
        for (String preset : new String[]{"fast", "fast-small"}) {
            Model m = Presets.create(preset, 32, 32, 3, 10);
            randomizeStatistics(m, 3, false);
            check(m, 32, 32, 3, 4);
            String all = String.join("\n", InferencePlan.of(m).describe());
            // conv → pool → BN (no scale: k > 0) folds before the pool; conv → BN → GELU fuses whole.
            assertTrue(all.contains("(moved before max_pooling2d)"), all);
            assertTrue(all.contains("epilogue GELU + batch_normalization_1 + activation_2"), all);
        }
    }

    @Test
    void aNegativeScaleKeepsBatchNormAfterThePool() {
        SymbolicTensor in = Input.of(8, 8, 3);
        SymbolicTensor x = new Conv2D(Conv2D.Config.of(16, 3).padding(Padding.SAME)).apply(in);
        x = new MaxPooling2D(2).apply(x);
        x = new BatchNormalization().apply(x);
        x = new Flatten().apply(x);
        Model m = Model.of(in, new Dense(4).apply(x));
        randomizeStatistics(m, 5, true);
        check(m, 8, 8, 3, 6);
        assertEquals(List.of("conv2d: " + InferencePlan.of(m).describe().get(0).substring(8)),
                InferencePlan.of(m).describe());
        assertTrue(!InferencePlan.of(m).describe().get(0).contains("batch_normalization"));
    }

    @Test
    void aBranchingNestedModelMatches() {
        SymbolicTensor innerIn = Input.of(8, 8, 16);
        SymbolicTensor ix = new Conv2D(16, 3, Padding.SAME, ActivationFunction.LINEAR).apply(innerIn);
        ix = new BatchNormalization().apply(ix);
        ix = new Activation(ActivationFunction.RELU).apply(ix);
        Model inner = Model.of("block", innerIn, ix);

        SymbolicTensor in = Input.of(8, 8, 3);
        SymbolicTensor a = new Conv2D(16, 3, Padding.SAME, ActivationFunction.RELU).apply(in);
        // a feeds two layers: nothing may be fused into its convolution's output.
        SymbolicTensor b = new BatchNormalization().apply(a);
        SymbolicTensor c = inner.apply(a);
        SymbolicTensor s = new Add().apply(b, c);
        SymbolicTensor t = new Concatenate().apply(s, a);
        SymbolicTensor y = new Conv2D(Conv2D.Config.of(8, 1)).apply(t);
        y = new BatchNormalization().apply(y);
        y = new GlobalAveragePooling2D().apply(y);
        Model m = Model.of(in, new Dense(5, ActivationFunction.SOFTMAX).apply(y));
        randomizeStatistics(m, 7, true);
        check(m, 8, 8, 3, 8);
        String all = String.join("\n", InferencePlan.of(m).describe());
        assertTrue(all.contains("conv2d: ") && !all.contains("conv2d: DIRECT, epilogue RELU +"), all);
        assertTrue(all.contains("block/conv2d"), all);
    }

    @Test
    void aPlanIsASnapshotAndChecksItsInput() {
        Model m = Presets.create("tutorial-cnn", 32, 32, 3, 10);
        InferencePlan plan = InferencePlan.of(m);
        Tensor x = images(new Rng(9), 2, 32, 32, 3);
        float[] before = plan.forward(x).data().clone();
        m.namedParams().get("conv2d/kernel").value()[0] += 1f;
        assertArrayEquals(before, plan.forward(x).data(), "a plan keeps the weights it was made with");
        FoveaException e = assertThrows(FoveaException.class, () -> plan.forward(Tensor.zeros(Shape.of(1, 16, 16, 3))));
        assertTrue(e.getMessage().contains("expects input of shape (None, 32, 32, 3)"), e.getMessage());
    }

    @Test
    void aRefreshedPlanComputesWhatANewPlanComputesInTheSameBuffers() {
        Model m = Presets.create("fast-small", 32, 32, 3, 10);
        randomizeStatistics(m, 3, false);
        InferencePlan plan = InferencePlan.of(m);
        Tensor x = images(new Rng(4), 3, 32, 32, 3);
        float[] before = plan.forward(x).data().clone();
        // Training moves weights and moving statistics: change a kernel, a bias, a moving mean
        // and variance, each of a layer the plan folds or fuses.
        m.namedParams().get("conv2d/kernel").value()[5] += 0.25f;
        m.namedParams().get("conv2d_2/kernel").value()[7] -= 0.5f;
        m.namedParams().get("batch_normalization/moving_mean").value()[1] += 0.3f;
        m.namedParams().get("batch_normalization_3/moving_variance").value()[2] *= 2f;
        m.namedParams().get("dense/kernel").value()[0] += 1f;
        float[] fresh = InferencePlan.of(m).forward(x).data().clone();
        assertTrue(!java.util.Arrays.equals(before, fresh), "the changes reach the output");
        assertClose(m.forward(x, false).data().clone(), fresh, 10, "a new plan");
        assertSame(plan, plan.refresh());
        assertArrayEquals(fresh, plan.forward(x).data(), "a refreshed plan gives a new plan's bits");
    }
}
