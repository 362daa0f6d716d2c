package dev.fovea.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 20 ("What a new user still trips on"), as the person met it: {@code ./fovea} in an
 * 80×24 pseudo-terminal ({@link Pty}), the assertions on what the screen shows. An
 * integration test: it runs the packaged jar through the launcher, after {@code package}.
 */
class TerminalScreenIT {
    @TempDir
    Path tmp;

    /** The rows of the output, the empty prompt row after the last line left out. */
    private static List<String> lines(Pty p) {
        List<String> rows = p.rows();
        int n = rows.size();
        while (n > 0 && rows.get(n - 1).isEmpty()) {
            n--;
        }
        return rows.subList(0, n);
    }

    private static void noFoldedRows(Pty p) {
        assertEquals(List.of(), p.folded(), "rows the terminal folded mid-word:\n" + p.text());
    }

    /** Defect 2: a mistyped value or option is the error and the help command, all on one screen. */
    @Test
    void aMistypedNumberIsTheErrorAndTheHelpCommandNotAScreenOfUsage() throws Exception {
        Pty epochs = Pty.run(tmp, 60, "train", "--epochs", "abc");
        assertEquals(2, epochs.exitCode(), epochs.text());
        assertEquals(List.of("error: --epochs abc: expected a number (total epochs of the run, may be",
                "  fractional as 9.9), received 'abc'",
                "for the options of train, run: ./fovea help train"), lines(epochs));
        noFoldedRows(epochs);

        Pty batch = Pty.run(tmp, 60, "train", "--batch-size", "1.5");
        assertEquals(2, batch.exitCode(), batch.text());
        assertEquals(List.of("error: --batch-size 1.5: expected a whole number (images per training step),",
                "  received '1.5'", "for the options of train, run: ./fovea help train"), lines(batch));

        Pty option = Pty.run(tmp, 60, "train", "--epoch", "1");
        assertEquals(2, option.exitCode(), option.text());
        assertEquals(List.of("error: fovea train has no option --epoch; did you mean --epochs?",
                "for the options of train, run: ./fovea help train"), lines(option));
        assertTrue(!option.text().contains("'1'"), option.text());
    }

    /** Defect 7: a README passed as the model is called what it is, first, with what to pass instead. */
    @Test
    void aFileThatIsNotAModelIsSaidToBeNoneFirst() throws Exception {
        Path image = TrainedModel.SAMPLE.resolve("val/cat/0100.jpg");
        Pty p = Pty.run(Pty.LAUNCHER.getParent(), 60, "predict", "--model", "README.md", image.toString());
        assertEquals(2, p.exitCode(), p.text());
        List<String> l = lines(p);
        assertTrue(l.get(0).startsWith("error: README.md is not a Fovea model file: it is text (it begins '#"), p.text());
        assertTrue(p.unwrapped().contains("pass a .safetensors model written by 'fovea train' (RUN/model.safetensors)"),
                p.text());
        assertTrue(!p.text().contains("header length"), p.text());
        noFoldedRows(p);
    }

    /** Defect 10: a mistyped --data gets the closest name in its folder. */
    @Test
    void aMistypedDataPathSuggestsTheClosestName() throws Exception {
        Path datasets = dev.fovea.io.ReferenceFiles.datasets();
        Pty p = Pty.run(datasets, 60, "data", "info", "../datasets/cifar10-binary");
        assertEquals(2, p.exitCode(), p.text());
        assertTrue(p.unwrapped().startsWith("error: data not found: ../datasets/cifar10-binary does not exist; did you"
                + " mean ../datasets/cifar-10-binary.tar.gz?"), p.text());
        noFoldedRows(p);
    }

    /** Defect 10: a Grad-CAM overlay's file name depends on its image only, not on the other images given. */
    @Test
    void gradCamFileNamesDoNotDependOnTheOtherImages() throws Exception {
        Path model = TrainedModel.write(tmp.resolve("m.safetensors"));
        Path cat = TrainedModel.SAMPLE.resolve("val/cat/0100.jpg");
        Path dog = TrainedModel.SAMPLE.resolve("val/dog/0100.jpg");
        Pty alone = Pty.run(tmp, 120, "explain", "--grad-cam", "--model", model.toString(), "--image", cat.toString(),
                "--out", tmp.resolve("alone").toString());
        assertEquals(0, alone.exitCode(), alone.text());
        Pty both = Pty.run(tmp, 120, "explain", "--grad-cam", "--model", model.toString(), "--image", dog.toString(),
                cat.toString(), "--out", tmp.resolve("both").toString());
        assertEquals(0, both.exitCode(), both.text());
        List<String> one = names(tmp.resolve("alone"));
        List<String> two = names(tmp.resolve("both"));
        assertEquals(1, one.size(), one.toString());
        assertTrue(two.contains(one.get(0)), "cat/0100.jpg's overlay: " + one + " alone, " + two + " beside dog/0100.jpg");
        noFoldedRows(alone);
        noFoldedRows(both);
    }

    private static List<String> names(Path dir) throws Exception {
        try (var s = java.nio.file.Files.list(dir)) {
            return s.map(f -> f.getFileName().toString()).sorted().toList();
        }
    }

    private static final Path CIFAR = dev.fovea.io.ReferenceFiles.datasets().resolve("cifar-10-binary.tar.gz");

    /** A tiny tutorial-cnn run on CIFAR-10: 640 images of each split, batches of 32, so 20 steps an epoch. */
    private static String[] train(Path out, String... more) {
        List<String> a = new java.util.ArrayList<>(List.of("train", "--data", CIFAR.toString(), "--limit", "640",
                "--no-report", "--out", out.toString()));
        a.addAll(List.of(more));
        return a.toArray(new String[0]);
    }

    /** The largest step the bar has been redrawn at so far. */
    private static int barStep(Pty p) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\r\\s*(\\d+)/20 ").matcher(p.raw());
        int step = 0;
        while (m.find()) {
            step = Math.max(step, Integer.parseInt(m.group(1)));
        }
        return step;
    }

    /**
     * Defect 3: Ctrl-C twice before the first checkpoint leaves only run.json; the second press
     * names the command that still works, re-running into the folder points to it, and
     * --resume starts the recorded run again and says so.
     */
    @Test
    void aRunStoppedBeforeItsFirstCheckpointResumesAsAFreshStart() throws Exception {
        Path run = tmp.resolve("run");
        Pty first = Pty.start(tmp, train(run, "--epochs", "1", "--batch-size", "64"));
        assertTrue(first.waitFor(p -> p.raw().contains("/10 "), 300), "no bar: " + first.text());
        first.type(3);
        Thread.sleep(100);
        first.type(3);
        first.waitFor(p -> false, 120);
        assertEquals(130, first.exitCode(), first.text());
        assertEquals(List.of("run.json"), names(run), first.text());
        assertTrue(first.unwrapped().contains("interrupted again: exiting without saving this epoch; ./fovea train"
                + " --resume " + run + " continues from the last epoch's checkpoint, or starts the run again if it"
                + " has none"), first.text());
        noFoldedRows(first);

        Pty again = Pty.run(tmp, 120, train(run, "--epochs", "1", "--batch-size", "64"));
        assertEquals(2, again.exitCode(), again.text());
        assertTrue(again.unwrapped().contains("pass --resume " + run + " to start its recorded run again (it stopped"
                + " before its first checkpoint), or --overwrite to replace it"), again.text());
        noFoldedRows(again);

        Pty resumed = Pty.run(tmp, 300, "train", "--resume", run.toString());
        assertEquals(0, resumed.exitCode(), resumed.text());
        assertTrue(resumed.unwrapped().contains("--resume " + run + ": the run stopped before its first checkpoint"
                + " (there is no checkpoint.safetensors), so it starts again from epoch 1 with the settings recorded in "
                + run.resolve("run.json")), resumed.text());
        assertTrue(java.nio.file.Files.isRegularFile(run.resolve("model.safetensors")), resumed.text());
        noFoldedRows(resumed);
    }

    /**
     * Defect 6: a resumed run says where it resumes, draws the bar at the batches already done
     * before any batch runs, and gives the run's time left beside the epoch's. Defect 4: the
     * header, the bar, the epoch's last line and the checkpoint lines never fold.
     */
    @Test
    void aResumedRunSaysWhereItResumesAndShowsTheBarAtOnce() throws Exception {
        Path run = tmp.resolve("run");
        Pty first = Pty.start(tmp, train(run, "--epochs", "2"));
        assertTrue(first.waitFor(p -> barStep(p) >= 6, 300), "no bar at step 6: " + first.text());
        first.type(3);
        first.waitFor(p -> false, 120);
        assertEquals(130, first.exitCode(), first.text());
        assertTrue(first.text().contains("(run "), "the run's time left beside the epoch's:\n" + first.text());
        java.util.regex.Matcher stop = java.util.regex.Pattern.compile("stopped at epoch 1, after batch (\\d+)")
                .matcher(first.text());
        assertTrue(stop.find(), first.text());
        int done = Integer.parseInt(stop.group(1));

        Pty resumed = Pty.run(tmp, 300, "train", "--resume", run.toString());
        assertEquals(0, resumed.exitCode(), resumed.text());
        String text = resumed.unwrapped();
        assertTrue(text.contains("resuming epoch 1 at batch " + (done + 1) + " of 20 (2 epochs in all): tutorial-cnn on"
                + " 640 images"), resumed.text());
        String raw = resumed.raw();
        int header = raw.indexOf("Epoch 1/2, resuming at batch " + (done + 1) + " of 20");
        assertTrue(header >= 0, resumed.text());
        java.util.regex.Matcher firstBar = java.util.regex.Pattern.compile("\r\\s*(\\d+)/20 ").matcher(raw);
        assertTrue(firstBar.find(header), resumed.text());
        assertEquals(done, Integer.parseInt(firstBar.group(1)), "the first bar shows the batches already done:\n"
                + resumed.text());
        assertTrue(raw.substring(header).contains("(run "), "the run's time left:\n" + resumed.text());
        assertTrue(text.contains("trained from epoch 1, batch " + (done + 1) + " to the end of epoch 2 in "), resumed.text());
        noFoldedRows(first);
        noFoldedRows(resumed);
    }

    /** Defect 4: evaluate's tables, summary of every preset, predict, explain and data info fit 80 columns. */
    @Test
    void everyTableAndLineFitsEightyColumns() throws Exception {
        Path model = TrainedModel.write(tmp.resolve("m.safetensors"));
        Path sample = TrainedModel.SAMPLE;
        List<String[]> commands = new java.util.ArrayList<>(List.of(
                new String[]{"evaluate", "--model", model.toString(), "--data", CIFAR.toString(), "--limit", "300"},
                new String[]{"predict", "--model", model.toString(), sample.resolve("val/cat").toString(), "--top-k", "3"},
                new String[]{"explain", "--model", model.toString()},
                new String[]{"explain", "--model", "fast"},
                new String[]{"data", "info", CIFAR.toString()},
                new String[]{"data", "info", sample.toString()},
                new String[]{"check", "--reference", dev.fovea.io.ReferenceFiles.shared()
                        .resolve("reference/ops/019_dense_softmax_cross_entropy.safetensors").toString()}));
        for (String preset : dev.fovea.nn.Presets.names()) {
            commands.add(new String[]{"summary", "--model", preset});
        }
        for (String[] c : commands) {
            Pty p = Pty.run(tmp, 300, c);
            assertEquals(0, p.exitCode(), String.join(" ", c) + ":\n" + p.text());
            assertEquals(List.of(), p.folded(), String.join(" ", c) + " folded rows mid-word:\n" + p.text());
            if (c[0].equals("evaluate")) {
                assertTrue(p.text().matches("(?s).*\ncolumns: airpl\\w* = airplane, autom\\w* = automobile\n.*"), p.text());
            }
        }
    }

    /**
     * Defect 9 (the CLI's half) and defect 4: every command's help, asked for both ways through the
     * launcher, prints no warning and fits 80 columns. ({@code fovea spark ...} runs fovea-spark's
     * own commands, which the launcher starts in another JVM: not covered here.)
     */
    @Test
    void everyCommandsHelpThroughTheLauncherHasNoWarningAndFits() throws Exception {
        List<List<String>> all = new java.util.ArrayList<>(HelpAndUsageTest.allCommands());
        all.removeIf(c -> c.get(0).equals("spark"));
        all.add(0, List.of());
        for (List<String> cmd : all) {
            List<String> flag = new java.util.ArrayList<>(cmd);
            flag.add("--help");
            List<String> help = new java.util.ArrayList<>(List.of("help"));
            help.addAll(cmd);
            for (List<String> args : List.of(flag, help)) {
                Pty p = Pty.run(tmp, 60, args.toArray(new String[0]));
                assertEquals(0, p.exitCode(), args + ":\n" + p.text());
                assertTrue(!p.text().contains("WARN") && !p.text().contains("[picocli"), args + ":\n" + p.text());
                assertTrue(p.text().startsWith("Usage: fovea"), args + ":\n" + p.text());
                assertEquals(List.of(), p.folded(), args + ":\n" + p.text());
                // The terminal shows the help as a pipe gets it: on a terminal picocli's colour
                // codes were counted as columns by the re-wrapping and cut apart.
                assertEquals(CliRun.of(args.toArray(new String[0])).out().lines().map(String::stripTrailing).toList(),
                        lines(p), args + " on a terminal");
            }
        }
    }
}
