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
 */
public final class SGD extends SlotOptimizer {
    private final float momentum;
    private final boolean nesterov;

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
    void update(Param p, int index, double lr) {
        float rate = (float) lr;
        if (momentum == 0f) {
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

    @Override
    public String toString() {
        return "SGD(learning_rate=" + schedule() + ", momentum=" + momentum + ", nesterov=" + nesterov
                + ", weight_decay=" + weightDecay() + ")";
    }
}
