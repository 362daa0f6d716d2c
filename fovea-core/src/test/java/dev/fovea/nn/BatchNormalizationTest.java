package dev.fovea.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.fovea.FoveaException;
import dev.fovea.tensor.Rng;
import dev.fovea.tensor.Shape;
import dev.fovea.tensor.Tensor;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BatchNormalizationTest {
    @Test
    void trainingGradientsMatchFiniteDifferences() {
        GradCheck.check(PoolingLayersTest.named(new BatchNormalization(), "batch_normalization"),
                Shape.of(5, 7, 3), 2, 61);
        // Rank-2 (N, C) input, as after a Dense layer.
        GradCheck.check(PoolingLayersTest.named(new BatchNormalization(), "batch_normalization_1"),
                Shape.of(6), 5, 62);
        GradCheck.check(PoolingLayersTest.named(new BatchNormalization(BatchNormalization.Config.defaults()
                .momentum(0.9f).center(false).scale(false)),
                "batch_normalization_2"), Shape.of(5, 7, 3), 2, 63);
    }

    @Test
    void parametersComeInKerasOrderWithKerasInitialValues() {
        BatchNormalization bn = new BatchNormalization();
        bn.build(Shape.of(4, 4, 2), new Rng(0));
        List<Param> ps = bn.params();
        assertEquals(List.of("gamma", "beta", "moving_mean", "moving_variance"),
                ps.stream().map(Param::name).toList());
        assertEquals(List.of(true, true, false, false), ps.stream().map(Param::trainable).toList());
        assertEquals(1f, ps.get(0).value()[1]);
        assertEquals(0f, ps.get(1).value()[1]);
        assertEquals(0f, ps.get(2).value()[1]);
        assertEquals(1f, ps.get(3).value()[1]);
        BatchNormalization bare = new BatchNormalization(BatchNormalization.Config.defaults().center(false));
        bare.build(Shape.of(3), new Rng(0));
        assertEquals(List.of("gamma", "moving_mean", "moving_variance"),
                bare.params().stream().map(Param::name).toList());
    }

    @Test
    void trainingUsesBatchStatisticsAndMovesTheMovingOnes() {
        BatchNormalization bn = new BatchNormalization(BatchNormalization.Config.defaults().momentum(0.9f).epsilon(0.01f));
        bn.build(Shape.of(1), new Rng(0));
        bn.params().get(0).value()[0] = 2f; // gamma
        bn.params().get(1).value()[0] = 1f; // beta
        Tensor x = new Tensor(Shape.of(4, 1), new float[]{1, 2, 3, 6});
        float[] y = bn.forward(x, true).data().clone();
        // mean 3, biased variance (4 + 1 + 0 + 9)/4 = 3.5
        double inv = 1 / Math.sqrt(3.5 + 0.01);
        assertEquals(2 * (1 - 3) * inv + 1, y[0], 1e-6);
        assertEquals(2 * (6 - 3) * inv + 1, y[3], 1e-6);
        assertEquals(0.1 * 3, bn.params().get(2).value()[0], 1e-6);
        assertEquals(0.9 + 0.1 * 3.5, bn.params().get(3).value()[0], 1e-6);
        // Inference uses the moving statistics (0.3, 1.25).
        float[] yi = bn.forward(x, false).data();
        assertEquals(2 * (6 - 0.3) / Math.sqrt(1.25 + 0.01) + 1, yi[3], 1e-5);
    }

    @Test
    void backwardAfterAnInferenceForwardTreatsTheMovingStatisticsAsConstants() {
        BatchNormalization bn = PoolingLayersTest.named(new BatchNormalization(
                BatchNormalization.Config.defaults().epsilon(0.01f)), "batch_normalization");
        bn.build(Shape.of(1), new Rng(0));
        List<Param> ps = bn.params();
        ps.get(0).value()[0] = 2f;    // gamma
        ps.get(1).value()[0] = 1f;    // beta
        ps.get(2).value()[0] = 0.3f;  // moving_mean
        ps.get(3).value()[0] = 1.25f; // moving_variance
        Tensor x = new Tensor(Shape.of(4, 1), new float[]{1, 2, 3, 6});
        bn.forward(x, false);
        float[] dy = {1, -1, 0.5f, 2};
        float[] dx = bn.backward(new Tensor(Shape.of(4, 1), dy)).data();
        // y = (x − 0.3)·inv·2 + 1 with inv = 1/√(1.25 + 0.01): dy/dx = 2·inv, dy/dgamma = (x − 0.3)·inv.
        double inv = 1 / Math.sqrt(1.26);
        for (int i = 0; i < 4; i++) {
            assertEquals(dy[i] * 2 * inv, dx[i], 1e-6);
        }
        double dgamma = (1 * 0.7 - 1 * 1.7 + 0.5 * 2.7 + 2 * 5.7) * inv;
        assertEquals(dgamma, ps.get(0).grad()[0], 1e-5);
        assertEquals(2.5, ps.get(1).grad()[0], 1e-6);
    }

    @Test
    void configAndValidation() {
        BatchNormalization bn = new BatchNormalization(BatchNormalization.Config.defaults().momentum(0.9f).epsilon(1e-5f));
        assertEquals("BatchNormalization", bn.typeName());
        Map<String, Object> c = bn.config();
        assertEquals(0.9f, c.get("momentum"));
        assertEquals(1e-5f, c.get("epsilon"));
        assertEquals(-1, c.get("axis"));
        assertEquals(true, c.get("center"));
        FoveaException e = assertThrows(FoveaException.class,
                () -> new BatchNormalization(BatchNormalization.Config.defaults().momentum(1.5f)));
        assertEquals("BatchNormalization: momentum must be in [0, 1], received 1.5; Keras's default is 0.99",
                e.getMessage());
        e = assertThrows(FoveaException.class,
                () -> new BatchNormalization(BatchNormalization.Config.defaults().epsilon(0f)));
        assertEquals("BatchNormalization: epsilon must be positive, received 0.0; Keras's default is 0.001",
                e.getMessage());
        BatchNormalization named = PoolingLayersTest.named(new BatchNormalization(), "batch_normalization_3");
        e = assertThrows(FoveaException.class, () -> named.build(Shape.of(4, 0), new Rng(0)));
        assertEquals("batch_normalization_3: expects input of rank 2 or more with at least one channel on the last"
                + " axis, received input of shape (None, 4, 0)", e.getMessage());
    }
}
