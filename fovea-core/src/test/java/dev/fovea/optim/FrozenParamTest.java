package dev.fovea.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fovea.nn.Param;
import dev.fovea.tensor.Shape;
import java.util.List;
import java.util.OptionalDouble;
import org.junit.jupiter.api.Test;

/** Optimizers leave frozen parameters bit-identical, weight decay included, and pick them up again when unfrozen. */
class FrozenParamTest {

    private static Param param(String name, float value, float grad) {
        Param p = new Param(name, Shape.of(3), true);
        for (int i = 0; i < 3; i++) {
            p.value()[i] = value + i;
            p.grad()[i] = grad * (i + 1);
        }
        return p;
    }

    @Test
    void aFrozenParameterIsNotUpdatedByAnyOptimizer() {
        for (Optimizer opt : List.of(new SGD(0.1, 0.9, true, 0.01), new SGD(0.1), new Adam(new Constant(0.1), 0.9, 0.999,
                1e-7, 0.01), new AdamW(0.1, 0.05))) {
            Param frozen = param("frozen", 1f, 0.5f);
            Param trained = param("trained", 1f, 0.5f);
            frozen.setFrozen(true);
            float[] before = frozen.value().clone();
            // Its own decay too: a group decay must not move it either.
            List<ParamGroup> groups = List.of(new ParamGroup(List.of(frozen), 64, OptionalDouble.of(0.2)),
                    new ParamGroup(List.of(trained)));
            for (int s = 0; s < 3; s++) {
                opt.step(groups);
            }
            assertArrayEquals(before, frozen.value(), 0f, opt + ": frozen parameter moved");
            for (int i = 0; i < 3; i++) {
                assertTrue(trained.value()[i] < 1f + i, opt + ": the trained parameter should move down its gradient");
            }
        }
    }

    /**
     * Frozen for 2 steps, then unfrozen: its first update is a first step from a zero momentum
     * (PyTorch's behaviour when a parameter without a gradient is skipped). Nesterov, Keras's
     * form, by hand: w ← w − w·wd·lr, then with v = 0: step = −g·lr, v = step, w ← w + step + v·μ.
     */
    @Test
    void anUnfrozenParameterStartsFromItsUntouchedSlots() {
        SGD sgd = new SGD(0.1, 0.9, true, 0.01);
        Param p = param("p", 2f, 0.5f);
        Param other = param("other", 1f, 1f);
        List<ParamGroup> groups = List.of(new ParamGroup(List.of(p, other)));
        p.setFrozen(true);
        sgd.step(groups);
        sgd.step(groups);
        assertArrayEquals(new float[3], sgd.state().get("momentum/0"), 0f, "slots of a frozen parameter stay as they were");
        assertTrue(sgd.state().containsKey("momentum/1"));
        p.setFrozen(false);
        float[] w = p.value().clone();
        sgd.step(groups);
        for (int i = 0; i < 3; i++) {
            float decayed = w[i] - w[i] * 0.01f * 0.1f;
            float step = -p.grad()[i] * 0.1f;
            assertEquals(decayed + (step + step * 0.9f), p.value()[i], 0f, "element " + i);
        }
    }

    @Test
    void frozenIsAStateSeparateFromTrainable() {
        Param stats = new Param("moving_mean", Shape.of(2), false);
        assertFalse(stats.updatable());
        stats.setFrozen(false);
        assertFalse(stats.updatable(), "unfreezing never makes a non-trainable parameter trainable");
        Param w = new Param("kernel", Shape.of(2), true);
        assertTrue(w.updatable());
        w.setFrozen(true);
        assertTrue(w.trainable() && w.frozen() && !w.updatable());
    }
}
