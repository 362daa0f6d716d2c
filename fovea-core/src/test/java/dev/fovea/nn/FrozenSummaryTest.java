package dev.fovea.nn;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Frozen parameters count as non-trainable in the summary, as Keras counts a layer with trainable = False. */
class FrozenSummaryTest {
    @Test
    void frozenParametersAreCountedAsNonTrainable() {
        var x = Input.of(6, 6, 3);
        Conv2D whiten = new Conv2D(Conv2D.Config.of(24, 2));
        Model m = Model.of(x, new Dense(10).apply(new Flatten().apply(whiten.apply(x))));
        m.initialize(1);
        // kernel 2·2·3·24 = 288, bias 24, dense 5·5·24·10 + 10 = 6,010: 6,322 in all.
        String before = Summary.of(m);
        assertTrue(before.contains("Trainable params: 6,322 ") && before.contains("Non-trainable params: 0 "), before);
        whiten.kernel().setFrozen(true);
        String after = Summary.of(m);
        assertTrue(after.contains("Total params: 6,322 ") && after.contains("Trainable params: 6,034 ")
                && after.contains("Non-trainable params: 288 "), after);
    }
}
