package dev.fovea.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fovea.run.OutputFolder;
import dev.fovea.run.RunFolder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.LocalDateTime;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue 12, defects 3, 7 and 8: run folders are never clobbered, resumable from anywhere, checked before work. */
class TrainRunFolderTest {
    @TempDir
    Path tmp;

    /** Defect 3: a non-empty run folder is refused (files untouched) unless --resume or --overwrite. */
    @Test
    void nonEmptyRunFolderIsRefusedUnlessOverwrite() throws Exception {
        Path data = TinyFolders.flat(tmp.resolve("data"), 3, 6, 1);
        Path run = tmp.resolve("run");
        CliRun first = CliRun.of(TinyFolders.train(data, run, "--epochs", "1", "--no-report"));
        assertEquals(0, first.code(), first.err());
        byte[] model = Files.readAllBytes(run.resolve("model.safetensors"));

        CliRun again = CliRun.of(TinyFolders.train(data, run, "--epochs", "1", "--seed", "2", "--no-report"));
        assertEquals(2, again.code(), again.err());
        assertTrue(again.err().contains("the run folder " + run + " is not empty (it holds checkpoint.safetensors,"),
                again.err());
        assertTrue(again.err().contains("pass --resume " + run + " to continue that run, or --overwrite to replace it"),
                again.err());
        assertArrayEquals(model, Files.readAllBytes(run.resolve("model.safetensors")), "model untouched");

        Files.writeString(run.resolve("report.html"), "an old report");
        CliRun over = CliRun.of(TinyFolders.train(data, run, "--epochs", "1", "--seed", "2", "--no-report",
                "--overwrite"));
        assertEquals(0, over.code(), over.err());
        assertFalse(java.util.Arrays.equals(model, Files.readAllBytes(run.resolve("model.safetensors"))));
        assertFalse(Files.exists(run.resolve("report.html")), "the old report no longer describes the model");
    }

    /**
     * Issue 20, defect 3: a run stopped before its first checkpoint (Ctrl-C twice) leaves only
     * run.json. Re-running into the folder points to --resume, and --resume starts the recorded
     * run again and says so; it used to answer "no checkpoint.safetensors there", a circle.
     */
    @Test
    void aRunWithoutACheckpointResumesAsAFreshStartOfItsRecordedRun() throws Exception {
        Path data = TinyFolders.flat(tmp.resolve("data"), 3, 6, 1);
        Path run = tmp.resolve("run");
        CliRun first = CliRun.of(TinyFolders.train(data, run, "--epochs", "2", "--no-report", "--seed", "3"));
        assertEquals(0, first.code(), first.err());
        var trained = dev.fovea.io.ModelFile.load(run.resolve("model.safetensors")).model().namedParams();
        for (String f : new String[]{"model.safetensors", "checkpoint.safetensors", "history.csv"}) {
            Files.delete(run.resolve(f));
        }

        CliRun again = CliRun.of(TinyFolders.train(data, run, "--epochs", "2", "--no-report"));
        assertEquals(2, again.code(), again.err());
        assertTrue(again.err().contains("pass --resume " + run + " to start its recorded run again (it stopped before"
                + " its first checkpoint), or --overwrite to replace it"), again.err());

        CliRun resumed = CliRun.of("train", "--resume", run.toString());
        assertEquals(0, resumed.code(), resumed.err());
        assertTrue(resumed.err().contains("--resume " + run + ": the run stopped before its first checkpoint (there is"
                + " no checkpoint.safetensors), so it starts again from epoch 1 with the settings recorded in "
                + run.resolve("run.json")), resumed.err());
        var again2 = dev.fovea.io.ModelFile.load(run.resolve("model.safetensors")).model().namedParams();
        assertEquals(trained.keySet(), again2.keySet());
        trained.forEach((name, p) -> assertArrayEquals(p.value(), again2.get(name).value(),
                name + ": the recorded run (seed 3, 2 epochs), trained again from scratch, gives the same weights"));
        assertEquals(3, Files.readAllLines(run.resolve("history.csv")).size(), "header and 2 epochs");
    }

    /** Defect 3: the default folder is runs/MODEL-yyyyMMdd-HHmmss, with a suffix when taken. */
    @Test
    void defaultRunFolderIsUniquePerModelAndTime() throws Exception {
        LocalDateTime t = LocalDateTime.of(2026, 1, 2, 3, 4, 5);
        Path a = RunFolder.uniqueFolder(tmp, "tutorial-cnn", t);
        assertEquals(tmp.resolve("tutorial-cnn-20260102-030405"), a);
        Files.createDirectories(a);
        assertEquals(tmp.resolve("tutorial-cnn-20260102-030405-2"), RunFolder.uniqueFolder(tmp, "tutorial-cnn", t));
        assertEquals(tmp.resolve("small-20260102-030405"),
                RunFolder.uniqueFolder(tmp, "/models/small.safetensors", t));
    }

    /**
     * Defect 7: run.json keeps absolute paths and the data's SHA-256; resuming from elsewhere
     * works, and missing or different data fails naming run.json and --data.
     */
    @Test
    void runJsonHoldsAbsoluteDataAndResumeChecksIt() throws Exception {
        Path data = TinyFolders.flat(tmp.resolve("data"), 3, 6, 1);
        Path run = tmp.resolve("run");
        // Relative to the folder the tests run in, as a user typing a relative path.
        String relative = Path.of("").toAbsolutePath().relativize(data).toString();
        CliRun first = CliRun.of("train", "--data", relative, "--epochs", "1", "--batch-size", "8", "--verbose", "0",
                "--no-report", "--out", run.toString());
        assertEquals(0, first.code(), first.err());
        JsonNode rec = new ObjectMapper().readTree(run.resolve("run.json").toFile());
        assertEquals(data.toAbsolutePath().normalize().toString(), rec.get("data").asText());
        assertEquals(ProvenanceDigest.sha256(data), rec.get("data_decoded_sha256").asText());

        Path moved = tmp.resolve("moved");
        Files.move(data, moved);
        CliRun missing = CliRun.of("train", "--resume", run.toString(), "--epochs", "2", "--no-report");
        assertEquals(2, missing.code(), missing.err());
        assertTrue(missing.err().contains(run.resolve("run.json").toString()), missing.err());
        assertTrue(missing.err().contains(data.toAbsolutePath().normalize() + ") does not exist"), missing.err());
        assertTrue(missing.err().contains("pass --data PATH"), missing.err());

        TinyFolders.flat(tmp.resolve("other"), 3, 6, 99);
        CliRun other = CliRun.of("train", "--resume", run.toString(), "--data", tmp.resolve("other").toString(),
                "--epochs", "2", "--no-report");
        assertEquals(2, other.code(), other.err());
        assertTrue(other.err().contains("is not the data this run was trained on"), other.err());
        assertTrue(other.err().contains(run.resolve("run.json") + " records"), other.err());
        assertTrue(other.err().contains("pass --data PATH with the original data"), other.err());

        CliRun ok = CliRun.of("train", "--resume", run.toString(), "--data", moved.toString(), "--epochs", "2",
                "--no-report");
        assertEquals(0, ok.code(), ok.err());
        assertEquals(moved.toString(), new ObjectMapper().readTree(run.resolve("run.json").toFile()).get("data").asText());
    }

    /** Defects 8 and 12: an unusable output folder or missing data fails before any training, creating nothing. */
    @Test
    void outputFolderIsCheckedBeforeTrainingAndNothingIsLeftBehind() throws Exception {
        Path data = TinyFolders.flat(tmp.resolve("data"), 2, 4, 1);
        Path file = Files.writeString(tmp.resolve("a-file"), "x");
        CliRun r = CliRun.of(TinyFolders.train(data, file.resolve("run"), "--epochs", "1"));
        assertNotEquals(0, r.code());
        assertTrue(r.err().contains("cannot create the folder " + file.resolve("run") + " (--out): " + file
                + " is a file, not a folder; choose another --out"), r.err());
        assertFalse(r.err().contains("training "), "no training started: " + r.err());

        CliRun ev = CliRun.of("evaluate", "--model", "whatever.safetensors", "--data", data.toString(), "--report",
                file.resolve("rep").toString());
        assertEquals(2, ev.code());
        assertTrue(ev.err().contains("cannot create the folder " + file.resolve("rep") + " (--report)"), ev.err());

        Path out = tmp.resolve("never");
        CliRun noData = CliRun.of(TinyFolders.train(tmp.resolve("no-such-data"), out, "--epochs", "1"));
        assertNotEquals(0, noData.code(), noData.err());
        assertTrue(noData.err().contains("data not found"), noData.err());
        assertFalse(Files.exists(out), "a missing --data leaves no run folder behind");
    }

    /** Defect 8 with permissions (root ignores them, so CI as root skips this one). */
    @Test
    void readOnlyFolderIsReportedAsNotWritable() throws Exception {
        assumeFalse("root".equals(System.getProperty("user.name")), "root can write into read-only folders");
        Path data = TinyFolders.flat(tmp.resolve("data"), 2, 4, 1);
        Path ro = Files.createDirectories(tmp.resolve("rodir"));
        Files.setPosixFilePermissions(ro, PosixFilePermissions.fromString("r-xr-xr-x"));
        try {
            CliRun r = CliRun.of(TinyFolders.train(data, ro.resolve("run"), "--epochs", "1"));
            assertNotEquals(0, r.code());
            assertTrue(r.err().contains(ro + " is not writable (permission denied); choose another --out"), r.err());
        } finally {
            Files.setPosixFilePermissions(ro, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
    }

    /** Defect 8: the causes Java hides behind a bare path, in words (a full disk cannot be staged in a test). */
    @Test
    void writeFailureReasonsAreSpelledOut() {
        assertEquals("the disk is full (No space left on device)", OutputFolder.reason(
                new java.nio.file.FileSystemException("/x/model.safetensors", null, "No space left on device")));
        assertEquals("permission denied", OutputFolder.reason(new java.nio.file.AccessDeniedException("/x")));
        assertEquals("the file system is read-only", OutputFolder.reason(
                new java.nio.file.FileSystemException("/x", null, "Read-only file system")));
        assertEquals("/x/y is a file, not a folder",
                OutputFolder.reason(new java.nio.file.FileAlreadyExistsException("/x/y")));
        OutputFolder.WriteFailure e = OutputFolder.failure("cannot write", Path.of("/x/run/model.safetensors"), "--out",
                new java.nio.file.FileSystemException("/x/run/model.safetensors", null, "No space left on device"));
        assertEquals("cannot write /x/run/model.safetensors: the disk is full (No space left on device); choose"
                + " another --out (a folder you can write to, on a disk with free space)", e.getMessage());
    }
}
