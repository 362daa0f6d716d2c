package dev.fovea.cli;

import dev.fovea.data.Dataset;
import dev.fovea.data.Normalization;
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
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Turns the effective {@link Settings} of {@code fovea train} into the library's objects: the
 * optimizer and its learning-rate schedule, parameter groups, the loss, the recipe callbacks
 * (freezing, lookahead) and the initialization a fresh run applies from the data (whitening,
 * dirac). Everything here is a general building block picked by an option; the fast presets
 * only change the options' defaults ({@link Recipes}).
 */
final class TrainSetup {
    private TrainSetup() {
    }

    /**
     * Checks the option names and combinations before any data is read; the builders below rely on
     * it and do not check again.
     */
    static void check(Settings s) {
        if (!List.of("constant", "warmup-linear").contains(s.lrSchedule)) {
            throw new UserError("--lr-schedule " + s.lrSchedule + ": unknown; expected constant or warmup-linear");
        }
        if (!List.of("mean", "sum").contains(s.lossReduction)) {
            throw new UserError("--loss-reduction " + s.lossReduction + ": unknown; expected mean or sum");
        }
        if (!List.of("none", "flip", "6view").contains(s.tta)) {
            throw new UserError("--tta " + s.tta + ": unknown; expected none, flip or 6view");
        }
        if (!List.of("adam", "adamw", "sgd").contains(s.optimizer)) {
            throw new UserError("--optimizer " + s.optimizer + ": unknown; expected adam, adamw or sgd");
        }
        if (!List.of("decoupled", "absolute").contains(s.weightDecayMode)) {
            throw new UserError("--weight-decay-mode " + s.weightDecayMode + ": unknown; expected decoupled or absolute");
        }
        if (s.weightDecayMode.equals("absolute") && !s.optimizer.equals("sgd")) {
            throw new UserError("--weight-decay-mode absolute works with --optimizer sgd only (received "
                    + s.optimizer + "); use --weight-decay-mode decoupled with adam or adamw");
        }
        if (s.lookahead < 0) {
            throw new UserError("--lookahead " + s.lookahead + ": expected a whole number >= 0 (steps, 0 = off)");
        }
    }

    /** A name {@link #check} lets through but a switch does not know: a bug here, not the user's. */
    private static IllegalStateException unchecked(String option, String value) {
        return new IllegalStateException(option + " " + value + " passed TrainSetup.check but has no case");
    }

    /** Training steps of a run of {@code epochs} over {@code images} in batches of {@code batch}. */
    static long totalSteps(double epochs, int images, int batch, boolean dropLast) {
        long perEpoch = dropLast ? images / batch : (images + batch - 1L) / batch;
        return (long) Math.ceil(epochs * perEpoch - 1e-9);
    }

    static LearningRateSchedule schedule(Settings s, double lr, long totalSteps) {
        return switch (s.lrSchedule) {
            case "constant" -> new Constant(lr);
            case "warmup-linear" -> {
                if (totalSteps < 2 || (long) (s.warmup * totalSteps) >= totalSteps) {
                    throw new UserError("--lr-schedule warmup-linear: the run has " + totalSteps + " steps and"
                            + " --warmup " + s.warmup + " leaves no decay; train more steps or lower --warmup");
                }
                yield PiecewiseLinear.warmupDecay(lr, totalSteps, s.warmup, s.lrStartFactor, s.lrEndFactor);
            }
            default -> throw unchecked("--lr-schedule", s.lrSchedule);
        };
    }

    static Optimizer optimizer(Settings s, long totalSteps) {
        boolean absolute = s.weightDecayMode.equals("absolute");
        return switch (s.optimizer) {
            case "adam" -> {
                double lr = s.lr == null ? 1e-3 : s.lr;
                yield new Adam(schedule(s, lr, totalSteps), 0.9, 0.999, 1e-7, s.weightDecay == null ? 0 : s.weightDecay);
            }
            case "adamw" -> {
                double lr = s.lr == null ? 1e-3 : s.lr;
                yield new AdamW(schedule(s, lr, totalSteps), s.weightDecay == null ? 0.004 : s.weightDecay);
            }
            case "sgd" -> {
                double lr = s.lr == null ? 0.01 : s.lr;
                double momentum = s.momentum == null ? 0.9 : s.momentum;
                double wd = s.weightDecay == null ? 0 : s.weightDecay;
                yield absolute ? SGD.absoluteDecay(schedule(s, lr, totalSteps), lr, momentum, s.nesterov, wd)
                        : new SGD(schedule(s, lr, totalSteps), momentum, s.nesterov, wd);
            }
            default -> throw unchecked("--optimizer", s.optimizer);
        };
    }

    /** The loss: from logits unless the model ends in softmax, smoothed and reduced as asked. */
    static SparseCategoricalCrossentropy loss(Settings s, Model net) {
        Reduction reduction = switch (s.lossReduction) {
            case "mean" -> Reduction.MEAN;
            case "sum" -> Reduction.SUM;
            default -> throw unchecked("--loss-reduction", s.lossReduction);
        };
        return new SparseCategoricalCrossentropy(!net.endsInSoftmax(), (float) s.labelSmoothing, reduction);
    }

    /** A glob over parameter names ({@code *} any run of characters, {@code ?} one) as a pattern. */
    static Pattern glob(String glob) {
        StringBuilder re = new StringBuilder();
        for (char ch : glob.toCharArray()) {
            re.append(ch == '*' ? ".*" : ch == '?' ? "." : Pattern.quote(String.valueOf(ch)));
        }
        return Pattern.compile(re.toString());
    }

    /** The names of {@code net}'s parameters that {@code glob} matches; none is a user error. */
    static List<String> matching(Model net, String glob, String option) {
        Pattern p = glob(glob);
        List<String> names = new ArrayList<>();
        for (String name : net.namedParams().keySet()) {
            if (p.matcher(name).matches()) {
                names.add(name);
            }
        }
        if (names.isEmpty()) {
            List<String> all = List.copyOf(net.namedParams().keySet());
            throw new UserError(option + " " + glob + ": matches none of the model's parameters; its names look like "
                    + all.subList(0, Math.min(4, all.size())) + " (see 'fovea summary --model ...')");
        }
        return names;
    }

    /** Splits "GLOB=VALUE" at its last '='. */
    static String[] keyValue(String option, String arg, String example) {
        int eq = arg.lastIndexOf('=');
        if (eq <= 0 || eq == arg.length() - 1) {
            throw new UserError(option + " " + arg + ": expected GLOB=VALUE, e.g. " + example);
        }
        return new String[]{arg.substring(0, eq), arg.substring(eq + 1)};
    }

    private static double number(String option, String arg, String text) {
        try {
            double v = Double.parseDouble(text);
            if (v >= 0 && Double.isFinite(v)) {
                return v;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new UserError(option + " " + arg + ": expected a number >= 0 after '=', received '" + text + "'");
    }

    /** Parameter groups of {@code --lr-multiplier}; the rest at the optimizer's rate. Null when none is asked. */
    static List<ParamGroup> groups(Settings s, Model net) {
        if (s.lrMultipliers.isEmpty()) {
            return null;
        }
        Map<Param, Double> multiplier = new IdentityHashMap<>();
        Map<String, Param> named = net.namedParams();
        for (String arg : s.lrMultipliers) {
            String[] kv = keyValue("--lr-multiplier", arg, "'*/beta=64'");
            double m = number("--lr-multiplier", arg, kv[1]);
            for (String name : matching(net, kv[0], "--lr-multiplier")) {
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
    static List<Callback> callbacks(Settings s, Model net, long totalSteps) {
        List<Callback> out = new ArrayList<>();
        List<FreezeSchedule.Rule> rules = new ArrayList<>();
        for (String glob : s.freeze) {
            rules.add(FreezeSchedule.Rule.always(matching(net, glob, "--freeze").toArray(String[]::new)));
        }
        for (String arg : s.freezeAfter) {
            String[] kv = keyValue("--freeze-after", arg, "'whiten/bias=3'");
            double n = number("--freeze-after", arg, kv[1]);
            if (n != Math.rint(n)) {
                throw new UserError("--freeze-after " + arg + ": expected a whole number of epochs after '='");
            }
            rules.add(FreezeSchedule.Rule.trainedFor((int) n,
                    matching(net, kv[0], "--freeze-after").toArray(String[]::new)));
        }
        if (!rules.isEmpty()) {
            out.add(new FreezeSchedule(rules));
        }
        if (s.lookahead > 0) {
            out.add(new Lookahead(totalSteps, s.lookahead, 0.95, 3)); // airbench's decay and power
        }
        return out;
    }

    /**
     * The data-dependent and identity initialization of a fresh run: {@code --whiten LAYER} from
     * the (normalized) training images, then {@code --dirac} on every conv it applies to.
     * Returns what it did, for the console.
     */
    static List<String> initialize(Settings s, Model net, Dataset train, Normalization norm) {
        List<String> done = new ArrayList<>();
        if (s.whiten != null) {
            Layer l;
            try {
                l = net.layer(s.whiten);
            } catch (RuntimeException e) {
                throw new UserError("--whiten " + s.whiten + ": the model has no layer of that name; pass the name of"
                        + " its first Conv2D (see 'fovea summary')");
            }
            if (!(l instanceof Conv2D conv)) {
                throw new UserError("--whiten " + s.whiten + ": is a " + l.typeName() + ", expected a Conv2D");
            }
            Initializers.whitening(conv, norm.toFloat(train, Initializers.WHITENING_IMAGES));
            done.add("whitening of " + s.whiten + " from "
                    + Math.min(train.size(), Initializers.WHITENING_IMAGES) + " training images");
        }
        if (s.dirac) {
            // Every convolution it applies to, nested models' included.
            int n = Initializers.dirac(net, s.whiten).size();
            done.add("dirac identity in " + n + " convolutions");
        }
        return done;
    }
}
