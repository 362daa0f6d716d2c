package dev.fovea.train;

import dev.fovea.FoveaException;
import dev.fovea.nn.Param;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Freezes parameters for ranges of epochs: the callback form of {@link Param#setFrozen}. At the
 * start of every epoch it sets the frozen state of each parameter its rules name from the epoch
 * number alone (frozen when any rule covering that epoch names it, unfrozen otherwise), so a run
 * resumed from a checkpoint at epoch e has exactly the state an uninterrupted run has at e;
 * nothing about freezing needs to be saved. Parameters no rule names are never touched.
 *
 * <p>airbench94's whitening conv, its kernel frozen throughout and its bias trained for the
 * first 3 epochs:
 * <pre>{@code
 * new FreezeSchedule(Rule.always(List.of(whiten.kernel())), Rule.trainedFor(List.of(whiten.bias()), 3))
 * }</pre>
 * Epochs count from 1, as in {@link Callback}. Not a step-level schedule: a state changes only
 * at an epoch boundary.
 */
public final class FreezeSchedule implements Callback {
    /** Unbounded end of a rule's range. */
    public static final int FOREVER = Integer.MAX_VALUE;

    private final List<Rule> rules;
    private final List<Param> named;

    /**
     * Parameters frozen during epochs {@code firstEpoch..lastEpoch} (inclusive, counting from 1).
     * An empty range ({@code lastEpoch = firstEpoch − 1}) freezes nothing.
     */
    public record Rule(List<Param> params, int firstEpoch, int lastEpoch) {
        public Rule {
            params = List.copyOf(params);
            if (firstEpoch < 1 || lastEpoch < firstEpoch - 1) {
                throw new FoveaException("freeze rule: expects epochs firstEpoch >= 1 and lastEpoch >= firstEpoch - 1"
                        + " (counting from 1), received " + firstEpoch + ".." + lastEpoch);
            }
        }

        /** Frozen for the whole run. */
        public static Rule always(List<Param> params) {
            return new Rule(params, 1, FOREVER);
        }

        /** Trained for the first {@code epochs} epochs, frozen from epoch {@code epochs + 1} on. */
        public static Rule trainedFor(List<Param> params, int epochs) {
            return new Rule(params, checked(epochs) + 1, FOREVER);
        }

        /** Frozen for the first {@code epochs} epochs, trained from epoch {@code epochs + 1} on. */
        public static Rule frozenFor(List<Param> params, int epochs) {
            return new Rule(params, 1, checked(epochs));
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
    }

    public FreezeSchedule(Rule... rules) {
        this(List.of(rules));
    }

    public FreezeSchedule(List<Rule> rules) {
        this.rules = List.copyOf(rules);
        Set<Param> all = new LinkedHashSet<>();
        for (Rule r : this.rules) {
            all.addAll(r.params());
        }
        this.named = new ArrayList<>(all);
    }

    public List<Rule> rules() {
        return rules;
    }

    /** Whether this schedule freezes {@code p} during {@code epoch} (false for parameters it does not name). */
    public boolean frozenAt(Param p, int epoch) {
        for (Rule r : rules) {
            if (r.covers(epoch) && r.params().contains(p)) {
                return true;
            }
        }
        return false;
    }

    /** Sets the frozen state of every parameter the rules name to what it is during {@code epoch}. */
    public void apply(int epoch) {
        for (Param p : named) {
            p.setFrozen(frozenAt(p, epoch));
        }
    }

    @Override
    public void onEpochBegin(TrainContext ctx, int epoch) {
        apply(epoch);
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("FreezeSchedule(");
        for (int i = 0; i < rules.size(); i++) {
            Rule r = rules.get(i);
            List<String> names = new ArrayList<>();
            r.params().forEach(p -> names.add(p.name()));
            sb.append(i == 0 ? "" : ", ").append(names).append(" frozen in epochs ").append(r.firstEpoch()).append("..")
                    .append(r.lastEpoch() == FOREVER ? "end" : String.valueOf(r.lastEpoch()));
        }
        return sb.append(')').toString();
    }
}
