package dev.fovea.run;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fovea.FoveaException;
import dev.fovea.nn.Activation;
import dev.fovea.nn.ActivationFunction;
import dev.fovea.nn.Conv2D;
import dev.fovea.nn.Dense;
import dev.fovea.nn.Flatten;
import dev.fovea.nn.GlobalAveragePooling2D;
import dev.fovea.nn.Input;
import dev.fovea.nn.Model;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** --new-head: the last Dense layer gets one output per class; every other weight is kept. */
class NewHeadTest {
    private static Model model(boolean activationAfter) {
        var in = Input.of(6, 6, 3);
        var x = new Conv2D(4, 3, dev.fovea.nn.Padding.VALID, ActivationFunction.RELU).apply(in);
        x = new Flatten().apply(x);
        x = activationAfter ? new Dense(10).apply(x) : new Dense(10, ActivationFunction.SOFTMAX).apply(x);
        Model m = Model.of(in, activationAfter ? new Activation(ActivationFunction.SOFTMAX).apply(x) : x);
        m.initialize(7);
        return m;
    }

    @Test
    void theLastDenseGetsOneOutputPerClassAndEverythingElseIsKept() {
        for (boolean after : new boolean[]{false, true}) {
            Model m = model(after);
            List<String> said = new ArrayList<>();
            Model h = NewHead.fit(m, 3, 0, "m.safetensors", said::add);
            assertEquals("(None, 3)", h.outputShape().toBatchString());
            assertArrayEquals(m.namedParams().get("conv2d/kernel").value(), h.namedParams().get("conv2d/kernel").value());
            assertArrayEquals(m.namedParams().get("conv2d/bias").value(), h.namedParams().get("conv2d/bias").value());
            assertEquals("(64, 3)", h.namedParams().get("dense/kernel").shape().toString());
            assertTrue(h.endsInSoftmax(), "the head's softmax stays");
            assertEquals(List.of("new head: dense (Dense) now has 3 outputs instead of 10, one per class of the data,"
                    + " its weights new (seed 0); every other layer's come from m.safetensors"), said);
        }
        Model m = model(false);
        List<String> said = new ArrayList<>();
        assertSame(m, NewHead.fit(m, 10, 0, "m.safetensors", said::add));
        assertTrue(said.get(0).startsWith("new head: not needed, m.safetensors already has 10 outputs"), said.get(0));
    }

    @Test
    void aModelNotEndingInDenseIsRefused() {
        var in = Input.of(6, 6, 3);
        var x = new Conv2D(10, 3, dev.fovea.nn.Padding.VALID, ActivationFunction.LINEAR).apply(in);
        Model m = Model.of(in, new GlobalAveragePooling2D().apply(x));
        FoveaException e = assertThrows(FoveaException.class, () -> NewHead.fit(m, 3, 0, "m.safetensors", s -> { }));
        assertEquals("--new-head: the last layer of m.safetensors before its output is 'global_average_pooling2d', a"
                + " GlobalAveragePooling2D; --new-head replaces a Dense layer (the classifier); fine-tune on data with 10"
                + " classes instead", e.getMessage());
    }
}
