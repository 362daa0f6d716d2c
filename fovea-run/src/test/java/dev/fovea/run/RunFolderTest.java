package dev.fovea.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fovea.FoveaException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** run.json files written by earlier versions read in today's keys, so their runs resume. */
class RunFolderTest {
    @TempDir
    Path tmp;

    /** An earlier fovea train's data_sha256 (the decoded training split) is the hash a resume checks. */
    @Test
    void anEarlierFoveaTrainsDataHashIsTheDecodedOne() throws Exception {
        Files.writeString(tmp.resolve(RunFolder.FILE), "{\"model\":\"tutorial-cnn\",\"data\":\"/d\",\"epochs\":2,"
                + "\"data_sha256\":\"abc123\",\"augmentation\":{\"width_shift\":0.1},\"commands\":[\"fovea train\"]}");
        Map<String, Object> saved = RunFolder.read(tmp);
        assertEquals("abc123", saved.get("data_decoded_sha256"));
        assertFalse(saved.containsKey("data_sha256"));
        assertEquals(Map.of("width_shift", 0.1), saved.get("augmentation"), "today's key, kept as it was");
        RunFolder.checkSameData(tmp, saved, "abc123", "/d");
        FoveaException e = assertThrows(FoveaException.class, () -> RunFolder.checkSameData(tmp, saved, "ffff", "/e"));
        assertTrue(e.getMessage().contains("is not the data this run was trained on (SHA-256 ffff…, but "
                + tmp.resolve(RunFolder.FILE) + " records abc123… for /d)"), e.getMessage());
    }

    /**
     * An earlier fovea spark train wrote augment (tutorial: Keras's 10% shifts and flips) and
     * recorded adamw's default decay as 0; with sgd its 0 was a real 0.
     */
    @Test
    void anEarlierSparkTrainsAugmentAndAdamwDecayRead() {
        Map<String, Object> tutorial = RunFolder.upgrade(Map.of("augment", "tutorial", "optimizer", "adamw",
                "weight_decay", 0.0));
        assertEquals(Map.of("width_shift", 0.1, "height_shift", 0.1, "horizontal_flip", true),
                tutorial.get("augmentation"));
        assertEquals(0.004, tutorial.get("weight_decay"));
        assertFalse(tutorial.containsKey("augment"));
        Map<String, Object> none = RunFolder.upgrade(Map.of("augment", "none", "optimizer", "sgd", "weight_decay", 0.0));
        assertEquals(Map.of(), none.get("augmentation"));
        assertEquals(0.0, none.get("weight_decay"));
        // Today's files are left as they are: adamw with an explicit 0 stays 0.
        Map<String, Object> today = RunFolder.upgrade(Map.of("augmentation", Map.of(), "optimizer", "adamw",
                "weight_decay", 0.0));
        assertEquals(0.0, today.get("weight_decay"));
    }
}
