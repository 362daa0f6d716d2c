package dev.fovea.optim;

import dev.fovea.FoveaException;
import dev.fovea.nn.Param;

/**
 * Stochastic gradient descent with optional momentum, as Keras 3's {@code SGD}
 * (defaults: learning_rate 0.01, momentum 0, nesterov false, no weight decay).
 * With lr the group's effective rate and g the gradient, in float32:
 * <pre>
 *   w ← w − w·wd·lr                       (decoupled weight decay, when wd ≠ 0, first)
 *   momentum = 0:  w ← w − g·lr
 *   otherwise:     v ← −g·lr + v·momentum
 *                  w ← w + v                         (nesterov: w ← w − g·lr + v·momentum)
 * </pre>
 * Keras's momentum is on the lr-scaled step, unlike PyTorch's (v ← μv + g; w ← w − lr·v): the two
 * agree while the learning rate is constant. Weight decay is Keras's decoupled
 * {@code weight_decay}, not PyTorch SGD's L2 term added to the gradient.
 *
 * <p>{@link #absoluteDecay} builds the other parametrization, airbench's (PyTorch's
 * {@code torch.optim.SGD} with {@code weight_decay = wd/lr_group}): with baseLr the group's
 * unscheduled rate (the given base rate × the group's multiplier) and lr its rate this step,
 * <pre>
 *   g' = g + (wd / baseLr)·w             (L2 added to the gradient, before momentum)
 *   momentum = 0:  w ← w − lr·g'
 *   otherwise:     v ← μ·v + g'           (PyTorch's momentum buffer, not lr-scaled)
 *                  w ← w − lr·v                      (nesterov: w ← w − lr·(g' + μ·v))
 * </pre>
 * so every group decays by the same absolute amount per step, {@code wd·(lr/baseLr)·w},
 * whatever its multiplier (a group at 64× the rate gets a 64× smaller L2 coefficient). Its slot
 * is named {@code momentum_buffer}, so a checkpoint of one convention does not load into the other.
 */
public final class SGD extends SlotOptimizer {
    private final float momentum;
    private final boolean nesterov;
    private final boolean torchMomentum;

    /** Keras defaults: learning rate 0.01, no momentum. */
    public SGD() {
        this(0.01);
    }

    public SGD(double learningRate) {
        this(new Constant(learningRate), 0, false, 0);
    }

    public SGD(double learningRate, double momentum, boolean nesterov, double weightDecay) {
        this(new Constant(learningRate), momentum, nesterov, weightDecay);
    }

    public SGD(LearningRateSchedule learningRate, double momentum, boolean nesterov, double weightDecay) {
        super("sgd", learningRate, checked(momentum, weightDecay), momentum != 0 ? new String[]{"momentum"}
                : new String[0]);
        this.momentum = (float) momentum;
        this.nesterov = nesterov;
        this.torchMomentum = false;
    }

    private SGD(LearningRateSchedule learningRate, double baseLearningRate, double momentum, boolean nesterov,
                double weightDecay) {
        super("sgd", learningRate, checked(momentum, weightDecay), baseLearningRate,
                momentum != 0 ? new String[]{"momentum_buffer"} : new String[0]);
        this.momentum = (float) momentum;
        this.nesterov = nesterov;
        this.torchMomentum = true;
    }

    /**
     * SGD with PyTorch's momentum and an absolute per-step weight decay (airbench's
     * parametrization; see the class comment). The decay of a group with its own
     * {@link ParamGroup#weightDecay()} is in the same absolute units. The trainer's learning-rate
     * scale (ReduceLROnPlateau) multiplies the group multipliers, so it leaves the decay unchanged.
     *
     * @param learningRate     the scheduled rate (e.g. a {@link PiecewiseLinear} times baseLearningRate)
     * @param baseLearningRate the unscheduled rate the decay is relative to (airbench: 1.465e-3); &gt; 0
     * @param weightDecay      the absolute decay per step at the base rate (airbench: 1.996e-3)
     */
    public static SGD absoluteDecay(LearningRateSchedule learningRate, double baseLearningRate, double momentum,
                                    boolean nesterov, double weightDecay) {
        if (!(baseLearningRate > 0) || Double.isInfinite(baseLearningRate)) {
            throw new FoveaException("sgd: the base learning rate of an absolute weight decay must be finite and > 0,"
                    + " received " + baseLearningRate + "; pass the unscheduled rate, e.g. 1.465e-3");
        }
        return new SGD(learningRate, baseLearningRate, momentum, nesterov, weightDecay);
    }

    /** Validates the options before anything is built; returns the weight decay. */
    private static double checked(double momentum, double weightDecay) {
        if (!(momentum >= 0 && momentum <= 1)) {
            throw new FoveaException("sgd: momentum must be in [0, 1], received " + momentum + "; 0.9 is typical");
        }
        if (!(weightDecay >= 0)) {
            throw new FoveaException("sgd: weight_decay must be >= 0, received " + weightDecay);
        }
        return weightDecay;
    }

    @Override
    void update(Param p, int index, double lr, float l2) {
        float rate = (float) lr;
        if (torchMomentum) {
            torch(p.value(), p.grad(), momentum == 0f ? null : slot(0, index), rate, momentum, nesterov, l2);
        } else if (momentum == 0f) {
            plain(p.value(), p.grad(), rate);
        } else if (nesterov) {
            nesterov(p.value(), p.grad(), slot(0, index), rate, momentum);
        } else {
            heavyBall(p.value(), p.grad(), slot(0, index), rate, momentum);
        }
    }

    private static void plain(float[] w, float[] g, float lr) {
        for (int j = 0; j < w.length; j++) {
            w[j] -= g[j] * lr;
        }
    }

    private static void heavyBall(float[] w, float[] g, float[] v, float lr, float mu) {
        for (int j = 0; j < w.length; j++) {
            float vj = -g[j] * lr + v[j] * mu;
            v[j] = vj;
            w[j] += vj;
        }
    }

    private static void nesterov(float[] w, float[] g, float[] v, float lr, float mu) {
        for (int j = 0; j < w.length; j++) {
            float step = -g[j] * lr;
            float vj = step + v[j] * mu;
            v[j] = vj;
            w[j] += step + vj * mu;
        }
    }

    /** PyTorch's {@code _single_tensor_sgd} (dampening 0), in its order of float32 operations. */
    private static void torch(float[] w, float[] g, float[] v, float lr, float mu, boolean nesterov, float l2) {
        for (int j = 0; j < w.length; j++) {
            float d = g[j] + l2 * w[j];
            if (v != null) {
                float vj = mu * v[j] + d;
                v[j] = vj;
                d = nesterov ? d + mu * vj : vj;
            }
            w[j] -= lr * d;
        }
    }

    @Override
    public String toString() {
        if (torchMomentum) {
            return "SGD(learning_rate=" + schedule() + ", momentum=" + momentum + ", nesterov=" + nesterov
                    + ", absolute_weight_decay=" + weightDecay() + ", base_learning_rate=" + decayBaseLr() + ")";
        }
        return "SGD(learning_rate=" + schedule() + ", momentum=" + momentum + ", nesterov=" + nesterov
                + ", weight_decay=" + weightDecay() + ")";
    }
}
