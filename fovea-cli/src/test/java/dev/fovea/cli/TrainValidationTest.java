package dev.fovea.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fovea.io.ModelFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue 12, defects 4 and 5 and the report's provenance: image folders without a test split. */
class TrainValidationTest {
    @TempDir
    Path tmp;

    /**
     * Defects 4 and 5: --limit on a folder without a test split trains (it crashed), holds out a
     * seeded 10% for validation, says so in one line, and writes the report and plots; resuming
     * with --data FOLDER works too, and the report lists every command in order.
     */
    @Test
    void folderWithoutTestSplitValidatesOnASeededTenthAndReports() throws Exception {
        Path data = TinyFolders.flat(tmp.resolve("data"), 3, 10, 1);
        Path run = tmp.resolve("run");
        CliRun r = CliRun.of(TinyFolders.train(data, run, "--epochs", "1", "--limit", "20"));
        assertEquals(0, r.code(), r.err());
        long lines = r.err().lines().filter(l -> l.contains("no test split")).count();
        assertEquals(1, lines, r.err());
        assertTrue(r.err().contains("a seeded 10% of the training images is held out (--validation 0.1;"), r.err());
        // 20 images drawn, 10% of them (2) held out.
        assertTrue(r.err().contains("on 18 images (" + data + "), validating on 2 images"), r.err());
        assertTrue(r.err().contains("trained 1 epoch in"), "singular: " + r.err());
        // One step: all JIT warm-up, so no rate is claimed (issue 12, defect 10).
        assertTrue(r.err().contains("(too few steps to measure images/s after the first 10)"), r.err());
        assertEquals("1234 training images/s after the first 10 steps", TrainCommand.throughput(1234.4));
        assertTrue(r.out().contains("validation loss"), r.out());
        for (String f : List.of("report.html", "plots/loss.png", "plots/confusion_counts.png")) {
            assertTrue(Files.exists(run.resolve(f)), "missing " + f);
        }
        assertTrue(Files.readAllLines(run.resolve("history.csv")).get(0).contains("val_loss"));
        assertTrue(Files.readString(run.resolve("run.json")).contains("\"validation\":\"0.1\""));

        CliRun resumed = CliRun.of("train", "--resume", run.toString(), "--data", data.toString(), "--epochs", "3",
                "--limit", "20", "--horizontal-flip");
        assertEquals(0, resumed.code(), resumed.err());
        assertTrue(resumed.err().contains("trained 2 epochs in"), resumed.err());
        String html = Files.readString(run.resolve("report.html"));
        for (String row : List.of("optimizer", "learning_rate", "batch_size", "augmentation", "limit",
                "20 images per split", "horizontal_flip=true", "command 1 of 2", "command 2 of 2")) {
            assertTrue(html.contains(row), "report provenance lacks " + row);
        }
        assertTrue(html.indexOf("command 1 of 2") < html.indexOf("command 2 of 2"));
        assertTrue(html.indexOf("command 2 of 2") < html.indexOf("--resume " + run), "the resume is the second command");

        Map<String, Object> p = ModelFile.load(run.resolve("model.safetensors")).info().provenance();
        assertEquals(2, ((List<?>) p.get("commands")).size(), p.toString());
        assertEquals(8, ((Number) p.get("batch_size")).intValue());
        assertEquals(1, ((Number) p.get("seed")).intValue());
        assertEquals(3, ((Number) p.get("epochs")).intValue());
    }

    /** Defect 5: with no validation data at all, the report is still written, from the training data, and says so. */
    @Test
    void withoutValidationTheReportDescribesTheTrainingData() throws Exception {
        Path data = TinyFolders.flat(tmp.resolve("data"), 2, 5, 2);
        Path run = tmp.resolve("run");
        CliRun r = CliRun.of(TinyFolders.train(data, run, "--epochs", "1", "--validation", "none"));
        assertEquals(0, r.code(), r.err());
        assertFalse(r.err().contains("no test split"), "none was asked for: " + r.err());
        assertTrue(r.out().contains("training data loss"), r.out());
        String html = Files.readString(run.resolve("report.html"));
        assertTrue(html.contains("evaluated on its training data (no validation data)"), "heading");
        assertTrue(html.contains("training-data loss (no validation data)"), "key figure");
        assertTrue(Files.exists(run.resolve("plots/confusion_counts.png")));
    }
}
