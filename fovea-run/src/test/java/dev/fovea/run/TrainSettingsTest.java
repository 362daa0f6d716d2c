package dev.fovea.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fovea.FoveaException;
import dev.fovea.optim.ExponentialRamp;
import dev.fovea.optim.Optimizer;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code --lr}: a number, or auto (the learning-rate range test before the run). */
class TrainSettingsTest {
    @Test
    void lrAutoLeavesTheRateToBeFoundAndRecordsThatItWas() {
        TrainSettings s = TrainSettings.parse("--lr", "auto");
        assertTrue(s.lrAuto());
        assertNull(s.lr());
        assertEquals(1e-3, s.rate()); // adam's default until the test has run
        TrainSettings found = s.withLr(3.2e-3);
        assertEquals(3.2e-3, found.lr());
        assertEquals(true, found.toMap().get("lr_auto"));
        assertEquals(3.2e-3, found.toMap().get("lr"));
        // Every other value is kept.
        Map<String, Object> before = s.toMap();
        Map<String, Object> after = found.toMap();
        before.remove("lr");
        after.remove("lr");
        assertEquals(before, after);

        TrainSettings plain = TrainSettings.parse("--lr", "0.05", "--optimizer", "sgd");
        assertFalse(plain.lrAuto());
        assertEquals(0.05, plain.lr());
        assertEquals(false, plain.toMap().get("lr_auto"));
        assertTrue(TrainSettings.parse("--lr", "AUTO").lrAuto());
    }

    @Test
    void aResumedRunKeepsItsFoundRateUnlessAskedAgain() {
        Map<String, Object> saved = Map.of("model", "tutorial-cnn", "lr", 0.004, "lr_auto", true);
        TrainSettings.Options o = new TrainSettings.Options();
        TrainSettings s = o.resolve(saved);
        assertEquals(0.004, s.lr());
        assertTrue(s.lrAuto());
        // An older run.json has no lr_auto key.
        TrainSettings old = new TrainSettings.Options().resolve(Map.of("model", "tutorial-cnn", "lr", 0.002));
        assertFalse(old.lrAuto());
    }

    @Test
    void aRateThatIsNeitherANumberNorAutoIsRefused() {
        FoveaException e = assertThrows(FoveaException.class, () -> TrainSettings.parse("--lr", "fast"));
        assertTrue(e.getMessage().contains("--lr fast: expected a number such as 0.001, or auto"), e.getMessage());
        e = assertThrows(FoveaException.class, () -> TrainSettings.parse("--lr", "-1"));
        assertTrue(e.getMessage().startsWith("--lr"), e.getMessage());
    }

    @Test
    void theRangeTestsOptimizerIsTheRunsKindWithTheRampForItsRate() {
        TrainSettings s = TrainSettings.parse("--optimizer", "sgd", "--momentum", "0.8", "--lr", "0.1");
        Optimizer o = s.optimizer(new ExponentialRamp(1e-6, 1, 50));
        assertEquals("sgd", o.name());
        assertEquals(1e-6, o.learningRate(), 1e-18);
        assertEquals("adamw", TrainSettings.parse("--optimizer", "adamw").optimizer(new ExponentialRamp(1e-6, 1, 50))
                .name());
    }
}
