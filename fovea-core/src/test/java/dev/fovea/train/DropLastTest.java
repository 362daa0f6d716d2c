package dev.fovea.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fovea.FoveaException;
import dev.fovea.data.Augmentation;
import dev.fovea.data.Dataset;
import dev.fovea.data.Normalization;
import dev.fovea.loss.SparseCategoricalCrossentropy;
import dev.fovea.nn.ActivationFunction;
import dev.fovea.nn.Dense;
import dev.fovea.nn.Flatten;
import dev.fovea.nn.Input;
import dev.fovea.nn.Model;
import dev.fovea.optim.SGD;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** {@link FitOptions#dropLast}: ⌊N/B⌋ steps of exactly B samples per epoch. */
class DropLastTest {
    /** 100 images of 2×2×1; image i holds the bytes i, i, i, i and label i % 2. */
    private static Dataset numbered() {
        byte[] px = new byte[100 * 4];
        int[] labels = new int[100];
        for (int i = 0; i < 100; i++) {
            java.util.Arrays.fill(px, i * 4, i * 4 + 4, (byte) i);
            labels[i] = i % 2;
        }
        return new Dataset(px, labels, List.of("even", "odd"), 2, 2, 1);
    }

    @Test
    void anEpochHasFloorNOverBFullBatches() {
        DataFeed data = new DataFeed(numbered(), Augmentation.none(), Normalization.scale(1), 3);
        Set<Integer> seen = new HashSet<>();
        try (Feed feed = data.training(0, 32, true, true)) {
            assertEquals(3, feed.steps());
            int batches = 0;
            for (Batch b = feed.next(); b != null; b = feed.next()) {
                assertEquals(32, b.size());
                for (int i = 0; i < b.size(); i++) {
                    assertTrue(seen.add(Math.round(b.x().data()[i * 4] * 255f)), "an image twice");
                }
                batches++;
            }
            assertEquals(3, batches);
        }
        assertEquals(96, seen.size());
        try (Feed keep = data.training(0, 32, true, false)) {
            assertEquals(4, keep.steps());
        }

        var x = Input.of(2, 2, 1);
        Model m = Model.of(x, new Dense(2, ActivationFunction.SOFTMAX).apply(new Flatten().apply(x)));
        m.initialize(1);
        Trainer t = new Trainer(m, new SGD(0.1), new SparseCategoricalCrossentropy());
        t.fit(data, new FitOptions().epochs(2).batchSize(32).dropLast(true).verbose(0));
        assertEquals(2 * 3, t.optimizer().iterations());
        t.fit(data, new FitOptions().epochs(1).batchSize(32).verbose(0));
        assertEquals(2 * 3 + 4, t.optimizer().iterations());
    }

    @Test
    void aSourceThatCannotDropSaysSo() {
        ArrayFeed data = ArrayFeed.blobs(20, 2, TrainerTest.SAMPLE, 1);
        FoveaException e = assertThrows(FoveaException.class, () -> data.training(0, 8, true, true));
        assertEquals("ArrayFeed cannot drop the last partial batch; train without dropLast, or feed a DataFeed",
                e.getMessage());
    }
}
