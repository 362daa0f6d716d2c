package dev.fovea.optim;

import java.util.List;
import java.util.Map;

/**
 * AdamW as Keras 3's {@code AdamW}: {@link Adam} with decoupled weight decay on by default
 * (learning_rate 0.001, weight_decay 0.004, beta_1 0.9, beta_2 0.999, epsilon 1e-7). Before
 * each Adam update, {@code w ← w − w·wd·lr}, with lr the group's effective rate (Keras uses the
 * scheduled rate, as here; PyTorch's AdamW likewise multiplies by lr, with default wd 0.01).
 */
public final class AdamW implements Optimizer {
    private final Adam adam;

    /** Keras defaults: learning rate 0.001, weight decay 0.004. */
    public AdamW() {
        this(0.001, 0.004);
    }

    public AdamW(double learningRate, double weightDecay) {
        this(new Constant(learningRate), weightDecay);
    }

    public AdamW(LearningRateSchedule learningRate, double weightDecay) {
        this(learningRate, weightDecay, 0.9, 0.999, 1e-7);
    }

    public AdamW(LearningRateSchedule learningRate, double weightDecay, double beta1, double beta2, double epsilon) {
        this.adam = new Adam("adamw", learningRate, beta1, beta2, epsilon, weightDecay);
    }

    @Override
    public String name() {
        return adam.name();
    }

    @Override
    public void step(List<ParamGroup> groups) {
        adam.step(groups);
    }

    @Override
    public double learningRate() {
        return adam.learningRate();
    }

    @Override
    public long iterations() {
        return adam.iterations();
    }

    @Override
    public Map<String, float[]> state() {
        return adam.state();
    }

    @Override
    public void load(Map<String, float[]> state, long iterations) {
        adam.load(state, iterations);
    }

    @Override
    public String toString() {
        return adam.toString();
    }
}
