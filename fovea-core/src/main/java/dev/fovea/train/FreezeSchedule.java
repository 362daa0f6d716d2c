package dev.fovea.train;

import dev.fovea.FoveaException;
import dev.fovea.nn.Model;
import dev.fovea.nn.Param;
import java.util.List;
import java.util.Map;

/**
 * Freezes parameters for ranges of epochs: the callback form of {@link Param#setFrozen}. At the
 * start of every epoch it sets the frozen state of each parameter its rules name from the epoch
 * number alone (frozen when a rule covering that epoch names it, unfrozen otherwise), so a run
 * resumed from a checkpoint at epoch e has exactly the state an uninterrupted run has at e, and
 * nothing about freezing needs saving. Parameters no rule names are never touched.
 *
 * <p>Rules name parameters as {@link Model#namedParams()} does ({@code whiten/kernel}), or a
 * whole layer by its name ({@code whiten}: all its parameters), and are resolved against the
 * trained model at each epoch, so they survive {@code Model.initialize} and a model rebuilt from
 * a checkpoint. airbench94's whitening conv, its kernel frozen throughout and its bias trained
 * for the first 3 epochs:
 * <pre>{@code
 * new FreezeSchedule(Rule.always("whiten/kernel"), Rule.trainedFor(3, "whiten/bias"))
 * }</pre>
 * Epochs count from 1, as in {@link Callback}. Not a step-level schedule: a state changes only
 * at an epoch boundary.
 */
public final class FreezeSchedule implements Callback {
    /** Unbounded end of a rule's range. */
    public static final int FOREVER = Integer.MAX_VALUE;

    private final List<Rule> rules;

    /**
     * Parameters frozen during epochs {@code firstEpoch..lastEpoch} (inclusive, counting from 1).
     * An empty range ({@code lastEpoch = firstEpoch − 1}) freezes nothing.
     */
    public record Rule(List<String> names, int firstEpoch, int lastEpoch) {
        public Rule {
            names = List.copyOf(names);
            if (names.isEmpty() || names.stream().anyMatch(String::isBlank)) {
                throw new FoveaException("freeze rule: expects one or more parameter or layer names (such as"
                        + " conv2d/kernel or conv2d), received " + names);
            }
            if (firstEpoch < 1 || lastEpoch < firstEpoch - 1) {
                throw new FoveaException("freeze rule: expects epochs firstEpoch >= 1 and lastEpoch >= firstEpoch - 1"
                        + " (counting from 1), received " + firstEpoch + ".." + lastEpoch);
            }
        }

        /** Frozen for the whole run. */
        public static Rule always(String... names) {
            return new Rule(List.of(names), 1, FOREVER);
        }

        /** Trained for the first {@code epochs} epochs, frozen from epoch {@code epochs + 1} on. */
        public static Rule trainedFor(int epochs, String... names) {
            return new Rule(List.of(names), checked(epochs) + 1, FOREVER);
        }

        /** Frozen for the first {@code epochs} epochs, trained from epoch {@code epochs + 1} on. */
        public static Rule frozenFor(int epochs, String... names) {
            return new Rule(List.of(names), 1, checked(epochs));
        }

        private static int checked(int epochs) {
            if (epochs < 0 || epochs == FOREVER) {
                throw new FoveaException("freeze rule: expects a number of epochs >= 0, received " + epochs);
            }
            return epochs;
        }

        public boolean covers(int epoch) {
            return epoch >= firstEpoch && epoch <= lastEpoch;
        }

        /** Whether this rule names parameter {@code param} ({@code layer/param}), itself or through its layer. */
        public boolean names(String param) {
            for (String n : names) {
                if (param.equals(n) || param.startsWith(n + "/")) {
                    return true;
                }
            }
            return false;
        }
    }

    public FreezeSchedule(Rule... rules) {
        this(List.of(rules));
    }

    public FreezeSchedule(List<Rule> rules) {
        this.rules = List.copyOf(rules);
    }

    public List<Rule> rules() {
        return rules;
    }

    /** Whether this schedule freezes parameter {@code param} ({@code layer/param}) during {@code epoch}. */
    public boolean frozenAt(String param, int epoch) {
        for (Rule r : rules) {
            if (r.covers(epoch) && r.names(param)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Sets the frozen state of every parameter of {@code model} the rules name to what it is
     * during {@code epoch}.
     *
     * @throws FoveaException when a rule names no parameter of the model
     */
    public void apply(Model model, int epoch) {
        Map<String, Param> params = model.namedParams();
        for (Rule r : rules) {
            for (String n : r.names()) {
                if (params.keySet().stream().noneMatch(k -> k.equals(n) || k.startsWith(n + "/"))) {
                    throw new FoveaException("freeze schedule: model '" + model.name() + "' has no parameter or layer named '"
                            + n + "'; its parameters are " + String.join(", ", params.keySet()));
                }
            }
        }
        for (Map.Entry<String, Param> e : params.entrySet()) {
            boolean named = false;
            for (Rule r : rules) {
                named |= r.names(e.getKey());
            }
            if (named) {
                e.getValue().setFrozen(frozenAt(e.getKey(), epoch));
            }
        }
    }

    @Override
    public void onEpochBegin(TrainContext ctx, int epoch) {
        apply(ctx.model(), epoch);
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("FreezeSchedule(");
        for (int i = 0; i < rules.size(); i++) {
            Rule r = rules.get(i);
            sb.append(i == 0 ? "" : ", ").append(String.join(" ", r.names())).append(" frozen in epochs ")
                    .append(r.firstEpoch()).append("..").append(r.lastEpoch() == FOREVER ? "end" : String.valueOf(r.lastEpoch()));
        }
        return sb.append(')').toString();
    }
}
