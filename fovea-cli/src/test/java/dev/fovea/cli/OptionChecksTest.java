package dev.fovea.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue 12, defect 9: nonsense values are refused before anything is read or written, in one wording. */
class OptionChecksTest {
    @TempDir
    Path tmp;

    private static void refused(CliRun r, String message) {
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains(message), r.err());
        assertFalse(r.err().contains("\tat "), r.err());
    }

    @Test
    void zeroAndNegativeCountsAreRefusedByEveryCommand() throws Exception {
        Path data = TinyFolders.flat(tmp.resolve("data"), 2, 4, 1);
        Path out = tmp.resolve("run");
        refused(CliRun.of(TinyFolders.train(data, out, "--limit", "0")),
                "--limit 0: expected a whole number ≥ 1 (images of each split; omit --limit to use them all), received 0");
        refused(CliRun.of(TinyFolders.train(data, out, "--limit", "-3")), "--limit -3: expected a whole number ≥ 1");
        refused(CliRun.of(TinyFolders.train(data, out, "--epochs", "0")), "--epochs 0: expected a number > 0");
        refused(CliRun.of(TinyFolders.train(data, out, "--lr", "-1")), "--lr -1: expected a number > 0");
        refused(CliRun.of(TinyFolders.train(data, out, "--verbose", "7")), "--verbose 7: expected a whole number from 0 to 2");
        assertFalse(Files.exists(out), "nothing written");
        refused(CliRun.of("bench", "--batch-size", "0"), "--batch-size 0: expected a whole number ≥ 1 (images per training step)");
        refused(CliRun.of("bench", "--steps", "0"), "--steps 0: expected a whole number ≥ 1");
        refused(CliRun.of("evaluate", "--model", "m.safetensors", "--data", data.toString(), "--limit", "0"),
                "--limit 0: expected a whole number ≥ 1");
        refused(CliRun.of("evaluate", "--model", "m.safetensors", "--data", data.toString(), "--batch-size", "0"),
                "--batch-size 0: expected a whole number ≥ 1");
        refused(CliRun.of("summary", "--model", "tutorial-cnn", "--classes", "0"), "--classes 0: expected a whole number ≥ 1");
        refused(CliRun.of("explain", "--model", "tutorial-cnn", "--classes", "0"), "--classes 0: expected a whole number ≥ 1");
        refused(CliRun.of("data", "show", data.toString(), "--count", "0"), "--count 0: expected a whole number from 1 to 1024");
    }

    /** --epochs at or below what a run already trained refuses and leaves every file as it was. */
    @Test
    void resumeWithFewerEpochsRefusesAndTouchesNothing() throws Exception {
        Path data = TinyFolders.flat(tmp.resolve("data"), 2, 4, 1);
        Path run = tmp.resolve("run");
        CliRun first = CliRun.of(TinyFolders.train(data, run, "--epochs", "2"));
        assertEquals(0, first.code(), first.err());
        List<String> files = List.of("model.safetensors", "checkpoint.safetensors", "run.json", "history.csv",
                "report.html");
        byte[][] before = new byte[files.size()][];
        long[] times = new long[files.size()];
        for (int i = 0; i < files.size(); i++) {
            before[i] = Files.readAllBytes(run.resolve(files.get(i)));
            times[i] = Files.getLastModifiedTime(run.resolve(files.get(i))).toMillis();
        }
        for (String epochs : List.of("1", "2")) {
            refused(CliRun.of("train", "--resume", run.toString(), "--epochs", epochs),
                    "already trained 2 epochs; pass --epochs greater than 2");
        }
        refused(CliRun.of("train", "--resume", run.toString()), "already trained 2 epochs; pass --epochs greater than 2");
        refused(CliRun.of("train", "--resume", run.toString(), "--epochs", "3", "--model", "other.safetensors"),
                "--model other.safetensors with --resume " + run + ": a resumed run continues its own model (tutorial-cnn");
        for (int i = 0; i < files.size(); i++) {
            assertArrayEquals(before[i], Files.readAllBytes(run.resolve(files.get(i))), files.get(i));
            assertEquals(times[i], Files.getLastModifiedTime(run.resolve(files.get(i))).toMillis(), files.get(i));
        }
        CliRun same = CliRun.of("train", "--resume", run.toString(), "--epochs", "3", "--model", "tutorial-cnn",
                "--no-report", "--verbose", "0");
        assertEquals(0, same.code(), "naming the run's own model is fine: " + same.err());
    }
}
