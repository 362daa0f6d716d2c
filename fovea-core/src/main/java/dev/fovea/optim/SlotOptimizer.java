package dev.fovea.optim;

import dev.fovea.nn.Param;
import java.util.List;
import java.util.Map;

/**
 * The one shared helper of the optimizers ({@link SGD}, {@link Adam}): the learning-rate
 * schedule, the step count, the per-parameter {@link Slots} with their checkpoint form, and the
 * walk over the trainable parameters of the groups with weight decay: Keras's decoupled decay
 * applied first, or, when built with a decay base rate, an L2 coefficient handed to the update
 * rule (see {@link SGD#absoluteDecay}). Frozen parameters ({@link Param#frozen()}) are skipped,
 * decay included, but keep their slots, so the optimizer state's layout does not change when a
 * parameter is frozen or unfrozen. A subclass supplies only its update rule; not an optimizer
 * by itself.
 */
abstract class SlotOptimizer implements Optimizer {
    private final String name;
    private final LearningRateSchedule lr;
    private final double weightDecay;
    /** 0: decoupled decay; otherwise the rate the decay is relative to (wd/(baseLr·multiplier) is the L2 term). */
    private final double decayBaseLr;
    private final Slots slots;
    private long iterations;

    SlotOptimizer(String name, LearningRateSchedule lr, double weightDecay, String... slotNames) {
        this(name, lr, weightDecay, 0, slotNames);
    }

    SlotOptimizer(String name, LearningRateSchedule lr, double weightDecay, double decayBaseLr, String... slotNames) {
        this.name = name;
        this.lr = lr;
        this.weightDecay = weightDecay;
        this.decayBaseLr = decayBaseLr;
        this.slots = new Slots(name, slotNames);
    }

    /** Called once per step before any update, with the 1-based step number t (Adam's bias correction). */
    void beginStep(long t) {
    }

    /**
     * Updates trainable parameter {@code p}, at position {@code index} of the groups' parameters
     * (its slots are {@code slot(s, index)}), with its group's effective learning rate {@code lr}
     * and the L2 coefficient {@code l2} to add to the gradient ({@code g + l2·w}; always 0 unless
     * the optimizer was built with a decay base rate).
     */
    abstract void update(Param p, int index, double lr, float l2);

    /** Slot buffer {@code s} (in the order of the names given to the constructor) of parameter {@code index}. */
    final float[] slot(int s, int index) {
        return slots.get(s, index);
    }

    @Override
    public final String name() {
        return name;
    }

    @Override
    public final void step(List<ParamGroup> groups) {
        slots.bind(groups);
        double base = learningRate();
        beginStep(iterations + 1);
        int index = 0;
        for (ParamGroup group : groups) {
            double groupLr = base * group.lrMultiplier();
            float rate = (float) groupLr;
            double groupWd = group.weightDecay().orElse(weightDecay);
            float wd = (float) groupWd;
            boolean coupled = decayBaseLr > 0;
            // A group at multiplier 0 takes no step; wd/0 would turn its 0·∞ update into NaN.
            float l2 = coupled && wd != 0f && group.lrMultiplier() > 0
                    ? (float) (groupWd / (decayBaseLr * group.lrMultiplier())) : 0f;
            for (Param p : group.params()) {
                if (p.updatable()) {
                    if (wd != 0f && !coupled) {
                        Decay.apply(p.value(), wd, rate);
                    }
                    update(p, index, groupLr, l2);
                }
                index++;
            }
        }
        iterations++;
    }

    @Override
    public final double learningRate() {
        return lr.at(iterations);
    }

    @Override
    public final long iterations() {
        return iterations;
    }

    @Override
    public final Map<String, float[]> state() {
        return slots.export();
    }

    @Override
    public final void load(Map<String, float[]> state, long iterations) {
        slots.load(state);
        this.iterations = iterations;
    }

    /** The schedule, for {@code toString}. */
    final LearningRateSchedule schedule() {
        return lr;
    }

    final double weightDecay() {
        return weightDecay;
    }

    final double decayBaseLr() {
        return decayBaseLr;
    }
}
