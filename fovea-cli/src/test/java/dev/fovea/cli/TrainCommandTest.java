package dev.fovea.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fovea.io.ModelFile;
import dev.fovea.io.ReferenceFiles;
import dev.fovea.nn.Param;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code fovea train} end to end on the shared sample images: run folder, report, resume. */
class TrainCommandTest {
    static Path sample() {
        return ReferenceFiles.dir().getParent().getParent().resolve("datasets").resolve("cifar10-images-sample");
    }

    static String[] args(Path out, String... more) {
        List<String> a = new ArrayList<>(List.of("train", "--data", sample().toString(), "--limit", "96",
                "--batch-size", "32", "--verbose", "2", "--seed", "3", "--out", out.toString()));
        a.addAll(List.of(more));
        return a.toArray(new String[0]);
    }

    @Test
    void writesTheRunFolderAndResumesToMoreEpochs(@TempDir Path tmp) throws Exception {
        Path run = tmp.resolve("run");
        CliRun r = CliRun.of(args(run, "--epochs", "1"));
        assertEquals(0, r.code(), r.err());
        for (String f : List.of("model.safetensors", "checkpoint.safetensors", "history.csv", "run.json",
                "report.html", "plots/loss.png", "plots/accuracy.png", "plots/confusion_counts.png")) {
            assertTrue(Files.exists(run.resolve(f)), "missing " + f + "; stderr: " + r.err());
        }
        assertTrue(r.err().contains("Epoch 1/1"), r.err());
        assertTrue(r.out().contains("validation loss"), r.out());
        String html = Files.readString(run.resolve("report.html"));
        assertTrue(html.contains("Total params: 2,397,226"), "summary in the report");
        assertFalse(html.contains("http://") || html.contains("https://"), "no external assets");

        CliRun second = CliRun.of("train", "--resume", run.toString(), "--epochs", "2", "--horizontal-flip",
                "--width-shift", "0.1", "--no-report");
        assertEquals(0, second.code(), second.err());
        assertTrue(second.err().contains("Epoch 2/2"), second.err());
        List<String> csv = Files.readAllLines(run.resolve("history.csv"));
        assertEquals(3, csv.size(), csv.toString());
        assertTrue(csv.get(0).startsWith("epoch,accuracy,loss,val_accuracy,val_loss"), csv.get(0));
        assertTrue(Files.readString(run.resolve("run.json")).contains("\"horizontal_flip\":true"));
    }

    /** A process killed after its first epoch, resumed, ends with the weights of an uninterrupted run. */
    @Test
    void killedProcessResumesToIdenticalWeights(@TempDir Path tmp) throws Exception {
        Path straight = tmp.resolve("straight");
        assertEquals(0, CliRun.of(args(straight, "--epochs", "3", "--no-report")).code());

        Path killed = tmp.resolve("killed");
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-modules", "jdk.incubator.vector", "-cp", System.getProperty("java.class.path"),
                Main.class.getName()));
        cmd.addAll(List.of(args(killed, "--epochs", "3", "--no-report")));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(tmp.resolve("child.log").toFile()).start();
        // The checkpoint appears (atomically renamed into place) when the first epoch is done.
        Path checkpoint = killed.resolve("checkpoint.safetensors");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (p.isAlive() && System.nanoTime() < deadline && !Files.exists(checkpoint)) {
            Thread.sleep(20);
        }
        p.destroyForcibly().waitFor();
        assertTrue(Files.exists(killed.resolve("checkpoint.safetensors")),
                "the child wrote no checkpoint: " + Files.readString(tmp.resolve("child.log")));

        CliRun resumed = CliRun.of("train", "--resume", killed.toString(), "--no-report");
        assertEquals(0, resumed.code(), resumed.err());
        Map<String, Param> a = ModelFile.load(straight.resolve("model.safetensors")).model().namedParams();
        Map<String, Param> b = ModelFile.load(killed.resolve("model.safetensors")).model().namedParams();
        assertEquals(a.keySet(), b.keySet());
        for (String k : a.keySet()) {
            assertArrayEquals(a.get(k).value(), b.get(k).value(), k);
        }
    }

    @Test
    void limitDrawsFromEveryClassNotTheFirstFolders() {
        var train = dev.fovea.data.DataSources.load(sample().toString(), dev.fovea.data.ImageFolder.Options.defaults(),
                System.err).train();
        var small = TrainCommand.limit(train, 96, 3);
        assertEquals(96, small.size());
        for (int count : small.classCounts()) {
            assertTrue(count > 0, java.util.Arrays.toString(small.classCounts()));
        }
        assertEquals(java.util.Arrays.toString(small.labels()),
                java.util.Arrays.toString(TrainCommand.limit(train, 96, 3).labels()), "seeded");
    }

    @Test
    void badOptionsFailWithoutAStackTrace(@TempDir Path tmp) {
        CliRun r = CliRun.of(args(tmp.resolve("x"), "--model", "resnet-9000"));
        assertEquals(2, r.code());
        assertTrue(r.err().contains("--model resnet-9000: neither a preset (tutorial-cnn, fast, fast-small)"), r.err());
        assertFalse(r.err().contains("\tat "), r.err());

        CliRun v = CliRun.of(args(tmp.resolve("y"), "--validation", "1.5"));
        assertEquals(2, v.code());
        assertTrue(v.err().contains("--validation 1.5: expected test, none, or a fraction"), v.err());

        CliRun res = CliRun.of("train", "--resume", tmp.resolve("nothing").toString());
        assertEquals(2, res.code());
        assertTrue(res.err().contains("--resume " + tmp.resolve("nothing") + ": no such folder; pass the run folder"), res.err());
    }
}
