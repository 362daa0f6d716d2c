package dev.fovea.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import dev.fovea.io.ModelFile;
import dev.fovea.nn.ActivationFunction;
import dev.fovea.nn.Conv2D;
import dev.fovea.nn.Dense;
import dev.fovea.nn.Dropout;
import dev.fovea.nn.Flatten;
import dev.fovea.nn.Input;
import dev.fovea.nn.MaxPooling2D;
import dev.fovea.nn.Model;
import dev.fovea.nn.Padding;
import dev.fovea.nn.SymbolicTensor;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A checkpoint saves and restores the RNG state of a Dropout inside a nested model, so a
 * resumed run of such a model ends with the weights of an uninterrupted one, bit for bit (as
 * {@link TrainerTest} checks for a flat model).
 */
class NestedModelResumeTest {

    /** conv → pool → flatten → [head: Dropout → Dense(relu) → Dropout → Dense(softmax)]. */
    static Model withDropoutInANestedHead(long seed) {
        Model head = Model.sequential("head", Input.of(128), List.of(new Dropout(0.25f),
                new Dense(16, ActivationFunction.RELU), new Dropout(0.5f), new Dense(4, ActivationFunction.SOFTMAX)));
        SymbolicTensor x = Input.of(8, 8, 3);
        SymbolicTensor h = new Conv2D(8, 3, Padding.SAME, ActivationFunction.RELU).apply(x);
        h = new Flatten().apply(new MaxPooling2D(2).apply(h));
        Model m = Model.of(x, head.apply(h));
        m.initialize(seed);
        return m;
    }

    @Test
    void aDropoutInsideANestedModelResumesBitIdentical(@TempDir Path tmp) {
        ArrayFeed data = ArrayFeed.blobs(80, 4, TrainerTest.SAMPLE, 3);
        Trainer straight = TrainerTest.trainer(withDropoutInANestedHead(7));
        straight.fit(data, TrainerTest.quiet(3));

        Trainer first = TrainerTest.trainer(withDropoutInANestedHead(7));
        first.fit(data, TrainerTest.quiet(1));
        Path ckpt = tmp.resolve("checkpoint.safetensors");
        first.saveCheckpoint(ckpt);

        // As a new process would: the model rebuilt from the file (its nested model included),
        // and, built in code with another seed, one whose weights and every Dropout's stream
        // can only come from the checkpoint.
        for (Model rebuilt : List.of(ModelFile.load(ckpt).model(), withDropoutInANestedHead(99))) {
            Trainer resumed = TrainerTest.trainer(rebuilt);
            resumed.restoreCheckpoint(ckpt);
            resumed.fit(data, TrainerTest.quiet(2));
            float[][] a = TrainerTest.weights(straight.model());
            float[][] b = TrainerTest.weights(resumed.model());
            for (int i = 0; i < a.length; i++) {
                assertArrayEquals(a[i], b[i], "parameter " + i);
            }
            assertEquals(TrainerTest.withoutTimes(straight.history()), TrainerTest.withoutTimes(resumed.history()));
        }
    }

    /** The checkpoint names each Dropout's state by its path, nested ones under their model. */
    @Test
    void theCheckpointNamesNestedDropoutStatesByPath(@TempDir Path tmp) {
        Trainer t = TrainerTest.trainer(withDropoutInANestedHead(3));
        t.fit(ArrayFeed.blobs(32, 4, TrainerTest.SAMPLE, 3), TrainerTest.quiet(1));
        Path ckpt = tmp.resolve("checkpoint.safetensors");
        t.saveCheckpoint(ckpt);
        String json = dev.fovea.io.SafeTensors.read(ckpt).metadata().get("fovea.checkpoint");
        java.util.Map<String, Object> meta = dev.fovea.io.ModelFile.parse(ckpt, json,
                new com.fasterxml.jackson.core.type.TypeReference<>() { });
        @SuppressWarnings("unchecked")
        java.util.Map<String, Object> rng = (java.util.Map<String, Object>) meta.get("rng");
        assertEquals(List.of("head/dropout", "head/dropout_1"), List.copyOf(rng.keySet()));
        // Each a state the layer reached by drawing: not the state it was built with.
        Model fresh = withDropoutInANestedHead(3);
        long built = ((Dropout) fresh.namedLayers().get("head/dropout")).rngState();
        assertNotEquals(built, ((Number) rng.get("head/dropout")).longValue());
        assertEquals(((Dropout) t.model().namedLayers().get("head/dropout_1")).rngState(),
                ((Number) rng.get("head/dropout_1")).longValue());
    }
}
