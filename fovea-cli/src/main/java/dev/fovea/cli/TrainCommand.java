package dev.fovea.cli;

import dev.fovea.data.Augmentation;
import dev.fovea.data.DataSources;
import dev.fovea.data.Dataset;
import dev.fovea.data.ImageFolder;
import dev.fovea.data.Normalization;
import dev.fovea.data.Splits;
import dev.fovea.eval.TestTimeAugmentation;
import dev.fovea.io.ModelFile;
import dev.fovea.metric.Accuracy;
import dev.fovea.nn.Model;
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
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code fovea train}: the tutorial's {@code compile} + {@code fit} from the command line, into
 * a run folder with the model, the checkpoint, {@code history.csv}, plots and {@code report.html}.
 * {@code --epochs} is the run's total (Keras's {@code epochs} with {@code initial_epoch}), so the
 * tutorial's second phase is {@code --resume DIR --epochs 100} plus the augmentation flags.
 */
@Command(name = "train", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Trains a model into a run folder: model.safetensors, checkpoint.safetensors,"
                + " history.csv, run.json, plots/*.png and a self-contained report.html.",
                "Defaults follow the Keras tutorial: tutorial-cnn, CIFAR-10, Adam, batch 32, the test split as"
                        + " validation data (a seeded 10%% of the training images when the data has no test split)."})
final class TrainCommand implements Callable<Integer> {
    static final String RUN_FILE = "run.json";

    @Spec
    CommandSpec spec;

    @Option(names = "--model", paramLabel = "PRESET|FILE", description = "Preset or model file to start from (default: tutorial-cnn).")
    String model;

    @Option(names = "--data", paramLabel = "PATH", description = "cifar10 (cached download), a CIFAR-10 .tar.gz/folder/.bin, or an image folder/.zip (default: cifar10).")
    String data;

    @Option(names = "--epochs", paramLabel = "N", description = "Total epochs of the run, may be fractional as 9.9"
            + " (default: 50; the fast presets bring their own).")
    Double epochs;

    @Option(names = "--batch-size", paramLabel = "N", description = "Images per training step (default: 32).")
    Integer batchSize;

    @Option(names = "--optimizer", paramLabel = "NAME", description = "adam, adamw or sgd (default: adam).")
    String optimizer;

    @Option(names = "--lr", paramLabel = "RATE", description = "Learning rate (default: 0.001 for adam/adamw, 0.01 for sgd).")
    Double lr;

    @Option(names = "--momentum", paramLabel = "M", description = "SGD momentum (default: 0.9 with sgd).")
    Double momentum;

    @Option(names = "--nesterov", negatable = true, description = "Nesterov momentum for sgd.")
    Boolean nesterov;

    @Option(names = "--weight-decay", paramLabel = "W", description = "Decoupled weight decay (default: 0; 0.004 for adamw).")
    Double weightDecay;

    @Option(names = "--label-smoothing", paramLabel = "S", description = "Label smoothing of the loss (default: 0).")
    Double labelSmoothing;

    @Mixin
    AugmentationOptions augmentation;

    @Mixin
    RecipeOptions recipe;

    @Option(names = "--validation", paramLabel = "test|FRACTION|none",
            description = "Validation data: the test split, a fraction of the training set, or none"
                    + " (default: the test split, else a seeded 0.1).")
    String validation;

    @Option(names = "--normalize", negatable = true, description = "Standardize inputs per channel with the training set's mean and std.")
    Boolean normalize;

    @Option(names = "--limit", paramLabel = "N", description = "Use at most N images of each split, drawn at random with the seed (quick runs).")
    Integer limit;

    @Option(names = "--seed", paramLabel = "N", description = "Seed of initialization, shuffling, dropout and augmentation (default: 0).")
    Long seed;

    @Option(names = "--out", paramLabel = "DIR",
            description = "Run folder; must be new or empty unless --overwrite (default: runs/MODEL-yyyyMMdd-HHmmss).")
    Path out;

    @Option(names = "--overwrite", description = "Replace the files of an earlier run in a non-empty --out folder.")
    boolean overwrite;

    @Option(names = "--resume", paramLabel = "DIR",
            description = "Continue the run in DIR from its checkpoint (a run stopped before its first checkpoint"
                    + " starts again); options not given are taken from DIR/run.json.")
    Path resume;

    @Option(names = "--verbose", paramLabel = "0|1|2", description = "0 silent, 1 progress bar, 2 one line per epoch (default: 1).")
    Integer verbose;

    @Option(names = "--no-report", description = "Skip the final evaluation and report.")
    boolean noReport;

    @Override
    public Integer call() {
        Instant commandStart = Instant.now();
        checkNumbers();
        Map<String, Object> saved = resume == null ? Map.of() : RunRecord.read(resume);
        if (resume != null && model != null && !sameModel(model, saved.get("model"))) {
            throw new UserError("--model " + model + " with --resume " + resume + ": a resumed run continues its own"
                    + " model (" + saved.get("model") + ", from " + resume.resolve(RunRecord.FILE) + "); omit --model,"
                    + " or start a new run with --model " + model + " --out NEWDIR");
        }
        Settings s = new Settings(this, saved);
        TrainSetup.check(s);
        Path dir = out != null ? out : resume != null ? resume
                : RunRecord.uniqueFolder(Path.of("runs"), s.model, LocalDateTime.now());
        boolean sameFolder = resume != null && samePath(dir, resume);
        if (!sameFolder && !overwrite) {
            RunRecord.refuseNonEmpty(dir);
        }
        OutputFolder.checkCanCreate(dir, "--out");
        Path checkpoint = resume == null ? null : resume.resolve(RunRecord.CHECKPOINT);
        // A run stopped before its first checkpoint (Ctrl-C twice, a crash in epoch 1) left only
        // run.json: there is nothing to continue, so its recorded run starts again from scratch.
        boolean restart = checkpoint != null && !Files.exists(checkpoint);
        if (restart) {
            checkpoint = null;
            if (data == null) {
                RunRecord.checkDataExists(resume, s.data);
            }
        }
        if (checkpoint != null) {
            int done = RunRecord.progress(checkpoint)[0];
            if (s.epochs <= done) {
                throw new UserError("--epochs " + epochsText(s.epochs) + ": the run in " + resume + " already trained " + done
                        + plural(done, " epoch") + "; pass --epochs greater than " + done + " to train more");
            }
            if (data == null) {
                RunRecord.checkDataExists(resume, s.data);
            }
        }
        PrintStream err = Console.lines(System.err, Console.errIsTerminal());

        Splits splits = DataSources.load(s.data, ImageFolder.Options.defaults(), err);
        String dataSha = splits.train().sha256();
        if (resume != null) {
            RunRecord.checkSameData(resume, saved, dataSha, s.data);
        }
        Dataset train = limit(splits.train(), s.limit, s.seed);
        String validation = s.validation;
        if (validation == null) {
            validation = splits.test() != null ? "test" : defaultSplit(train) ? "0.1" : "none";
            if (splits.test() == null) {
                Console.err(validation.equals("none")
                        ? "validation: none (" + s.data + " has no test split and too few images to hold out 10%);"
                        + " the report describes the training data"
                        : "validation: " + s.data + " has no test split, so a seeded 10% of the training images is"
                        + " held out (--validation 0.1; pass --validation none to train on all of them)");
            }
        }
        Dataset val = null;
        if (validation.equals("test")) {
            if (splits.test() == null) {
                throw new UserError("--validation test: " + s.data + " has no test split (an image folder needs"
                        + " val/, validation/ or test/ beside train/); pass --validation 0.1 to hold out 10% of"
                        + " the training images, or --validation none");
            }
            val = limit(splits.test(), s.limit, s.seed);
        } else if (!validation.equals("none")) {
            double fraction = parseFraction(validation);
            Splits parts = train.splitValidation(fraction, s.seed);
            train = parts.train();
            val = parts.test();
        }
        if (val != null && val.size() == 0) {
            val = null;
        }
        Normalization norm = s.normalize ? Normalization.fit(train) : Normalization.scale(train.channels());

        ModelFile.Loaded loaded;
        if (checkpoint != null) {
            loaded = ModelFile.load(checkpoint);
        } else {
            loaded = Models.resolve(s.model, train.height(), train.width(), train.channels(), train.numClasses());
            if (Models.isPreset(s.model)) {
                loaded.model().initialize(s.seed);
            }
        }
        Model net = loaded.model();
        Evaluation.checkInput(net, train);
        if (net.outputShape().dim(-1) < train.numClasses()) {
            throw new UserError("the model predicts " + net.outputShape().dim(-1) + " classes but the data has "
                    + train.numClasses() + "; use a preset (it adapts) or a model with enough outputs");
        }
        long totalSteps = TrainSetup.totalSteps(s.epochs, train.size(), s.batchSize, s.dropLast);
        if (totalSteps < 1) {
            throw new UserError("--batch-size " + s.batchSize + " with --drop-last: the " + train.size()
                    + " training images do not fill one batch; lower --batch-size or omit --drop-last");
        }
        Trainer trainer = new Trainer(net, TrainSetup.optimizer(s, totalSteps), TrainSetup.loss(s, net), new Accuracy());
        List<dev.fovea.optim.ParamGroup> groups = TrainSetup.groups(s, net);
        if (groups != null) {
            trainer.setParamGroups(groups);
        }
        List<Callback> recipeCallbacks = TrainSetup.callbacks(s, net, totalSteps);
        if (checkpoint == null) {
            for (String what : TrainSetup.initialize(s, net, train, norm)) {
                Console.err("initialization: " + what);
            }
        }
        String command = "fovea " + String.join(" ", spec.commandLine().getParseResult().originalArgs());
        List<String> commands = RunRecord.commands(saved);
        commands.add(command);
        // The trainer adds seed, versions, optimizer, learning rate, batch size, augmentation and
        // the data's hash at fit time; the CLI adds only what the library cannot know.
        Map<String, Object> provenance = new LinkedHashMap<>();
        provenance.put("command", command);
        provenance.put("commands", commands);
        provenance.put("data", RunRecord.absolute(s.data));
        provenance.put("data_source_sha256", dataSha);
        provenance.put("limit", s.limit == 0 ? "none" : s.limit + " images per split");
        trainer.setInfo(new ModelFile.Info(train.classNames(), norm.toMap(), provenance));
        if (checkpoint != null) {
            trainer.restoreCheckpoint(checkpoint);
        }

        OutputFolder.create(dir, "--out");
        if (overwrite && !sameFolder || restart && sameFolder) {
            RunRecord.clearOutputs(dir);
        }
        Map<String, Object> record = s.toMap();
        record.put("validation", validation);
        record.put("data_sha256", dataSha);
        record.put("commands", commands);
        RunRecord.write(dir, record);

        double remaining = s.epochs - trainer.epochsDone();
        // A run resumed inside an epoch trains only the rest of it: "3 epochs" would overstate it.
        String trained = trainer.stepInEpoch() == 0
                ? epochsText(remaining) + (remaining == 1 ? " epoch" : " epochs")
                : "from epoch " + (trainer.epochsDone() + 1) + ", batch " + (trainer.stepInEpoch() + 1) + " to the end of"
                        + " epoch " + epochsText(s.epochs);
        DataFeed trainFeed = new DataFeed(train, s.augmentation, norm, s.seed);
        DataFeed valFeed = val == null ? null : DataFeed.plain(val, norm);
        List<Callback> callbacks = new java.util.ArrayList<>(recipeCallbacks);
        callbacks.add(new CsvLogger(dir.resolve("history.csv")));
        callbacks.add(new SaveEachEpoch(dir));
        FitOptions fo = new FitOptions().epochs(remaining).batchSize(s.batchSize).verbose(s.verbose)
                .dropLast(s.dropLast).callbacks(callbacks.toArray(Callback[]::new));
        if (valFeed != null) {
            fo.validation(valFeed);
        }
        if (restart) {
            Console.err("--resume " + resume + ": the run stopped before its first checkpoint (there is no "
                    + RunRecord.CHECKPOINT + "), so it starts again from epoch 1 with the settings recorded in "
                    + resume.resolve(RunRecord.FILE));
        }
        String what = String.format(Locale.ROOT, "%s on %,d images (%s), validating on %s; %d threads; run folder %s",
                s.model, train.size(), s.data, val == null ? "nothing" : String.format(Locale.ROOT, "%,d images", val.size()),
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
                trainer.saveCheckpoint(dir.resolve(RunRecord.CHECKPOINT));
                Console.err("checkpoint saved to " + dir.resolve(RunRecord.CHECKPOINT));
                Console.err("resume with:");
                Console.command("./fovea train --resume " + dir);
                return 130;
            }
            ModelFile.save(dir.resolve(Models.RUN_MODEL), net, trainer.info());
        } catch (RuntimeException e) {
            throw OutputFolder.translate(e, "cannot write into the run folder", dir, "--out");
        }
        Console.err(String.format(Locale.ROOT, "trained %s in %s (%s); model written to %s", trained,
                formatDuration(took), throughput(trainer.throughput()), dir.resolve(Models.RUN_MODEL)));
        if (!noReport) {
            Map<String, String> prov = new LinkedHashMap<>();
            trainer.info().provenance().forEach((k, v) -> prov.put(k, String.valueOf(v)));
            prov.remove("commands");
            prov.remove("command");
            for (int i = 0; i < commands.size(); i++) {
                prov.put(commands.size() == 1 ? "command" : "command " + (i + 1) + " of " + commands.size(),
                        commands.get(i));
            }
            prov.put("epochs", String.valueOf(trainer.epochsDone()));
            prov.put("threads", String.valueOf(Parallel.threads()));
            prov.put("duration (this command)", formatDuration(took));
            prov.put("throughput", throughput(trainer.throughput()));
            TrainReport.write(dir, net, trainer.history(), val != null ? val : train, val == null, norm,
                    train.classNames(), "Fovea run: " + s.model + " on " + s.data, prov,
                    TestTimeAugmentation.Level.parse(s.tta));
        }
        Console.err("wall time of this command (data loading, initialization, training, evaluation): "
                + formatDuration(Duration.between(commandStart, Instant.now())));
        return 0;
    }

    /**
     * Where a resumed run resumes: {@code resuming epoch 1 at batch 33 of 48 (11 epochs in all)},
     * or {@code resuming at epoch 4 of 11 (3 done)} after a whole epoch.
     */
    static String resuming(Trainer trainer, Settings s, int images) {
        int epoch = trainer.epochsDone() + 1;
        String total = epochsText(s.epochs);
        if (trainer.stepInEpoch() == 0) {
            return "resuming at epoch " + epoch + " of " + total + " (" + trainer.epochsDone() + " done)";
        }
        long perEpoch = TrainSetup.totalSteps(1, images, s.batchSize, s.dropLast);
        long steps = epoch < Math.ceil(s.epochs - 1e-9) ? perEpoch
                : TrainSetup.totalSteps(s.epochs - trainer.epochsDone(), images, s.batchSize, s.dropLast);
        return "resuming epoch " + epoch + " at batch " + (trainer.stepInEpoch() + 1) + " of " + steps + " ("
                + total + " epochs in all)";
    }

    /** An epoch count as typed: "50", "9.9". */
    static String epochsText(double epochs) {
        return epochs == Math.rint(epochs) ? String.valueOf((long) epochs)
                : String.format(Locale.ROOT, "%.4g", epochs).replaceAll("0+$", "");
    }

    /** The console and report wording for a count: "1 epoch", "2 epochs". */
    static String plural(int n, String noun) {
        return n == 1 ? noun : noun + "s";
    }

    /** A seeded 10% validation split needs at least one image on each side. */
    private static boolean defaultSplit(Dataset train) {
        long held = Math.round(train.size() * 0.1);
        return held >= 1 && held < train.size();
    }

    /** Every numeric option given on the command line, checked before anything is read or written. */
    private void checkNumbers() {
        Check.positive("--epochs", epochs, "the run's total number of epochs");
        Check.positive("--batch-size", batchSize, "images per training step");
        Check.positive("--limit", limit, "images of each split; omit --limit to use them all");
        Check.positive("--lr", lr, "the learning rate");
        Check.range("--momentum", momentum, 0, 1, false, "SGD momentum");
        Check.range("--weight-decay", weightDecay, 0, Double.POSITIVE_INFINITY, false, "decoupled weight decay");
        Check.range("--label-smoothing", labelSmoothing, 0, 1, false, "label smoothing");
        Check.between("--verbose", verbose, 0, 2, "0 silent, 1 progress bar, 2 one line per epoch");
        augmentation.check();
        recipe.check();
    }

    private static boolean sameModel(String given, Object saved) {
        if (saved == null) {
            return true;
        }
        return RunRecord.absolute(given).equals(RunRecord.absolute(String.valueOf(saved)));
    }

    private static boolean samePath(Path a, Path b) {
        return a.toAbsolutePath().normalize().equals(b.toAbsolutePath().normalize());
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

    /**
     * At most {@code n} images, drawn at random (seeded) so every class stays represented:
     * image folders list one class after another, and the first n would hold only a few classes.
     */
    static Dataset limit(Dataset d, int n, long seed) {
        if (d == null || n <= 0 || d.size() <= n) {
            return d;
        }
        int[] all = new int[d.size()];
        for (int i = 0; i < all.length; i++) {
            all[i] = i;
        }
        new dev.fovea.tensor.Rng(seed).split(77).shuffle(all);
        int[] idx = java.util.Arrays.copyOf(all, n);
        java.util.Arrays.sort(idx);
        return d.subset(idx);
    }

    private static double parseFraction(String v) {
        try {
            double f = Double.parseDouble(v);
            if (f > 0 && f < 1) {
                return f;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new UserError("--validation " + v + ": expected test, none, or a fraction in (0, 1) such as 0.1");
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
