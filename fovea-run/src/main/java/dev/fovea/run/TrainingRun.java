package dev.fovea.run;

import dev.fovea.FoveaException;
import dev.fovea.data.DataSources;
import dev.fovea.data.Dataset;
import dev.fovea.data.ImageFolder;
import dev.fovea.data.Normalization;
import dev.fovea.data.Splits;
import dev.fovea.io.ModelFile;
import dev.fovea.io.NearestName;
import dev.fovea.loss.SparseCategoricalCrossentropy;
import dev.fovea.nn.Model;
import dev.fovea.nn.Presets;
import dev.fovea.optim.Optimizer;
import dev.fovea.optim.ParamGroup;
import dev.fovea.tensor.Rng;
import dev.fovea.train.Callback;
import dev.fovea.train.DataFeed;
import dev.fovea.train.LearningRateFinder;
import dev.fovea.train.Provenance;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;

/**
 * One training run up to its first step, the same for every front end: the run folder chosen
 * and checked, a resumed run's {@code run.json} and checkpoint checked, the data loaded, hashed,
 * limited and split for validation, the model built (or loaded) and checked against the data,
 * the optimizer, loss, parameter groups and recipe callbacks built, a fresh run initialized, the
 * provenance a model file will carry and the {@code run.json} record. {@link #prepare} reads and
 * checks everything and writes nothing; {@link #begin} creates the folder and writes
 * {@code run.json}. What is left to a front end is how the steps run (one process with a
 * progress bar and Ctrl-C; Spark's replicas) and its own console lines.
 */
public final class TrainingRun {
    /**
     * What a front end asks for: the resolved settings, the resumed run's {@code run.json}
     * ({@code saved}, empty for a new run), the folders, whether {@code --data} was given now,
     * the command line as typed, and K data-parallel workers (1 in one process).
     */
    public record Request(TrainSettings settings, Map<String, Object> saved, Path out, Path resume, boolean overwrite,
                          boolean dataGiven, String command, int workers) {
        /** This request with K data-parallel workers. */
        public Request withWorkers(int k) {
            return new Request(settings, saved, out, resume, overwrite, dataGiven, command, k);
        }
    }

    private TrainSettings settings;
    private final Path dir;
    private final Path resume;
    private final Path checkpoint;
    private final boolean restart;
    private final boolean clear;
    private final Dataset train;
    private final Dataset val;
    private final String validation;
    private final Normalization norm;
    private final Model model;
    private final boolean dropLast;
    private final long totalSteps;
    private Optimizer optimizer;
    private LearningRateFinder.Result lrFinding;
    private final SparseCategoricalCrossentropy loss;
    private final List<ParamGroup> groups;
    private final List<Callback> callbacks;
    private final List<String> commands;
    private final Provenance.Run provenance;
    private final Map<String, Object> record;

    /**
     * The options of a command line: checked, the resumed run's {@code run.json} read, resolved,
     * then {@link #prepare(Request, PrintStream, Consumer)}. {@code command} is the command line
     * as typed ({@code fovea train --epochs 3}).
     */
    public static TrainingRun prepare(TrainSettings.Options options, String command, int workers, PrintStream dataLog,
                                      Consumer<String> say) {
        return prepare(request(options, command, workers), dataLog, say);
    }

    /** The request a command line makes, before any data is read. */
    public static Request request(TrainSettings.Options options, String command, int workers) {
        options.check();
        Path resume = options.resume();
        Map<String, Object> saved = resume == null ? Map.of() : RunFolder.read(resume);
        if (resume != null && options.model() != null && !sameModel(options.model(), saved.get("model"))) {
            throw new FoveaException("--model " + options.model() + " with --resume " + resume + ": a resumed run"
                    + " continues its own model (" + saved.get("model") + ", from " + resume.resolve(RunFolder.FILE)
                    + "); omit --model, or start a new run with --model " + options.model() + " --out NEWDIR");
        }
        TrainSettings s = options.resolve(saved);
        s.check();
        return new Request(s, saved, options.out(), resume, options.overwrite(), options.data() != null, command,
                workers);
    }

    /**
     * Reads and checks everything a run needs, writing nothing: {@code dataLog} gets the data
     * loader's lines (downloads, skipped files), {@code say} the run's notes (the validation
     * split chosen, the initialization done).
     */
    public static TrainingRun prepare(Request r, PrintStream dataLog, Consumer<String> say) {
        return new TrainingRun(r, dataLog, say);
    }

    private TrainingRun(Request r, PrintStream dataLog, Consumer<String> say) {
        TrainSettings s = r.settings();
        settings = s;
        resume = r.resume();
        Map<String, Object> saved = r.saved();
        dir = r.out() != null ? r.out() : resume != null ? resume
                : RunFolder.uniqueFolder(Path.of("runs"), s.model(), LocalDateTime.now());
        boolean sameFolder = resume != null && samePath(dir, resume);
        if (!sameFolder && !r.overwrite()) {
            RunFolder.refuseNonEmpty(dir);
        }
        OutputFolder.checkCanCreate(dir, "--out");
        Path cp = resume == null ? null : resume.resolve(RunFolder.CHECKPOINT);
        // A run stopped before its first checkpoint (Ctrl-C twice, a crash in epoch 1) left only
        // run.json: there is nothing to continue, so its recorded run starts again from scratch.
        restart = cp != null && !Files.exists(cp);
        if (restart) {
            cp = null;
        }
        checkpoint = cp;
        clear = r.overwrite() && !sameFolder || restart && sameFolder;
        if (checkpoint != null) {
            int done = RunFolder.progress(checkpoint)[0];
            if (s.epochs() <= done) {
                throw new FoveaException("--epochs " + epochsText(s.epochs()) + ": the run in " + resume
                        + " already trained " + done + (done == 1 ? " epoch" : " epochs") + "; pass --epochs greater"
                        + " than " + done + " to train more");
            }
        }
        if (resume != null && !r.dataGiven()) {
            RunFolder.checkDataExists(resume, s.data());
        }

        Splits splits = DataSources.load(s.data(), ImageFolder.Options.defaults(), dataLog);
        String decodedSha = splits.train().sha256();
        if (resume != null) {
            RunFolder.checkSameData(resume, saved, decodedSha, s.data());
        }
        String fileSha = DataSources.fileSha256(s.data(), dataLog);
        Dataset tr = limit(splits.train(), s.limit(), s.seed());
        String v = s.validation();
        if (v == null) {
            v = splits.test() != null ? "test" : defaultSplit(tr) ? "0.1" : "none";
            if (splits.test() == null) {
                say.accept(v.equals("none")
                        ? "validation: none (" + s.data() + " has no test split and too few images to hold out 10%);"
                        + " the report describes the training data"
                        : "validation: " + s.data() + " has no test split, so a seeded 10% of the training images is"
                        + " held out (--validation 0.1; pass --validation none to train on all of them)");
            }
        }
        Dataset va = null;
        if (v.equals("test")) {
            if (splits.test() == null) {
                throw new FoveaException("--validation test: " + s.data() + " has no test split (an image folder needs"
                        + " val/, validation/ or test/ beside train/); pass --validation 0.1 to hold out 10% of"
                        + " the training images, or --validation none");
            }
            va = limit(splits.test(), s.limit(), s.seed());
        } else if (!v.equals("none")) {
            Splits parts = tr.splitValidation(TrainSettings.validationFraction(v), s.seed());
            tr = parts.train();
            va = parts.test();
        }
        train = tr;
        val = va != null && va.size() == 0 ? null : va;
        validation = v;
        ModelFile.Loaded initFile = s.init() != null ? initFile(s.init()) : null;
        // A fine-tuned model keeps the inputs it was trained on: the file's recorded preprocessing.
        norm = s.normalize() ? Normalization.fit(train) : initFile != null
                ? Normalization.fromMap(initFile.info().preprocessing(), train.channels())
                : Normalization.scale(train.channels());

        Model start = checkpoint != null ? ModelFile.load(checkpoint).model()
                : initFile != null ? initFile.model() : initialModel(s, train);
        if (checkpoint == null && s.newHead()) {
            start = NewHead.fit(start, train.numClasses(), s.seed(), s.init(), say);
        }
        model = start;
        checkModel(s, model, train);
        int rest = train.size() % s.batchSize();
        // A worker with no image of the last batch cannot take part in its step: drop that batch.
        boolean forced = !s.dropLast() && r.workers() > 1 && rest != 0 && rest < r.workers();
        if (forced) {
            say.accept("note: the last batch of each epoch would have " + rest + " images for " + r.workers()
                    + " workers; it is dropped (--batch-size " + s.batchSize() + ", " + train.size() + " images)");
        }
        dropLast = s.dropLast() || forced;
        totalSteps = TrainSettings.totalSteps(s.epochs(), train.size(), s.batchSize(), dropLast);
        if (totalSteps < 1) {
            throw new FoveaException(s.dropLast() ? "--batch-size " + s.batchSize() + " with --drop-last: the "
                    + train.size() + " training images do not fill one batch; lower --batch-size or omit --drop-last"
                    : "--batch-size " + s.batchSize() + ": the " + train.size() + " training images do not fill one"
                    + " batch for " + r.workers() + " workers; lower --batch-size");
        }
        optimizer = s.optimizer(totalSteps);
        loss = s.loss(model);
        groups = s.groups(model);
        callbacks = s.callbacks(model, totalSteps);
        if (checkpoint == null) {
            for (String what : s.initialize(model, train, norm)) {
                say.accept("initialization: " + what);
            }
        }
        if (s.lrAuto() && s.lr() == null) {
            if (checkpoint != null) {
                throw new FoveaException("--lr auto: the run in " + resume + " is resumed from its checkpoint, where the"
                        + " rate cannot be searched again; omit --lr to keep its recorded rate, or pass a number");
            }
            lrFinding = findLearningRate(LearningRateFinder.Options.defaults());
            s = s.withLr(lrFinding.suggestion());
            settings = s;
            optimizer = s.optimizer(totalSteps);
            say.accept(String.format(Locale.ROOT, "--lr auto: %s; training at %.3g", describe(lrFinding), s.lr()));
        }
        commands = RunFolder.commands(saved);
        commands.add(r.command());
        provenance = new Provenance.Run(List.copyOf(commands), RunFolder.absolute(s.data()), fileSha, decodedSha,
                s.limit() == 0 ? "none" : s.limit() + " images per split", null, null);
        record = s.toMap();
        record.put("validation", validation);
        record.put("data_file_sha256", fileSha);
        record.put("data_decoded_sha256", decodedSha);
        if (s.init() != null) {
            record.put("init_sha256", dev.fovea.io.Sha256.file(Path.of(s.init())));
        }
        record.put("commands", List.copyOf(commands));
    }

    /**
     * Creates the run folder, removes an earlier run's files when {@code --overwrite} (or a
     * restarted run) asks for it, and writes {@code run.json}: the record plus {@code extra}
     * (a front end's own keys, e.g. Spark's {@code workers}).
     */
    public void begin(Map<String, Object> extra, Consumer<String> say) {
        OutputFolder.create(dir, "--out");
        if (clear) {
            RunFolder.clearOutputs(dir);
        }
        writeRecord(extra);
        if (restart) {
            say.accept("--resume " + resume + ": the run stopped before its first checkpoint (there is no "
                    + RunFolder.CHECKPOINT + "), so it starts again from epoch 1 with the settings recorded in "
                    + resume.resolve(RunFolder.FILE));
        }
    }

    /** (Re)writes {@code run.json}: the record plus {@code extra}. */
    public void writeRecord(Map<String, Object> extra) {
        Map<String, Object> m = new LinkedHashMap<>(record);
        m.putAll(extra);
        RunFolder.write(dir, m);
    }

    /** A preset initialized from the seed, or a model file's weights. */
    static Model initialModel(TrainSettings s, Dataset train) {
        if (Presets.names().contains(s.model())) {
            Model net = Presets.create(s.model(), train.height(), train.width(), train.channels(), train.numClasses());
            net.initialize(s.seed());
            return net;
        }
        Path p = Path.of(s.model());
        if (!Files.exists(p)) {
            Path near = NearestName.suggest(p);
            throw new FoveaException("--model " + s.model() + ": neither a preset (" + String.join(", ", Presets.names())
                    + ") nor an existing model file; " + (near == null ? "" : "did you mean " + near + "? Otherwise ")
                    + "check the spelling or the path");
        }
        return ModelFile.load(p).model();
    }

    private static ModelFile.Loaded initFile(String init) {
        Path p = Path.of(init);
        if (!Files.isRegularFile(p)) {
            Path near = NearestName.suggest(p);
            throw new FoveaException("--init " + init + ": no such model file; " + (near == null ? ""
                    : "did you mean " + near + "? Otherwise ") + "pass a .safetensors model written by 'fovea train'"
                    + " or 'fovea import'");
        }
        return ModelFile.load(p);
    }

    /** The model must take the data's images and predict at least its classes. */
    static void checkModel(TrainSettings s, Model net, Dataset train) {
        var in = net.inputShape();
        if (in.dim(0) != train.height() || in.dim(1) != train.width() || in.dim(2) != train.channels()) {
            throw new FoveaException("--model " + s.model() + " expects images of " + in.dim(0) + "×" + in.dim(1) + "×"
                    + in.dim(2) + " but --data " + s.data() + " has " + train.height() + "×" + train.width() + "×"
                    + train.channels() + "; use a preset (it adapts to the data) or a model made for this data");
        }
        if (net.outputShape().dim(-1) < train.numClasses()) {
            throw new FoveaException((s.init() != null ? "--init " : "--model ") + s.model() + " predicts "
                    + net.outputShape().dim(-1) + " classes but --data has " + train.numClasses() + "; use a preset"
                    + " (it adapts), a model with enough outputs, or --init FILE --new-head to replace its last"
                    + " Dense layer");
        }
    }

    /**
     * At most {@code n} images, drawn at random (seeded) so every class stays represented:
     * image folders list one class after another, and the first n would hold only a few classes.
     */
    public static Dataset limit(Dataset d, int n, long seed) {
        if (d == null || n <= 0 || d.size() <= n) {
            return d;
        }
        int[] all = new int[d.size()];
        for (int i = 0; i < all.length; i++) {
            all[i] = i;
        }
        new Rng(seed).split(77).shuffle(all);
        int[] idx = Arrays.copyOf(all, n);
        Arrays.sort(idx);
        return d.subset(idx);
    }

    /** A seeded 10% validation split needs at least one image on each side. */
    private static boolean defaultSplit(Dataset train) {
        long held = Math.round(train.size() * 0.1);
        return held >= 1 && held < train.size();
    }

    /**
     * A model file's provenance as the report's rows: every key as text, the commands last, one
     * row each ({@code command}, or {@code command 1 of 2}, …), read tolerantly (older keys show
     * under today's names).
     */
    public static Map<String, String> reportRows(Map<String, Object> provenance) {
        Provenance p = Provenance.fromMap(provenance);
        Map<String, String> rows = new LinkedHashMap<>();
        p.toMap().forEach((k, v) -> {
            if (!k.equals("commands")) {
                rows.put(k, String.valueOf(v));
            }
        });
        List<String> commands = p.run() == null || p.run().commands() == null ? List.of() : p.run().commands();
        for (int i = 0; i < commands.size(); i++) {
            rows.put(commands.size() == 1 ? "command" : "command " + (i + 1) + " of " + commands.size(), commands.get(i));
        }
        return rows;
    }

    /** An epoch count as typed: "50", "9.9". */
    public static String epochsText(double epochs) {
        return epochs == Math.rint(epochs) ? String.valueOf((long) epochs)
                : String.format(Locale.ROOT, "%.4g", epochs).replaceAll("0+$", "");
    }

    private static boolean sameModel(String given, Object saved) {
        return saved == null || RunFolder.absolute(given).equals(RunFolder.absolute(String.valueOf(saved)));
    }

    private static boolean samePath(Path a, Path b) {
        return a.toAbsolutePath().normalize().equals(b.toAbsolutePath().normalize());
    }

    /**
     * The learning-rate range test on this run's model, data (augmented and normalized as the run
     * trains), optimizer kind, loss and parameter groups, from the weights the run starts with,
     * which it leaves as they were.
     */
    public LearningRateFinder.Result findLearningRate(LearningRateFinder.Options o) {
        TrainSettings s = settings;
        DataFeed feed = new DataFeed(train, s.augmentationConfig(), norm, s.seed());
        return LearningRateFinder.run(model, s::optimizer, loss, groups, feed, s.batchSize(), dropLast, o);
    }

    /** The range test's outcome in one line: its steps, where it stopped, the suggestion. */
    public static String describe(LearningRateFinder.Result r) {
        return String.format(Locale.ROOT, "lr-find took %d steps from %.3g to %.3g%s; suggested rate %.3g (the"
                        + " middle of the longest fall of the smoothed loss), lowest loss at %.3g", r.steps(),
                r.lrs()[0], r.lrs()[r.steps() - 1], r.diverged() ? " (stopped: the loss diverged)" : "",
                r.suggestion(), r.minimumLossLr());
    }

    /** The range test {@code --lr auto} ran, or null when the rate was given. */
    public LearningRateFinder.Result lrFinding() {
        return lrFinding;
    }

    public TrainSettings settings() {
        return settings;
    }

    /** The run folder: {@code --out}, else the resumed one, else {@code runs/MODEL-yyyyMMdd-HHmmss}. */
    public Path dir() {
        return dir;
    }

    /** The checkpoint to continue from (the resumed run's), null for a fresh or restarted run. */
    public Path checkpoint() {
        return checkpoint;
    }

    /** The training images: limited, without the held-out validation part. */
    public Dataset train() {
        return train;
    }

    /** The validation images, null for none. */
    public Dataset validation() {
        return val;
    }

    /** What validation became: {@code test}, a fraction, or {@code none}. */
    public String validationChoice() {
        return validation;
    }

    public Normalization normalization() {
        return norm;
    }

    /** The model to train: the preset or file, initialized, or the checkpoint's. */
    public Model model() {
        return model;
    }

    /** Whether each epoch drops its last partial batch ({@code --drop-last}, or forced for the workers). */
    public boolean dropLast() {
        return dropLast;
    }

    /** Steps of the whole run, ⌈epochs × steps per epoch⌉: the span of the learning-rate schedule. */
    public long totalSteps() {
        return totalSteps;
    }

    /** The optimizer for a trainer in this process (Spark's tasks build their own from the settings). */
    public Optimizer optimizer() {
        return optimizer;
    }

    public SparseCategoricalCrossentropy loss() {
        return loss;
    }

    /** Parameter groups of {@code --lr-multiplier}, null for one group. */
    public List<ParamGroup> groups() {
        return groups;
    }

    /** The recipe's callbacks (freezing, lookahead), for a trainer in this process. */
    public List<Callback> callbacks() {
        return callbacks;
    }

    /** Every command of the run, oldest first, this one last. */
    public List<String> commands() {
        return List.copyOf(commands);
    }

    /** The provenance a front end adds to the model file: commands, data, its hashes, the limit. */
    public Provenance.Run provenance() {
        return provenance;
    }

    /**
     * Model-file metadata for a trainer: class names, preprocessing and {@code run} as the
     * provenance, plus the {@code --init} file and its SHA-256 when the run started from one (kept
     * by fit as provenance keys of its own, so the model file and the report name them).
     */
    public ModelFile.Info info(Provenance.Run run) {
        Map<String, Object> provenance = Provenance.empty().withRun(run).toMap();
        if (record.containsKey("init")) {
            provenance.put("init", record.get("init"));
            provenance.put("init_sha256", record.get("init_sha256"));
        }
        return new ModelFile.Info(train.classNames(), norm.toMap(), provenance);
    }

    /** What {@code run.json} records (without a front end's extra keys). */
    public Map<String, Object> record() {
        return new LinkedHashMap<>(record);
    }
}
