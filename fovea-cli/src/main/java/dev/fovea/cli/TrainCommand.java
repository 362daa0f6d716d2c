package dev.fovea.cli;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.fovea.data.Augmentation;
import dev.fovea.data.DataSources;
import dev.fovea.data.Dataset;
import dev.fovea.data.ImageFolder;
import dev.fovea.data.Normalization;
import dev.fovea.data.Splits;
import dev.fovea.io.AtomicFiles;
import dev.fovea.io.ModelFile;
import dev.fovea.loss.SparseCategoricalCrossentropy;
import dev.fovea.metric.Accuracy;
import dev.fovea.nn.Model;
import dev.fovea.nn.Summary;
import dev.fovea.optim.Adam;
import dev.fovea.optim.AdamW;
import dev.fovea.optim.Optimizer;
import dev.fovea.optim.SGD;
import dev.fovea.report.HtmlReport;
import dev.fovea.report.TrainingCurves;
import dev.fovea.tensor.Parallel;
import dev.fovea.train.Callback;
import dev.fovea.train.CsvLogger;
import dev.fovea.train.DataFeed;
import dev.fovea.train.FitOptions;
import dev.fovea.train.History;
import dev.fovea.train.TrainContext;
import dev.fovea.train.Trainer;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
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
        description = {"Trains a model into a run folder (model, checkpoint, history, plots, report).",
                "The folder holds model.safetensors, checkpoint.safetensors, history.csv, run.json,",
                "plots/*.png and a self-contained report.html.",
                "Defaults follow the Keras tutorial: tutorial-cnn, CIFAR-10, Adam, batch 32, test split as validation."})
final class TrainCommand implements Callable<Integer> {
    static final String RUN_FILE = "run.json";

    @Spec
    CommandSpec spec;

    @Option(names = "--model", paramLabel = "PRESET|FILE", description = "Preset or model file to start from (default: tutorial-cnn).")
    String model;

    @Option(names = "--data", paramLabel = "PATH", description = "cifar10 (cached download), a CIFAR-10 .tar.gz/folder/.bin, or an image folder/.zip (default: cifar10).")
    String data;

    @Option(names = "--epochs", description = "Total epochs of the run (default: 50).")
    Integer epochs;

    @Option(names = "--batch-size", description = "Batch size (default: 32).")
    Integer batchSize;

    @Option(names = "--optimizer", description = "adam, adamw or sgd (default: adam).")
    String optimizer;

    @Option(names = "--lr", description = "Learning rate (default: 0.001 for adam/adamw, 0.01 for sgd).")
    Double lr;

    @Option(names = "--momentum", description = "SGD momentum (default: 0.9 with sgd).")
    Double momentum;

    @Option(names = "--nesterov", description = "Nesterov momentum for sgd.")
    Boolean nesterov;

    @Option(names = "--weight-decay", description = "Decoupled weight decay (default: 0; 0.004 for adamw).")
    Double weightDecay;

    @Option(names = "--label-smoothing", description = "Label smoothing of the loss (default: 0).")
    Double labelSmoothing;

    @Mixin
    AugmentationOptions augmentation;

    @Option(names = "--validation", paramLabel = "test|FRACTION|none",
            description = "Validation data: the test split (default), a fraction of the training set, or none.")
    String validation;

    @Option(names = "--normalize", description = "Standardize inputs per channel with the training set's mean and std.")
    Boolean normalize;

    @Option(names = "--limit", paramLabel = "N", description = "Use at most N images of each split, drawn at random with the seed (quick runs).")
    Integer limit;

    @Option(names = "--seed", description = "Seed of initialization, shuffling, dropout and augmentation (default: 0).")
    Long seed;

    @Option(names = "--out", paramLabel = "DIR", description = "Run folder (default: runs/train).")
    Path out;

    @Option(names = "--resume", paramLabel = "DIR",
            description = "Continue the run in DIR from its checkpoint; options not given are taken from DIR/run.json.")
    Path resume;

    @Option(names = "--verbose", description = "0 silent, 1 progress bar, 2 one line per epoch (default: 1).")
    Integer verbose;

    @Option(names = "--no-report", description = "Skip the final evaluation and report.")
    boolean noReport;

    @Override
    public Integer call() throws Exception {
        Map<String, Object> saved = resume == null ? Map.of() : readRun(resume);
        Settings s = new Settings(saved);
        Path dir = out != null ? out : resume != null ? resume : Path.of("runs", "train");
        Files.createDirectories(dir);
        PrintStream err = System.err;

        Splits splits = DataSources.load(s.data, ImageFolder.Options.defaults(), err);
        Dataset train = limit(splits.train(), s.limit, s.seed);
        Dataset val = null;
        if (s.validation.equals("test")) {
            val = limit(splits.test(), s.limit, s.seed);
        } else if (!s.validation.equals("none")) {
            double fraction = parseFraction(s.validation);
            Splits parts = train.splitValidation(fraction, s.seed);
            train = parts.train();
            val = parts.test();
        }
        if (val != null && val.size() == 0) {
            val = null;
        }
        Normalization norm = s.normalize ? Normalization.fit(train) : Normalization.scale(train.channels());

        ModelFile.Loaded loaded;
        Path checkpoint = resume == null ? null : resume.resolve("checkpoint.safetensors");
        if (checkpoint != null) {
            if (!Files.exists(checkpoint)) {
                throw new UserError("--resume " + resume + ": no checkpoint.safetensors there; pass the run folder"
                        + " of an earlier 'fovea train --out DIR'");
            }
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
        Trainer trainer = new Trainer(net, optimizer(s), new SparseCategoricalCrossentropy(false,
                (float) s.labelSmoothing), new Accuracy());
        String checksum = checksum(train);
        Map<String, Object> provenance = new LinkedHashMap<>();
        provenance.put("command", "fovea " + String.join(" ", spec.commandLine().getParseResult().originalArgs()));
        provenance.put("seed", s.seed);
        provenance.put("fovea_version", version());
        provenance.put("java_version", System.getProperty("java.version"));
        provenance.put("data", s.data);
        provenance.put("data_sha256", checksum);
        trainer.setInfo(new ModelFile.Info(train.classNames(), norm.toMap(), provenance));
        if (checkpoint != null) {
            trainer.restoreCheckpoint(checkpoint);
        }
        writeRun(dir, s);

        int remaining = s.epochs - trainer.epochsDone();
        if (remaining < 0 || (remaining == 0 && !trainer.interrupted())) {
            err.println("the run already has " + trainer.epochsDone() + " epochs (target " + s.epochs
                    + "); pass a larger --epochs to train more");
            remaining = 0;
        } else if (trainer.interrupted() && remaining == 0) {
            remaining = 1;
        }
        DataFeed trainFeed = new DataFeed(train, s.augmentation, norm, s.seed);
        DataFeed valFeed = val == null ? null : DataFeed.plain(val, norm);
        FitOptions fo = new FitOptions().epochs(remaining).batchSize(s.batchSize).verbose(s.verbose)
                .callbacks(new CsvLogger(dir.resolve("history.csv")), new SaveEachEpoch(dir));
        if (valFeed != null) {
            fo.validation(valFeed);
        }
        err.printf(Locale.ROOT, "training %s on %,d images (%s), validating on %s; %d threads; run folder %s%n",
                s.model, train.size(), s.data, val == null ? "nothing" : String.format(Locale.ROOT, "%,d images", val.size()),
                Parallel.threads(), dir);
        Instant start = Instant.now();
        long stepsBefore = trainer.optimizer().iterations();
        Interrupts.onCtrlC(() -> trainer.interrupt("interrupted (Ctrl-C)"));
        try {
            trainer.fit(trainFeed, fo);
        } finally {
            Interrupts.clear();
        }
        Duration took = Duration.between(start, Instant.now());
        if (trainer.interrupted()) {
            trainer.saveCheckpoint(dir.resolve("checkpoint.safetensors"));
            err.println("checkpoint saved to " + dir.resolve("checkpoint.safetensors") + "; resume with:");
            err.println("  ./fovea train --resume " + dir);
            return 130;
        }
        ModelFile.save(dir.resolve("model.safetensors"), net, trainer.info());
        long images = (trainer.optimizer().iterations() - stepsBefore) * (long) s.batchSize;
        double seconds = Math.max(took.toMillis() / 1000.0, 1e-3);
        err.printf(Locale.ROOT, "trained %d epochs in %s (%.0f images/s); model written to %s%n", remaining,
                formatDuration(took), Math.min(images, (long) remaining * train.size()) / seconds,
                dir.resolve("model.safetensors"));
        if (!noReport && val != null) {
            Evaluation ev = Evaluation.run(net, val, norm, train.classNames(), 256);
            PrintStream o = System.out;
            o.printf(Locale.ROOT, "validation loss %.4f, accuracy %.4f%n", ev.loss, ev.accuracy);
            Map<String, String> prov = new LinkedHashMap<>();
            provenance.forEach((k, v) -> prov.put(k, String.valueOf(v)));
            prov.put("epochs", String.valueOf(trainer.epochsDone()));
            prov.put("threads", String.valueOf(Parallel.threads()));
            prov.put("duration (this command)", formatDuration(took));
            prov.put("throughput", String.format(Locale.ROOT, "%.0f training images/s",
                    Math.min(images, (long) remaining * train.size()) / seconds));
            Map<String, String> key = new LinkedHashMap<>();
            key.put("validation loss", String.format(Locale.ROOT, "%.4f", ev.loss));
            HtmlReport report = HtmlReport.training("Fovea run: " + s.model + " on " + s.data)
                    .provenance(prov).keyFigures(key)
                    .curves(curves(trainer.history()))
                    .modelSummary(Summary.of(net));
            ev.addTo(report);
            report.writePlots(dir.resolve("plots"));
            Path html = report.write(dir);
            o.println("report: " + html);
        }
        return 0;
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

    static TrainingCurves curves(History h) {
        Map<String, List<Double>> series = new LinkedHashMap<>();
        for (String k : List.of("loss", "val_loss", "accuracy", "val_accuracy")) {
            if (!h.get(k).isEmpty()) {
                series.put(k, h.get(k));
            }
        }
        return new TrainingCurves(series);
    }

    private Optimizer optimizer(Settings s) {
        return switch (s.optimizer) {
            case "adam" -> new Adam(new dev.fovea.optim.Constant(s.lr == null ? 1e-3 : s.lr), 0.9, 0.999, 1e-7,
                    s.weightDecay == null ? 0 : s.weightDecay);
            case "adamw" -> new AdamW(s.lr == null ? 1e-3 : s.lr, s.weightDecay == null ? 0.004 : s.weightDecay);
            case "sgd" -> new SGD(s.lr == null ? 0.01 : s.lr, s.momentum == null ? 0.9 : s.momentum,
                    s.nesterov, s.weightDecay == null ? 0 : s.weightDecay);
            default -> throw new UserError("--optimizer " + s.optimizer + ": unknown; expected adam, adamw or sgd");
        };
    }

    /** The effective options: the command line, else the resumed run's run.json, else defaults. */
    private final class Settings {
        final String model;
        final String data;
        final int epochs;
        final int batchSize;
        final String optimizer;
        final Double lr;
        final Double momentum;
        final boolean nesterov;
        final Double weightDecay;
        final double labelSmoothing;
        final Augmentation augmentation;
        final Map<String, Object> augmentationArgs;
        final String validation;
        final boolean normalize;
        final int limit;
        final long seed;
        final int verbose;

        Settings(Map<String, Object> saved) {
            model = pick(TrainCommand.this.model, saved, "model", "tutorial-cnn");
            data = pick(TrainCommand.this.data, saved, "data", DataSources.CIFAR10);
            epochs = ((Number) pick(TrainCommand.this.epochs, saved, "epochs", 50)).intValue();
            batchSize = ((Number) pick(TrainCommand.this.batchSize, saved, "batch_size", 32)).intValue();
            optimizer = pick(TrainCommand.this.optimizer, saved, "optimizer", "adam").toLowerCase(Locale.ROOT);
            lr = num(pick(TrainCommand.this.lr, saved, "lr", null));
            momentum = num(pick(TrainCommand.this.momentum, saved, "momentum", null));
            nesterov = pick(TrainCommand.this.nesterov, saved, "nesterov", false);
            weightDecay = num(pick(TrainCommand.this.weightDecay, saved, "weight_decay", null));
            labelSmoothing = ((Number) pick(TrainCommand.this.labelSmoothing, saved, "label_smoothing", 0.0)).doubleValue();
            validation = pick(TrainCommand.this.validation, saved, "validation", "test").toLowerCase(Locale.ROOT);
            normalize = pick(TrainCommand.this.normalize, saved, "normalize", false);
            limit = ((Number) pick(TrainCommand.this.limit, saved, "limit", 0)).intValue();
            seed = ((Number) pick(TrainCommand.this.seed, saved, "seed", 0L)).longValue();
            verbose = ((Number) pick(TrainCommand.this.verbose, saved, "verbose", 1)).intValue();
            augmentationArgs = augmentationArgs(saved);
            augmentation = augmentationFrom(augmentationArgs);
            if (epochs < 0 || batchSize < 1 || labelSmoothing < 0 || labelSmoothing >= 1) {
                throw new UserError("invalid settings: epochs " + epochs + ", batch size " + batchSize
                        + ", label smoothing " + labelSmoothing + "; expected epochs >= 0, batch size >= 1 and"
                        + " label smoothing in [0, 1)");
            }
        }

        Map<String, Object> toMap() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("model", model);
            m.put("data", data);
            m.put("epochs", epochs);
            m.put("batch_size", batchSize);
            m.put("optimizer", optimizer);
            m.put("lr", lr);
            m.put("momentum", momentum);
            m.put("nesterov", nesterov);
            m.put("weight_decay", weightDecay);
            m.put("label_smoothing", labelSmoothing);
            m.put("validation", validation);
            m.put("normalize", normalize);
            m.put("limit", limit);
            m.put("seed", seed);
            m.put("verbose", verbose);
            m.put("augmentation", augmentationArgs);
            return m;
        }
    }

    private static Double num(Object o) {
        return o == null ? null : ((Number) o).doubleValue();
    }

    @SuppressWarnings("unchecked")
    private static <T> T pick(T given, Map<String, Object> saved, String key, T dflt) {
        if (given != null) {
            return given;
        }
        Object v = saved.get(key);
        return v != null ? (T) v : dflt;
    }

    /** Augmentation flags given now win; otherwise the resumed run's. */
    @SuppressWarnings("unchecked")
    private Map<String, Object> augmentationArgs(Map<String, Object> saved) {
        Map<String, Object> old = (Map<String, Object>) saved.getOrDefault("augmentation", Map.of());
        Map<String, Object> m = new LinkedHashMap<>();
        var pr = spec.commandLine().getParseResult();
        String[][] keys = {{"--width-shift", "width_shift"}, {"--height-shift", "height_shift"},
                {"--horizontal-flip", "horizontal_flip"}, {"--fill-mode", "fill_mode"}, {"--fill-value", "fill_value"},
                {"--pad-crop", "pad_crop"}, {"--pad-mode", "pad_mode"}, {"--cutout", "cutout"}};
        Object[] now = {augmentation.widthShift, augmentation.heightShift, augmentation.horizontalFlip,
                augmentation.fillMode, augmentation.fillValue, augmentation.padCrop, augmentation.padMode,
                augmentation.cutout};
        for (int i = 0; i < keys.length; i++) {
            m.put(keys[i][1], pr.hasMatchedOption(keys[i][0]) || !old.containsKey(keys[i][1]) ? now[i] : old.get(keys[i][1]));
        }
        return m;
    }

    private Augmentation augmentationFrom(Map<String, Object> a) {
        augmentation.widthShift = ((Number) a.get("width_shift")).floatValue();
        augmentation.heightShift = ((Number) a.get("height_shift")).floatValue();
        augmentation.horizontalFlip = (Boolean) a.get("horizontal_flip");
        augmentation.fillMode = (String) a.get("fill_mode");
        augmentation.fillValue = ((Number) a.get("fill_value")).intValue();
        augmentation.padCrop = ((Number) a.get("pad_crop")).intValue();
        augmentation.padMode = (String) a.get("pad_mode");
        augmentation.cutout = ((Number) a.get("cutout")).intValue();
        return augmentation.toAugmentation();
    }

    private static Map<String, Object> readRun(Path dir) {
        Path f = dir.resolve(RUN_FILE);
        if (!Files.exists(f)) {
            throw new UserError("--resume " + dir + ": no " + RUN_FILE + " there; pass the run folder of an earlier"
                    + " 'fovea train --out DIR'");
        }
        try {
            return ModelFile.parse(f, Files.readString(f), new TypeReference<>() { });
        } catch (IOException e) {
            throw new UncheckedIOException(f + ": cannot read: " + e.getMessage(), e);
        }
    }

    private static void writeRun(Path dir, Settings s) throws IOException {
        String json = ModelFile.json(s.toMap());
        AtomicFiles.write(dir.resolve(RUN_FILE), o -> o.write(json.getBytes(StandardCharsets.UTF_8)));
    }

    /**
     * At most {@code n} images, drawn at random (seeded) so every class stays represented:
     * image folders list one class after another, and the first n would hold only a few classes.
     */
    static Dataset limit(Dataset d, int n, long seed) {
        if (n <= 0 || d.size() <= n) {
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

    /** SHA-256 of the training images and labels as loaded (independent of the file format). */
    static String checksum(Dataset d) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            md.update(d.images());
            for (int l : d.labels()) {
                md.update((byte) l);
            }
            return HexFormat.of().formatHex(md.digest());
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static String version() {
        String v = TrainCommand.class.getPackage().getImplementationVersion();
        return v == null ? "dev" : v;
    }

    static String formatDuration(Duration d) {
        long s = d.toSeconds();
        return s >= 3600 ? String.format(Locale.ROOT, "%dh%02dm%02ds", s / 3600, (s / 60) % 60, s % 60)
                : s >= 60 ? String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60)
                : String.format(Locale.ROOT, "%.1fs", d.toMillis() / 1000.0);
    }
}
