package dev.fovea.optim;

import dev.fovea.FoveaException;
import dev.fovea.nn.Param;

/**
 * Adam as Keras 3's {@code Adam} (defaults: learning_rate 0.001, beta_1 0.9, beta_2 0.999,
 * epsilon 1e-7, no weight decay; no amsgrad). At step t = iterations + 1, with lr the group's
 * effective rate:
 * <pre>
 *   w ← w − w·wd·lr                       (decoupled weight decay, when wd ≠ 0, first)
 *   m ← m + (g − m)·(1 − β1)              (= β1·m + (1 − β1)·g)
 *   v ← v + (g² − v)·(1 − β2)
 *   α = lr·√(1 − β2^t)/(1 − β1^t)
 *   w ← w − m·α/(√v + ε)
 * </pre>
 * ε is added to √v after Keras's bias correction folded into α, so Keras's 1e-7 corresponds
 * to a slightly different effective ε than PyTorch's 1e-8 (added to the bias-corrected √v̂).
 * α is computed in double and rounded once per parameter and step.
 */
public final class Adam extends SlotOptimizer {
    private final double beta1;
    private final double beta2;
    private final float epsilon;
    private final float oneMinusB1;
    private final float oneMinusB2;
    /** √(1 − β2^t)/(1 − β1^t) of the current step, from {@link #beginStep}. */
    private double correction;

    /** Keras defaults: learning rate 0.001. */
    public Adam() {
        this(0.001);
    }

    public Adam(double learningRate) {
        this(new Constant(learningRate));
    }

    public Adam(LearningRateSchedule learningRate) {
        this(learningRate, 0.9, 0.999, 1e-7, 0);
    }

    public Adam(LearningRateSchedule learningRate, double beta1, double beta2, double epsilon, double weightDecay) {
        this("adam", learningRate, beta1, beta2, epsilon, weightDecay);
    }

    /** For {@link AdamW}, which is this optimizer with a default decay and its own name. */
    Adam(String name, LearningRateSchedule learningRate, double beta1, double beta2, double epsilon, double weightDecay) {
        super(name, learningRate, checked(name, beta1, beta2, epsilon, weightDecay), "m", "v");
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.epsilon = (float) epsilon;
        this.oneMinusB1 = (float) (1 - beta1);
        this.oneMinusB2 = (float) (1 - beta2);
    }

    /** Validates the options before anything is built; returns the weight decay. */
    private static double checked(String name, double beta1, double beta2, double epsilon, double weightDecay) {
        if (!(beta1 >= 0 && beta1 < 1) || !(beta2 >= 0 && beta2 < 1)) {
            throw new FoveaException(name + ": beta_1 and beta_2 must be in [0, 1), received " + beta1 + " and " + beta2
                    + "; Keras's defaults are 0.9 and 0.999");
        }
        if (!(epsilon > 0)) {
            throw new FoveaException(name + ": epsilon must be > 0, received " + epsilon + "; Keras's default is 1e-7");
        }
        if (!(weightDecay >= 0)) {
            throw new FoveaException(name + ": weight_decay must be >= 0, received " + weightDecay);
        }
        return weightDecay;
    }

    @Override
    void beginStep(long t) {
        correction = Math.sqrt(1 - Math.pow(beta2, t)) / (1 - Math.pow(beta1, t));
    }

    @Override
    void update(Param p, int index, double lr, float l2) {
        update(p.value(), p.grad(), slot(0, index), slot(1, index), oneMinusB1, oneMinusB2, (float) (lr * correction),
                epsilon);
    }

    private static void update(float[] w, float[] g, float[] m, float[] v,
                               float oneMinusB1, float oneMinusB2, float alpha, float eps) {
        for (int j = 0; j < w.length; j++) {
            float gj = g[j];
            float mj = m[j] + (gj - m[j]) * oneMinusB1;
            float vj = v[j] + (gj * gj - v[j]) * oneMinusB2;
            m[j] = mj;
            v[j] = vj;
            w[j] -= mj * alpha / ((float) Math.sqrt(vj) + eps);
        }
    }

    @Override
    public String toString() {
        return (name().equals("adamw") ? "AdamW" : "Adam") + "(learning_rate=" + schedule() + ", beta_1=" + beta1
                + ", beta_2=" + beta2 + ", epsilon=" + epsilon + ", weight_decay=" + weightDecay() + ")";
    }
}
