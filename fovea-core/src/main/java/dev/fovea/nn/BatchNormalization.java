package dev.fovea.nn;

import dev.fovea.FoveaException;
import dev.fovea.kernel.BatchNorm;
import dev.fovea.tensor.Rng;
import dev.fovea.tensor.Shape;
import dev.fovea.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Keras {@code BatchNormalization} over the last axis (channels of NHWC images, features of
 * Dense outputs). Training normalizes with the batch mean and biased variance and moves
 * {@code moving_mean}/{@code moving_variance} by {@code momentum}; inference uses the moving
 * statistics. Parameters in Keras's order: {@code gamma} (ones, when {@code scale}),
 * {@code beta} (zeros, when {@code center}), then the non-trainable {@code moving_mean} (zeros)
 * and {@code moving_variance} (ones). Backward follows the last forward: through the batch
 * statistics after a training forward, with the moving statistics as constants after an
 * inference one (what explaining a trained model, {@code eval.GradCam}, differentiates).
 *
 * <p>Data-parallel training can synchronize the batch statistics over replicas with
 * {@link #setCrossReplicaSum}: training then normalizes with the global batch's mean and biased
 * variance (and moves the moving statistics with them), and the backward pass uses the global
 * Σdy and Σdy·x̂, so K replicas on K slices compute what one layer computes on the whole batch,
 * up to the order of the sums. Without a reducer (the default) everything is local.
 */
public final class BatchNormalization extends BaseLayer {
    private final float momentum;
    private final float epsilon;
    private final boolean center;
    private final boolean scale;
    /** Keras's axis as read from a config: −1, or the last axis's index counting the batch axis (checked at build). */
    private final int axis;
    private final List<Param> params = new ArrayList<>();
    /** Read-only view of {@link #params}, handed out without a copy per call. */
    private final List<Param> paramsView = java.util.Collections.unmodifiableList(params);
    private Param gamma;
    private Param beta;
    private Param movingMean;
    private Param movingVariance;
    /* Stand-ins for an absent gamma/beta: constant ones/zeros and a gradient sink. */
    private float[] ones;
    private float[] zeros;
    private float[] sink;
    private float[] mean;
    private float[] var;
    private float[] invStd;
    private float[] factors;
    private double[] partials = new double[0];
    private CrossReplicaSum replicas;
    /* Sync mode: Σx per channel then the row count; Σ(x − μ)²; local and reduced (Σdy, Σdy·x̂). */
    private double[] sums;
    private double[] squares;
    private double[] localGrad;
    private double[] globalGrad;
    private double globalCount;
    private Tensor x;
    private Tensor y;
    private Tensor dx;
    private boolean trainedForward;

    /** Keras defaults: momentum 0.99, epsilon 1e-3, center and scale. */
    public BatchNormalization() {
        this(Config.defaults());
    }

    /** Any configuration: {@code new BatchNormalization(BatchNormalization.Config.defaults().momentum(0.9f))}. */
    public BatchNormalization(Config config) {
        this(config, -1);
    }

    private BatchNormalization(Config config, int axis) {
        this.momentum = config.momentum();
        this.epsilon = config.epsilon();
        this.center = config.center();
        this.scale = config.scale();
        this.axis = axis;
    }

    /**
     * BatchNormalization's options under Keras's names, with Keras's defaults from
     * {@link #defaults}; each named method returns a copy with that option changed.
     * {@code center}: learn beta; {@code scale}: learn gamma.
     */
    public record Config(float momentum, float epsilon, boolean center, boolean scale) {
        public Config {
            if (!(momentum >= 0f && momentum <= 1f)) {
                throw new FoveaException("BatchNormalization: momentum must be in [0, 1], received " + momentum
                        + "; Keras's default is 0.99");
            }
            if (!(epsilon > 0f)) {
                throw new FoveaException("BatchNormalization: epsilon must be positive, received " + epsilon
                        + "; Keras's default is 0.001");
            }
        }

        /** Momentum 0.99, epsilon 1e-3, center and scale. */
        public static Config defaults() {
            return new Config(0.99f, 1e-3f, true, true);
        }

        public Config momentum(float value) {
            return new Config(value, epsilon, center, scale);
        }

        public Config epsilon(float value) {
            return new Config(momentum, value, center, scale);
        }

        public Config center(boolean value) {
            return new Config(momentum, epsilon, value, scale);
        }

        public Config scale(boolean value) {
            return new Config(momentum, epsilon, center, value);
        }
    }

    /**
     * The inference map y = (x − mean)·k + beta as {@link BatchNorm#normalize} computes it, with
     * the moving statistics: {mean, k = invStd·gamma, beta}, each (C), copies. For inference
     * plans, which fuse it into the layer before.
     */
    float[][] inferenceAffine() {
        int c = inputShape.dim(-1);
        float[] inv = new float[c];
        BatchNorm.invStd(movingVariance.value(), inv, c, epsilon);
        float[] k = new float[c];
        for (int ch = 0; ch < c; ch++) {
            k[ch] = inv[ch] * (scale ? gamma.value()[ch] : 1f);
        }
        return new float[][]{movingMean.value().clone(), k, center ? beta.value().clone() : new float[c]};
    }

    @Override
    public Shape build(Shape in, Rng rng) {
        if (in.rank() < 1 || in.dim(-1) < 1) {
            throw new FoveaException(name() + ": expects input of rank 2 or more with at least one "
                    + "channel on the last axis, received input of shape " + in.toBatchString());
        }
        if (axis != -1 && axis != in.rank()) {
            throw new FoveaException(name() + ": axis " + axis + " of input " + in.toBatchString() + " is not its last"
                    + " axis; Fovea's BatchNormalization normalizes over the last axis only (axis -1, or " + in.rank()
                    + " here)");
        }
        inputShape = in;
        outputShape = in;
        int c = in.dim(-1);
        params.clear();
        Shape ps = Shape.of(c);
        if (scale) {
            gamma = new Param("gamma", ps, true);
            Arrays.fill(gamma.value(), 1f);
            params.add(gamma);
        }
        if (center) {
            beta = new Param("beta", ps, true);
            params.add(beta);
        }
        movingMean = new Param("moving_mean", ps, false);
        movingVariance = new Param("moving_variance", ps, false);
        Arrays.fill(movingVariance.value(), 1f);
        params.add(movingMean);
        params.add(movingVariance);
        ones = new float[c];
        Arrays.fill(ones, 1f);
        zeros = new float[c];
        sink = new float[c];
        mean = new float[c];
        var = new float[c];
        invStd = new float[c];
        factors = new float[3 * c];
        return in;
    }

    @Override
    public List<Param> params() {
        return paramsView;
    }

    public float momentum() {
        return momentum;
    }

    public float epsilon() {
        return epsilon;
    }

    /**
     * Synchronizes training-mode statistics over replicas through {@code reducer} (see
     * {@link CrossReplicaSum} for the calls and the gradient convention), or makes them local
     * again with null. Inference is unaffected: it uses the moving statistics.
     */
    public void setCrossReplicaSum(CrossReplicaSum reducer) {
        this.replicas = reducer;
    }

    /** The reducer set by {@link #setCrossReplicaSum}, or null when statistics are local. */
    public CrossReplicaSum crossReplicaSum() {
        return replicas;
    }

    @Override
    public Tensor forward(Tensor input, boolean training) {
        checkInput(input);
        int c = inputShape.dim(-1);
        int m = input.size() / c;
        x = input;
        y = reuse(y, input.shape());
        float[] g = scale ? gamma.value() : ones;
        float[] b = center ? beta.value() : zeros;
        if (training) {
            int need = BatchNorm.partialsSize(m, c);
            if (partials.length != need) {
                partials = new double[need];
            }
            if (replicas == null) {
                BatchNorm.moments(input.data(), mean, var, partials, m, c);
            } else {
                globalMoments(input.data(), m, c);
            }
            BatchNorm.invStd(var, invStd, c, epsilon);
            BatchNorm.normalize(input.data(), mean, invStd, g, b, y.data(), m, c);
            BatchNorm.updateMoving(mean, var, movingMean.value(), movingVariance.value(), c, momentum);
        } else {
            BatchNorm.invStd(movingVariance.value(), invStd, c, epsilon);
            BatchNorm.normalize(input.data(), movingMean.value(), invStd, g, b, y.data(), m, c);
        }
        trainedForward = training;
        return y;
    }

    @Override
    public Tensor backward(Tensor dy) {
        int c = inputShape.dim(-1);
        int m = dy.size() / c;
        dx = reuse(dx, dy.shape());
        if (!trainedForward) {
            BatchNorm.backwardInference(x.data(), dy.data(), movingMean.value(), invStd, scale ? gamma.value() : ones,
                    dx.data(), scale ? gamma.grad() : sink, center ? beta.grad() : sink, m, c);
            return dx;
        }
        if (replicas == null) {
            BatchNorm.backward(x.data(), dy.data(), mean, invStd, scale ? gamma.value() : ones, dx.data(),
                    scale ? gamma.grad() : sink, center ? beta.grad() : sink, partials, factors, m, c);
            return dx;
        }
        BatchNorm.gradSums(x.data(), dy.data(), mean, invStd, partials, localGrad, m, c);
        double w = replicas.gradientWeight();
        for (int i = 0; i < 2 * c; i++) {
            globalGrad[i] = localGrad[i] * w;
        }
        replicas.sum(globalGrad);
        BatchNorm.backwardFromSums(x.data(), dy.data(), mean, invStd, scale ? gamma.value() : ones, dx.data(),
                scale ? gamma.grad() : sink, center ? beta.grad() : sink, localGrad, globalGrad, w * globalCount,
                factors, m, c);
        return dx;
    }

    /* Two passes like the local moments (mean first, then squares about it, so no E[x²] − E[x]²
       cancellation), each summed over the replicas: two small reductions per forward. */
    private void globalMoments(float[] in, int m, int c) {
        if (sums == null || sums.length != c + 1) {
            sums = new double[c + 1];
            squares = new double[c];
            localGrad = new double[2 * c];
            globalGrad = new double[2 * c];
        }
        BatchNorm.channelSums(in, null, partials, sums, m, c);
        sums[c] = m;
        replicas.sum(sums);
        globalCount = sums[c];
        for (int ch = 0; ch < c; ch++) {
            mean[ch] = (float) (sums[ch] / globalCount);
        }
        BatchNorm.channelSums(in, mean, partials, squares, m, c);
        replicas.sum(squares);
        for (int ch = 0; ch < c; ch++) {
            var[ch] = (float) (squares[ch] / globalCount);
        }
    }

    @Override
    public Map<String, Object> config() {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("axis", -1);
        c.put("momentum", momentum);
        c.put("epsilon", epsilon);
        c.put("center", center);
        c.put("scale", scale);
        return c;
    }

    /**
     * Reads what {@link #config()} writes, and Keras's BatchNormalization config: {@code axis}
     * −1 or the last axis's index ({@code [3]} in Keras 2 files of images, checked when built),
     * Keras's initializers (gamma ones, the rest zeros but the moving variance's ones), no
     * regularizer, constraint, renormalization or virtual batch, else an error. Keras's
     * {@code synchronized} is ignored: replicas are Spark's business ({@link #setCrossReplicaSum}).
     */
    static BatchNormalization fromConfig(LayerConfig c) {
        Object a = c.raw("axis");
        Object one = a instanceof List<?> l && l.size() == 1 ? l.get(0) : a;
        if (one != null && !(one instanceof Number n && n.doubleValue() == n.intValue() && n.intValue() != 0
                && n.intValue() >= -1)) {
            throw c.unsupported("axis", a, "-1 only (the last axis; or its index counting the batch axis, 3 for images)");
        }
        int axis = one == null ? -1 : ((Number) one).intValue();
        Config config = new Config(c.real("momentum", 0.99f), c.real("epsilon", 1e-3f), c.bool("center", true),
                c.bool("scale", true));
        c.constant("gamma_initializer", "ones");
        c.constant("beta_initializer", "zeros");
        c.constant("moving_mean_initializer", "zeros");
        c.constant("moving_variance_initializer", "ones");
        c.none("gamma_regularizer", "beta_regularizer", "gamma_constraint", "beta_constraint", "virtual_batch_size",
                "adjustment");
        c.only("renorm", v -> v == null || Boolean.FALSE.equals(v), "false only (no batch renormalization)");
        c.ignore("renorm_clipping", "renorm_momentum", "synchronized", "fused");
        return new BatchNormalization(config, axis);
    }
}
