package dev.fovea.run;

import dev.fovea.FoveaException;
import dev.fovea.data.Augmentation;
import dev.fovea.data.DataSources;
import dev.fovea.data.Dataset;
import dev.fovea.data.Normalization;
import dev.fovea.eval.TestTimeAugmentation;
import dev.fovea.loss.Reduction;
import dev.fovea.loss.SparseCategoricalCrossentropy;
import dev.fovea.nn.Conv2D;
import dev.fovea.nn.Initializers;
import dev.fovea.nn.Layer;
import dev.fovea.nn.Model;
import dev.fovea.nn.Param;
import dev.fovea.optim.Adam;
import dev.fovea.optim.AdamW;
import dev.fovea.optim.Constant;
import dev.fovea.optim.LearningRateSchedule;
import dev.fovea.optim.Optimizer;
import dev.fovea.optim.ParamGroup;
import dev.fovea.optim.PiecewiseLinear;
import dev.fovea.optim.SGD;
import dev.fovea.train.Callback;
import dev.fovea.train.FreezeSchedule;
import dev.fovea.train.Lookahead;
import java.io.Serializable;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Predicate;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * The settings of one training run, whichever front end starts it ({@code fovea train},
 * {@code fovea spark train}, Java): every option's flag and help ({@link Options}), its default,
 * its check, its {@code run.json} key ({@link #toMap()}) and what it builds (the optimizer and
 * schedule, the loss, parameter groups, the recipe's callbacks, the initialization of a fresh
 * run) live in this one file, so adding an option touches it alone (an augmentation flag:
 * {@link AugmentationOptions}). A value comes from, in order: the command line, the resumed run's
 * {@code run.json}, the preset's recipe ({@link Recipes}), then the plain defaults, which follow
 * the Keras tutorial (tutorial-cnn, 50 epochs, Adam at 0.001, batch 32, no augmentation).
 * {@code validation} is null when neither says: the run then picks the test split, or a seeded
 * 10% without one, once it sees the data. Serializable, for Spark's tasks.
 */
public record TrainSettings(String model, String data, double epochs, int batchSize, String optimizer, Double lr,
                            Double momentum, boolean nesterov, Double weightDecay, double labelSmoothing,
                            Map<String, Object> augmentation, String validation, boolean normalize, int limit,
                            long seed, int verbose, String lrSchedule, double warmup, double lrStartFactor,
                            double lrEndFactor, String weightDecayMode, List<String> lrMultipliers,
                            String lossReduction, boolean dropLast, int lookahead, String whiten, boolean dirac,
                            List<String> freeze, List<String> freezeAfter, String tta, boolean lrAuto, String init,
                            boolean newHead) implements Serializable {
    /** The word that asks {@code --lr} to be found by the learning-rate range test. */
    public static final String AUTO = "auto";

    public TrainSettings {
        augmentation = new LinkedHashMap<>(augmentation);
        lrMultipliers = List.copyOf(lrMultipliers);
        freeze = List.copyOf(freeze);
        freezeAfter = List.copyOf(freezeAfter);
    }

    /** Every option of {@code fovea train} (a picocli mixin); a null field was not given. */
    @Command(sortOptions = false)
    public static final class Options {
        @Spec(Spec.Target.MIXEE)
        CommandSpec mixee;

        @Option(names = "--model", paramLabel = "PRESET|FILE", description = "Preset or model file to start from (default: tutorial-cnn).")
        String model;

        @Option(names = "--init", paramLabel = "FILE",
                description = "Start from a model file's layers, weights and preprocessing (e.g. one written by"
                        + " 'fovea import'): fine-tuning; instead of --model.")
        String init;

        @Option(names = "--new-head", description = "With --init: when the data has another number of classes than"
                + " the model's outputs, replace its last Dense layer by a new one with an output per class.")
        Boolean newHead;

        @Option(names = "--data", paramLabel = "PATH", description = "cifar10 (cached download), a CIFAR-10 .tar.gz/folder/.bin, or an image folder/.zip (default: cifar10).")
        String data;

        @Option(names = "--epochs", paramLabel = "N", description = "Total epochs of the run, may be fractional as 9.9"
                + " (default: 50; the fast presets bring their own).")
        Double epochs;

        @Option(names = "--batch-size", paramLabel = "N", description = "Images per training step (default: 32).")
        Integer batchSize;

        @Option(names = "--optimizer", paramLabel = "NAME", description = "adam, adamw or sgd (default: adam).")
        String optimizer;

        @Option(names = "--lr", paramLabel = "RATE|auto", description = "Learning rate, or auto: the rate 'fovea lr-find'"
                + " suggests for this run, found before it starts (default: 0.001 for adam/adamw, 0.01 for sgd).")
        String lr;

        @Option(names = "--momentum", paramLabel = "M", description = "SGD momentum (default: 0.9 with sgd).")
        Double momentum;

        @Option(names = "--nesterov", negatable = true, description = "Nesterov momentum for sgd.")
        Boolean nesterov;

        @Option(names = "--weight-decay", paramLabel = "W", description = "Decoupled weight decay (default: 0; 0.004 for adamw).")
        Double weightDecay;

        @Option(names = "--label-smoothing", paramLabel = "S", description = "Label smoothing of the loss (default: 0).")
        Double labelSmoothing;

        @Mixin
        AugmentationOptions augmentation = new AugmentationOptions();

        @Option(names = "--lr-schedule", paramLabel = "NAME",
                description = "constant, or warmup-linear: the rate rises linearly from --lr-start-factor to 1 over"
                        + " --warmup of the steps, then falls linearly to --lr-end-factor (default: constant).")
        String lrSchedule;

        @Option(names = "--warmup", paramLabel = "FRACTION", description = "Share of the steps spent warming up (default: 0.23).")
        Double warmup;

        @Option(names = "--lr-start-factor", paramLabel = "F", description = "Rate multiplier at step 0 (default: 0.2).")
        Double lrStartFactor;

        @Option(names = "--lr-end-factor", paramLabel = "F", description = "Rate multiplier at the last step (default: 0.07).")
        Double lrEndFactor;

        @Option(names = "--weight-decay-mode", paramLabel = "MODE",
                description = "decoupled (Keras: w -= w*wd*lr) or absolute (sgd only: PyTorch momentum, wd/lr_group*w added"
                        + " to the gradient, so every group decays by the same wd per step) (default: decoupled).")
        String weightDecayMode;

        @Option(names = "--lr-multiplier", paramLabel = "GLOB=X",
                description = "Learning-rate multiplier for the parameters whose names match GLOB, e.g."
                        + " '*/beta=64' for BatchNormalization shifts; repeatable.")
        List<String> lrMultipliers;

        @Option(names = "--loss-reduction", paramLabel = "mean|sum", description = "Average or sum the loss over a batch (default: mean).")
        String lossReduction;

        @Option(names = "--drop-last", negatable = true, description = "Drop the last partial batch of every epoch.")
        Boolean dropLast;

        @Option(names = "--lookahead", paramLabel = "STEPS",
                description = "Every STEPS steps pull the weights and BN statistics into an EMA and back (0 = off; default 0).")
        Integer lookahead;

        @Option(names = "--whiten", paramLabel = "LAYER",
                description = "Initialize this 2*k*k*C-filter conv from the training images' patch covariance (whitening).")
        String whiten;

        @Option(names = "--dirac", negatable = true,
                description = "Set the first C filters of every stride-1 odd-kernel conv with F >= C inputs to the identity.")
        Boolean dirac;

        @Option(names = "--freeze", paramLabel = "GLOB",
                description = "Never train the parameters whose names match GLOB, e.g. 'whiten/kernel'; repeatable.")
        List<String> freeze;

        @Option(names = "--freeze-after", paramLabel = "GLOB=N",
                description = "Train the matching parameters for the first N epochs only, e.g. 'whiten/bias=3'; repeatable.")
        List<String> freezeAfter;

        @Option(names = "--tta", paramLabel = "none|flip|6view",
                description = "Also report the final accuracy with test-time augmentation (default: none).")
        String tta;

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

        public Path out() {
            return out;
        }

        public Path resume() {
            return resume;
        }

        public boolean overwrite() {
            return overwrite;
        }

        public boolean noReport() {
            return noReport;
        }

        /** {@code --model} as given, null when not. */
        public String model() {
            return model;
        }

        /** {@code --lr} as typed: a number, {@code auto}, or null. */
        public String lr() {
            return lr;
        }

        /** {@code --data} as given, null when not. */
        public String data() {
            return data;
        }

        /** Every number given, checked before anything is read or written. */
        public void check() {
            Check.positive("--epochs", epochs, "the run's total number of epochs");
            Check.positive("--batch-size", batchSize, "images per training step");
            Check.positive("--limit", limit, "images of each split; omit --limit to use them all");
            if (lr != null && !lr.equalsIgnoreCase(AUTO)) {
                Check.positive("--lr", rate(lr), "the learning rate, or auto");
            }
            Check.range("--momentum", momentum, 0, 1, false, "SGD momentum");
            Check.range("--weight-decay", weightDecay, 0, Double.POSITIVE_INFINITY, false, "decoupled weight decay");
            Check.range("--label-smoothing", labelSmoothing, 0, 1, false, "label smoothing");
            Check.between("--verbose", verbose, 0, 2, "0 silent, 1 progress bar, 2 one line per epoch");
            augmentation.check();
            Check.range("--warmup", warmup, 0, 1, true, "a share of the steps");
            Check.range("--lr-start-factor", lrStartFactor, 0, Double.POSITIVE_INFINITY, false, "a multiplier of the rate");
            Check.range("--lr-end-factor", lrEndFactor, 0, Double.POSITIVE_INFINITY, false, "a multiplier of the rate");
            Check.atLeast("--lookahead", lookahead, 0, "steps between EMA updates, 0 = off");
        }

        /** Whether the command line named {@code option} (flags with a default cannot say it by null). */
        private boolean given(String option) {
            return mixee != null && mixee.commandLine() != null
                    && mixee.commandLine().getParseResult().hasMatchedOption(option);
        }

        /**
         * The effective settings: what was given, else {@code saved} (a resumed run's
         * {@code run.json}, empty for a new run), else the preset's recipe, else the defaults.
         */
        public TrainSettings resolve(Map<String, Object> saved) {
            if (init != null && model != null) {
                throw new FoveaException("--init " + init + " and --model " + model + " both given; pass one: --init"
                        + " starts from a model file with its weights and preprocessing, --model from a preset");
            }
            String i = pick(init, saved, "init", null);
            String m = i != null ? i : pick(model, saved, "model", "tutorial-cnn");
            // The recipe's defaults sit under the run's own: a resumed run recorded every value.
            Map<String, Object> s = new LinkedHashMap<>(Recipes.defaults(m));
            s.putAll(saved);
            String v = pick(validation, s, "validation", null);
            @SuppressWarnings("unchecked")
            Map<String, Object> savedAugmentation = (Map<String, Object>) s.getOrDefault("augmentation", Map.of());
            Predicate<String> given = this::given;
            return new TrainSettings(m, pick(data, s, "data", DataSources.CIFAR10),
                    number(pick(epochs, s, "epochs", 50)).doubleValue(),
                    number(pick(batchSize, s, "batch_size", 32)).intValue(),
                    pick(optimizer, s, "optimizer", "adam").toLowerCase(Locale.ROOT),
                    lr == null ? real(s.get("lr")) : lr.equalsIgnoreCase(AUTO) ? null : rate(lr),
                    real(pick(momentum, s, "momentum", null)),
                    pick(nesterov, s, "nesterov", false), real(pick(weightDecay, s, "weight_decay", null)),
                    number(pick(labelSmoothing, s, "label_smoothing", 0.0)).doubleValue(),
                    augmentation.resolve(given, savedAugmentation),
                    // null: the test split when the data has one, else a seeded 10% (decided once loaded).
                    v == null ? null : v.toLowerCase(Locale.ROOT),
                    pick(normalize, s, "normalize", false), number(pick(limit, s, "limit", 0)).intValue(),
                    number(pick(seed, s, "seed", 0L)).longValue(), number(pick(verbose, s, "verbose", 1)).intValue(),
                    pick(lrSchedule, s, "lr_schedule", "constant").toLowerCase(Locale.ROOT),
                    number(pick(warmup, s, "warmup", 0.23)).doubleValue(),
                    number(pick(lrStartFactor, s, "lr_start_factor", 0.2)).doubleValue(),
                    number(pick(lrEndFactor, s, "lr_end_factor", 0.07)).doubleValue(),
                    pick(weightDecayMode, s, "weight_decay_mode", "decoupled").toLowerCase(Locale.ROOT),
                    strings(pick(lrMultipliers, s, "lr_multipliers", List.of())),
                    pick(lossReduction, s, "loss_reduction", "mean").toLowerCase(Locale.ROOT),
                    pick(dropLast, s, "drop_last", false), number(pick(lookahead, s, "lookahead", 0)).intValue(),
                    pick(whiten, s, "whiten", null), pick(dirac, s, "dirac", false),
                    strings(pick(freeze, s, "freeze", List.of())),
                    strings(pick(freezeAfter, s, "freeze_after", List.of())),
                    pick(tta, s, "tta", "none").toLowerCase(Locale.ROOT),
                    // Given: find anew. Not given: whether the resumed run's recorded rate was found.
                    lr != null ? lr.equalsIgnoreCase(AUTO) : pick(null, s, "lr_auto", false),
                    i, pick(newHead, s, "new_head", false));
        }

        /** The number of {@code --lr RATE}; picocli has only checked that it is a word. */
        private static double rate(String text) {
            try {
                return Double.parseDouble(text);
            } catch (NumberFormatException e) {
                throw new FoveaException("--lr " + text + ": expected a number such as 0.001, or auto");
            }
        }

        @SuppressWarnings("unchecked")
        private static <T> T pick(T given, Map<String, Object> saved, String key, T dflt) {
            if (given != null) {
                return given;
            }
            Object v = saved.get(key);
            return v != null ? (T) v : dflt;
        }

        private static Number number(Object o) {
            return (Number) o;
        }

        private static Double real(Object o) {
            return o == null ? null : ((Number) o).doubleValue();
        }

        private static List<String> strings(Object o) {
            List<String> out = new ArrayList<>();
            for (Object v : (List<?>) o) {
                out.add(String.valueOf(v));
            }
            return out;
        }
    }

    /** Holds the mixin for {@link #parse}. */
    @Command(name = "train")
    private static final class Parsed {
        @Mixin
        Options options = new Options();
    }

    /**
     * The settings of a new run given as {@code fovea train}'s options, e.g.
     * {@code TrainSettings.parse("--model", "fast-small", "--epochs", "2")}: the Java way to the
     * same defaults, recipe and checks as the command line. Run-folder options are ignored here.
     */
    public static TrainSettings parse(String... args) {
        Parsed p = new Parsed();
        try {
            new CommandLine(p).parseArgs(args);
        } catch (CommandLine.ParameterException e) {
            throw new FoveaException(e.getMessage() + "; see 'fovea train --help'");
        }
        p.options.check();
        TrainSettings s = p.options.resolve(Map.of());
        s.check();
        return s;
    }

    /**
     * Checks names and combinations before any data is read, including the resumed or recipe
     * values the command line did not give; the builders below rely on it.
     */
    public void check() {
        requireOne("--lr-schedule", lrSchedule, "constant", "warmup-linear");
        requireOne("--loss-reduction", lossReduction, "mean", "sum");
        requireOne("--tta", tta, "none", "flip", "6view");
        requireOne("--optimizer", optimizer, "adam", "adamw", "sgd");
        requireOne("--weight-decay-mode", weightDecayMode, "decoupled", "absolute");
        if (weightDecayMode.equals("absolute") && !optimizer.equals("sgd")) {
            throw new FoveaException("--weight-decay-mode absolute works with --optimizer sgd only (received "
                    + optimizer + "); use --weight-decay-mode decoupled with adam or adamw");
        }
        if (lookahead < 0) {
            throw new FoveaException("--lookahead " + lookahead + ": expected a whole number >= 0 (steps, 0 = off)");
        }
        if (validation != null && !validation.equals("test") && !validation.equals("none")) {
            validationFraction(validation);
        }
        augmentationConfig();
        if (newHead && init == null) {
            throw new FoveaException("--new-head replaces the last Dense layer of a model file given with --init FILE;"
                    + " a preset (--model " + model + ") is built with an output per class already");
        }
        if (init != null && normalize) {
            throw new FoveaException("--normalize with --init " + init + ": the model file records the preprocessing"
                    + " it was trained with, which fine-tuning keeps; drop --normalize");
        }
    }

    private static void requireOne(String option, String value, String... names) {
        if (!List.of(names).contains(value)) {
            throw new FoveaException(option + " " + value + ": unknown; expected "
                    + String.join(", ", List.of(names).subList(0, names.length - 1)) + " or " + names[names.length - 1]);
        }
    }

    /** The fraction of {@code --validation 0.1}. */
    static double validationFraction(String validation) {
        try {
            double f = Double.parseDouble(validation);
            if (f > 0 && f < 1) {
                return f;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new FoveaException("--validation " + validation + ": expected test, none, or a fraction in (0, 1) such as 0.1");
    }

    /** What {@code run.json} records (paths absolute, so that {@code --resume} works from any folder). */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("model", RunFolder.absolute(model));
        m.put("data", RunFolder.absolute(data));
        m.put("epochs", epochs == Math.rint(epochs) ? (Object) (int) epochs : (Object) epochs);
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
        m.put("lr_schedule", lrSchedule);
        m.put("warmup", warmup);
        m.put("lr_start_factor", lrStartFactor);
        m.put("lr_end_factor", lrEndFactor);
        m.put("weight_decay_mode", weightDecayMode);
        m.put("lr_multipliers", lrMultipliers);
        m.put("loss_reduction", lossReduction);
        m.put("drop_last", dropLast);
        m.put("lookahead", lookahead);
        m.put("whiten", whiten);
        m.put("dirac", dirac);
        m.put("freeze", freeze);
        m.put("freeze_after", freezeAfter);
        m.put("tta", tta);
        m.put("lr_auto", lrAuto);
        m.put("augmentation", augmentation);
        // Only when used, so that run.json of a run without them reads as before.
        if (init != null) {
            m.put("init", RunFolder.absolute(init));
        }
        if (newHead) {
            m.put("new_head", true);
        }
        return m;
    }

    /** The training augmentation. */
    public Augmentation augmentationConfig() {
        return AugmentationOptions.fromMap(augmentation).toAugmentation();
    }

    public TestTimeAugmentation.Level ttaLevel() {
        return TestTimeAugmentation.Level.parse(tta);
    }

    /** Training steps of a run of {@code epochs} over {@code images} in batches of {@code batch}. */
    public static long totalSteps(double epochs, int images, int batch, boolean dropLast) {
        long perEpoch = dropLast ? images / batch : (images + batch - 1L) / batch;
        return (long) Math.ceil(epochs * perEpoch - 1e-9);
    }

    /** The learning-rate schedule from {@code lr} over the run's {@code totalSteps}. */
    LearningRateSchedule schedule(double lr, long totalSteps) {
        return switch (lrSchedule) {
            case "constant" -> new Constant(lr);
            case "warmup-linear" -> {
                if (totalSteps < 2 || (long) (warmup * totalSteps) >= totalSteps) {
                    throw new FoveaException("--lr-schedule warmup-linear: the run has " + totalSteps + " steps and"
                            + " --warmup " + warmup + " leaves no decay; train more steps or lower --warmup");
                }
                yield PiecewiseLinear.warmupDecay(lr, totalSteps, warmup, lrStartFactor, lrEndFactor);
            }
            default -> throw unchecked("--lr-schedule", lrSchedule);
        };
    }

    /** The base learning rate: {@code --lr}, else the optimizer's default. */
    public double rate() {
        return lr != null ? lr : optimizer.equals("sgd") ? 0.01 : 1e-3;
    }

    /** A fresh optimizer with its schedule over the run's {@code totalSteps}. */
    public Optimizer optimizer(long totalSteps) {
        return optimizer(schedule(rate(), totalSteps));
    }

    /**
     * A fresh optimizer of this run's kind and settings whose rate follows {@code schedule}
     * instead (the learning-rate range test's ramp); an absolute weight decay stays relative to
     * {@link #rate()}.
     */
    public Optimizer optimizer(LearningRateSchedule schedule) {
        return switch (optimizer) {
            case "adam" -> new Adam(schedule, 0.9, 0.999, 1e-7, weightDecay == null ? 0 : weightDecay);
            case "adamw" -> new AdamW(schedule, weightDecay == null ? 0.004 : weightDecay);
            case "sgd" -> {
                double m = momentum == null ? 0.9 : momentum;
                double wd = weightDecay == null ? 0 : weightDecay;
                yield weightDecayMode.equals("absolute")
                        ? SGD.absoluteDecay(schedule, rate(), m, nesterov, wd)
                        : new SGD(schedule, m, nesterov, wd);
            }
            default -> throw unchecked("--optimizer", optimizer);
        };
    }

    /** These settings with the learning rate {@code rate}, as {@code --lr auto} found it. */
    public TrainSettings withLr(double rate) {
        return new TrainSettings(model, data, epochs, batchSize, optimizer, rate, momentum, nesterov, weightDecay,
                labelSmoothing, augmentation, validation, normalize, limit, seed, verbose, lrSchedule, warmup,
                lrStartFactor, lrEndFactor, weightDecayMode, lrMultipliers, lossReduction, dropLast, lookahead,
                whiten, dirac, freeze, freezeAfter, tta, lrAuto, init, newHead);
    }

    public Reduction reduction() {
        return switch (lossReduction) {
            case "mean" -> Reduction.MEAN;
            case "sum" -> Reduction.SUM;
            default -> throw unchecked("--loss-reduction", lossReduction);
        };
    }

    /** The loss: from logits unless the model ends in softmax, smoothed and reduced as asked. */
    public SparseCategoricalCrossentropy loss(Model net) {
        return new SparseCategoricalCrossentropy(!net.endsInSoftmax(), (float) labelSmoothing, reduction());
    }

    /** Parameter groups of {@code --lr-multiplier}; the rest at the optimizer's rate. Null when none is asked. */
    public List<ParamGroup> groups(Model net) {
        if (lrMultipliers.isEmpty()) {
            return null;
        }
        Map<Param, Double> multiplier = new IdentityHashMap<>();
        Map<String, Param> named = net.namedParams();
        for (String arg : lrMultipliers) {
            String[] kv = ParamGlobs.keyValue("--lr-multiplier", arg, "'*/beta=64'");
            double m = ParamGlobs.number("--lr-multiplier", arg, kv[1]);
            for (String name : ParamGlobs.matching(net, kv[0], "--lr-multiplier")) {
                multiplier.put(named.get(name), m);
            }
        }
        Map<Double, List<Param>> byRate = new LinkedHashMap<>();
        byRate.put(1.0, new ArrayList<>());
        for (Param p : net.params()) {
            byRate.computeIfAbsent(multiplier.getOrDefault(p, 1.0), k -> new ArrayList<>()).add(p);
        }
        List<ParamGroup> groups = new ArrayList<>();
        byRate.forEach((m, ps) -> groups.add(new ParamGroup(ps, m)));
        return groups;
    }

    /** The recipe's callbacks: the freeze schedule and the lookahead average, as asked. */
    public List<Callback> callbacks(Model net, long totalSteps) {
        List<Callback> out = new ArrayList<>();
        List<FreezeSchedule.Rule> rules = new ArrayList<>();
        for (String glob : freeze) {
            rules.add(FreezeSchedule.Rule.always(ParamGlobs.matching(net, glob, "--freeze").toArray(String[]::new)));
        }
        for (String arg : freezeAfter) {
            String[] kv = ParamGlobs.keyValue("--freeze-after", arg, "'whiten/bias=3'");
            double n = ParamGlobs.number("--freeze-after", arg, kv[1]);
            if (n != Math.rint(n)) {
                throw new FoveaException("--freeze-after " + arg + ": expected a whole number of epochs after '='");
            }
            rules.add(FreezeSchedule.Rule.trainedFor((int) n,
                    ParamGlobs.matching(net, kv[0], "--freeze-after").toArray(String[]::new)));
        }
        if (!rules.isEmpty()) {
            out.add(new FreezeSchedule(rules));
        }
        if (lookahead > 0) {
            out.add(new Lookahead(totalSteps, lookahead, 0.95, 3)); // airbench's decay and power
        }
        return out;
    }

    /**
     * The data-dependent and identity initialization of a fresh run: {@code --whiten LAYER} from
     * the (normalized) training images, then {@code --dirac} on every conv it applies to.
     * Returns what it did, for the console.
     */
    public List<String> initialize(Model net, Dataset train, Normalization norm) {
        List<String> done = new ArrayList<>();
        if (whiten != null) {
            Layer l;
            try {
                l = net.layer(whiten);
            } catch (RuntimeException e) {
                throw new FoveaException("--whiten " + whiten + ": the model has no layer of that name; pass the name"
                        + " of its first Conv2D (see 'fovea summary')");
            }
            if (!(l instanceof Conv2D conv)) {
                throw new FoveaException("--whiten " + whiten + ": is a " + l.typeName() + ", expected a Conv2D");
            }
            Initializers.whitening(conv, norm.toFloat(train, Initializers.WHITENING_IMAGES));
            done.add("whitening of " + whiten + " from "
                    + Math.min(train.size(), Initializers.WHITENING_IMAGES) + " training images");
        }
        if (dirac) {
            // Every convolution it applies to, nested models' included.
            int n = Initializers.dirac(net, whiten).size();
            done.add("dirac identity in " + n + " convolutions");
        }
        return done;
    }

    /** A name {@link #check} lets through but a switch does not know: a bug here, not the user's. */
    private static IllegalStateException unchecked(String option, String value) {
        return new IllegalStateException(option + " " + value + " passed TrainSettings.check but has no case");
    }
}
