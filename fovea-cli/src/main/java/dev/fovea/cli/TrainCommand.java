package dev.fovea.cli;

import dev.fovea.data.Dataset;
import dev.fovea.io.ModelFile;
import dev.fovea.metric.Accuracy;
import dev.fovea.nn.Model;
import dev.fovea.report.RunReport;
import dev.fovea.run.OutputFolder;
import dev.fovea.run.RunFolder;
import dev.fovea.run.TrainSettings;
import dev.fovea.run.TrainingRun;
import dev.fovea.tensor.Parallel;
import dev.fovea.train.Callback;
import dev.fovea.train.CsvLogger;
import dev.fovea.train.DataFeed;
import dev.fovea.train.FitOptions;
import dev.fovea.train.TrainContext;
import dev.fovea.train.Trainer;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code fovea train}: the tutorial's {@code compile} + {@code fit} from the command line, into
 * a run folder with the model, the checkpoint, {@code history.csv}, plots and {@code report.html}.
 * {@code --epochs} is the run's total (Keras's {@code epochs} with {@code initial_epoch}), so the
 * tutorial's second phase is {@code --resume DIR --epochs 100} plus the augmentation flags. The
 * options, checks, run folder and set-up are fovea-run's ({@link TrainingRun}, shared with
 * {@code fovea spark train}); this command adds the single-process loop: the progress bar, Ctrl-C,
 * a checkpoint after every epoch, and the report.
 */
@Command(name = "train", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Trains a model into a run folder: model.safetensors, checkpoint.safetensors,"
                + " history.csv, run.json, plots/*.png and a self-contained report.html.",
                "Defaults follow the Keras tutorial: tutorial-cnn, CIFAR-10, Adam, batch 32, the test split as"
                        + " validation data (a seeded 10%% of the training images when the data has no test split)."})
final class TrainCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    TrainSettings.Options options;

    @Override
    public Integer call() {
        Instant commandStart = Instant.now();
        String command = "fovea " + String.join(" ", spec.commandLine().getParseResult().originalArgs());
        PrintStream err = Console.lines(System.err, Console.errIsTerminal());
        TrainingRun run = TrainingRun.prepare(options, command, 1, err, Console::err);
        TrainSettings s = run.settings();
        Path dir = run.dir();
        Dataset train = run.train();
        Dataset val = run.validation();
        Model net = run.model();
        Trainer trainer = new Trainer(net, run.optimizer(), run.loss(), new Accuracy());
        if (run.groups() != null) {
            trainer.setParamGroups(run.groups());
        }
        // The trainer adds the environment, the fit's settings and the hash of the images it
        // trains on; the run adds the commands and the data as given.
        trainer.setInfo(run.info(run.provenance()));
        Path checkpoint = run.checkpoint();
        if (checkpoint != null) {
            trainer.restoreCheckpoint(checkpoint);
        }
        run.begin(Map.of(), Console::err);
        if (run.lrFinding() != null) {
            try {
                RunReport.writeLrFinding(dir, run.lrFinding());
            } catch (RunReport.WriteFailure e) {
                throw OutputFolder.translate(e.getCause(), "cannot write the lr-find plot into", dir, "--out");
            }
        }

        double remaining = s.epochs() - trainer.epochsDone();
        // A run resumed inside an epoch trains only the rest of it: "3 epochs" would overstate it.
        String trained = trainer.stepInEpoch() == 0
                ? epochsText(remaining) + (remaining == 1 ? " epoch" : " epochs")
                : "from epoch " + (trainer.epochsDone() + 1) + ", batch " + (trainer.stepInEpoch() + 1) + " to the end of"
                        + " epoch " + epochsText(s.epochs());
        DataFeed trainFeed = new DataFeed(train, s.augmentationConfig(), run.normalization(), s.seed());
        List<Callback> callbacks = new java.util.ArrayList<>(run.callbacks());
        callbacks.add(new CsvLogger(dir.resolve(RunFolder.HISTORY)));
        callbacks.add(new SaveEachEpoch(dir));
        FitOptions fo = new FitOptions().epochs(remaining).batchSize(s.batchSize()).verbose(s.verbose())
                .dropLast(run.dropLast()).callbacks(callbacks.toArray(Callback[]::new));
        if (val != null) {
            fo.validation(DataFeed.plain(val, run.normalization()));
        }
        String what = String.format(Locale.ROOT, "%s on %,d images (%s), validating on %s; %d threads; run folder %s",
                s.model(), train.size(), s.data(), val == null ? "nothing" : String.format(Locale.ROOT, "%,d images", val.size()),
                Parallel.threads(), dir);
        Console.err(checkpoint == null ? "training " + what : resuming(trainer, s, train.size()) + ": " + what);
        Instant start = Instant.now();
        Interrupts.onCtrlC(() -> trainer.interrupt("interrupted (Ctrl-C)"), "./fovea train --resume " + dir);
        try {
            trainer.fit(trainFeed, fo);
        } catch (RuntimeException e) {
            throw OutputFolder.translate(e, "cannot write into the run folder", dir, "--out");
        } finally {
            Interrupts.clear();
        }
        Duration took = Duration.between(start, Instant.now());
        try {
            if (trainer.interrupted()) {
                trainer.saveCheckpoint(dir.resolve(RunFolder.CHECKPOINT));
                Console.err("checkpoint saved to " + dir.resolve(RunFolder.CHECKPOINT));
                Console.err("resume with:");
                Console.command("./fovea train --resume " + dir);
                return 130;
            }
            ModelFile.save(dir.resolve(RunFolder.MODEL), net, trainer.info());
        } catch (RuntimeException e) {
            throw OutputFolder.translate(e, "cannot write into the run folder", dir, "--out");
        }
        Console.err(String.format(Locale.ROOT, "trained %s in %s (%s); model written to %s", trained,
                formatDuration(took), throughput(trainer.throughput()), dir.resolve(RunFolder.MODEL)));
        if (!options.noReport()) {
            Map<String, String> prov = TrainingRun.reportRows(trainer.info().provenance());
            prov.put("epochs", String.valueOf(trainer.epochsDone()));
            prov.put("threads", String.valueOf(Parallel.threads()));
            prov.put("duration (this command)", formatDuration(took));
            prov.put("throughput", throughput(trainer.throughput()));
            TrainReport.write(dir, net, trainer.history(), val != null ? val : train, val == null, run.normalization(),
                    train.classNames(), "Fovea run: " + s.model() + " on " + s.data(), prov, s.ttaLevel());
        }
        Console.err("wall time of this command (data loading, initialization, training, evaluation): "
                + formatDuration(Duration.between(commandStart, Instant.now())));
        return 0;
    }

    /**
     * Where a resumed run resumes: {@code resuming epoch 1 at batch 33 of 48 (11 epochs in all)},
     * or {@code resuming at epoch 4 of 11 (3 done)} after a whole epoch.
     */
    static String resuming(Trainer trainer, TrainSettings s, int images) {
        int epoch = trainer.epochsDone() + 1;
        String total = epochsText(s.epochs());
        if (trainer.stepInEpoch() == 0) {
            return "resuming at epoch " + epoch + " of " + total + " (" + trainer.epochsDone() + " done)";
        }
        long perEpoch = TrainSettings.totalSteps(1, images, s.batchSize(), s.dropLast());
        long steps = epoch < Math.ceil(s.epochs() - 1e-9) ? perEpoch
                : TrainSettings.totalSteps(s.epochs() - trainer.epochsDone(), images, s.batchSize(), s.dropLast());
        return "resuming epoch " + epoch + " at batch " + (trainer.stepInEpoch() + 1) + " of " + steps + " ("
                + total + " epochs in all)";
    }

    /** An epoch count as typed: "50", "9.9". */
    static String epochsText(double epochs) {
        return TrainingRun.epochsText(epochs);
    }


    /** The console and report wording for a count: "1 epoch", "2 epochs". */
    static String plural(int n, String noun) {
        return n == 1 ? noun : noun + "s";
    }

    /** The steady training rate as printed: the first steps, slowed by JIT compilation, are left out. */
    static String throughput(double imagesPerSecond) {
        return Double.isNaN(imagesPerSecond)
                ? "too few steps to measure images/s after the first " + Trainer.WARMUP_STEPS
                : String.format(Locale.ROOT, "%.0f training images/s after the first %d steps", imagesPerSecond,
                        Trainer.WARMUP_STEPS);
    }

    /** Saves the checkpoint and the model after every epoch, so a crash loses at most one epoch. */
    private static final class SaveEachEpoch implements Callback {
        private final Path dir;

        SaveEachEpoch(Path dir) {
            this.dir = dir;
        }

        @Override
        public void onEpochEnd(TrainContext ctx, int epoch, Map<String, Double> logs) {
            try {
                ctx.saveCheckpoint(dir.resolve("checkpoint.safetensors"));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /** At most {@code n} images of {@code d}, drawn with the seed as a run draws them (evaluate's --limit too). */
    static Dataset limit(Dataset d, int n, long seed) {
        return TrainingRun.limit(d, n, seed);
    }

    static String version() {
        return dev.fovea.train.Provenance.foveaVersion();
    }

    static String formatDuration(Duration d) {
        long s = d.toSeconds();
        return s >= 3600 ? String.format(Locale.ROOT, "%dh%02dm%02ds", s / 3600, (s / 60) % 60, s % 60)
                : s >= 60 ? String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60)
                : String.format(Locale.ROOT, "%.1fs", d.toMillis() / 1000.0);
    }
}
