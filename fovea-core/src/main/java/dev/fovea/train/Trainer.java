package dev.fovea.train;

import dev.fovea.FoveaException;
import dev.fovea.io.ModelFile;
import dev.fovea.loss.Loss;
import dev.fovea.metric.Metric;
import dev.fovea.nn.InferencePlan;
import dev.fovea.nn.Model;
import dev.fovea.optim.Optimizer;
import dev.fovea.optim.ParamGroup;
import dev.fovea.tensor.Shape;
import dev.fovea.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A compiled model: Keras's {@code model.compile(optimizer, loss, metrics)} followed by
 * {@link #fit}, {@link #evaluate} and {@link #predict}. Calling {@code fit} again continues
 * where the last call stopped (epochs, optimizer state, history), as in the tutorial's second
 * phase. One training step: zero gradients → forward (training) → loss and its gradient →
 * backward → optimizer step → metrics and callbacks.
 */
public final class Trainer {
    private final Model model;
    private final Optimizer optimizer;
    private final Loss loss;
    private final List<Metric> metrics;
    private List<ParamGroup> groups;
    private List<ParamGroup> scaledGroups;
    private double lrScale = 1.0;
    private final History history = new History();
    private int epochsDone;
    private ModelFile.Info info = ModelFile.Info.of(List.of());
    private Tensor grad;
    /* What evaluate and predict run: one plan, refreshed from the weights on each use. */
    private InferencePlan plan;
    /* A short last batch padded to the full batch size (see infer). */
    private Tensor padded;
    private volatile String interruptReason;
    /** Whether the last {@code fit} stopped because of {@link #interrupt}, inside an epoch or between two. */
    private boolean stoppedByInterrupt;
    /** Batches already done in an epoch that was interrupted (0 when the last epoch completed). */
    private int stepInEpoch;
    private double partialLossSum;
    private long partialSeen;
    /** Training throughput of the last {@code fit}, counted after its first {@link #WARMUP_STEPS} steps. */
    private long steadyImages;
    private long steadyNanos;
    private int stepsThisFit;

    /**
     * Steps at the start of each {@code fit} left out of {@link #throughput()}: the JIT compiles
     * the kernels during the first steps of a process, which run several times slower.
     */
    public static final int WARMUP_STEPS = 10;

    /** Each metric's state at the interruption, by metric name (empty when the last epoch completed). */
    private Map<String, double[]> partialMetrics = Map.of();
    /** The callbacks of the running or last {@code fit}, whose {@link Callback#state()} checkpoints save. */
    private List<Callback> fitCallbacks = List.of();
    /** Callback tensors of a restored checkpoint, handed to the next {@code fit}'s callbacks. */
    private Map<String, float[]> restoredCallbackState = Map.of();

    public Trainer(Model model, Optimizer optimizer, Loss loss, Metric... metrics) {
        this.model = model;
        this.optimizer = optimizer;
        this.loss = loss;
        this.metrics = List.of(metrics);
        this.groups = List.of(new ParamGroup(model.params()));
    }

    public Model model() {
        return model;
    }

    public Optimizer optimizer() {
        return optimizer;
    }

    Loss loss() {
        return loss;
    }

    List<String> metricNames() {
        return metrics.stream().map(Metric::name).toList();
    }

    public History history() {
        return history;
    }

    /** Epochs completed over every {@code fit} call (and restored checkpoints). */
    public int epochsDone() {
        return epochsDone;
    }

    public double learningRateScale() {
        return lrScale;
    }

    /** Per-parameter-group learning rates and decay; every trainable parameter should be in one group. */
    public void setParamGroups(List<ParamGroup> newGroups) {
        groups = List.copyOf(newGroups);
        scaledGroups = null;
    }

    /** Metadata written with the model: class names, preprocessing, provenance. */
    public void setInfo(ModelFile.Info info) {
        this.info = info;
    }

    public ModelFile.Info info() {
        return info;
    }

    /**
     * Asks a running {@code fit} to stop after its current batch (from another thread, e.g. a
     * Ctrl-C handler). {@code fit} then returns normally with {@link #interrupted()} true, and a
     * checkpoint saved now resumes in the middle of that epoch.
     */
    public void interrupt(String reason) {
        interruptReason = reason;
    }

    public boolean interrupted() {
        return stoppedByInterrupt || stepInEpoch > 0;
    }

    /** Batches done in the interrupted epoch, 0 if the last epoch completed. */
    public int stepInEpoch() {
        return stepInEpoch;
    }

    /**
     * Training images per second of the last {@code fit}: its training steps (waiting for
     * batches included; validation, callbacks' saving and start-up excluded) after the first
     * {@link #WARMUP_STEPS}. NaN when the fit had no more steps than that.
     */
    public double throughput() {
        return steadyNanos == 0 ? Double.NaN : steadyImages / (steadyNanos / 1e9);
    }

    /**
     * Trains for {@code options.epochs} more epochs (a fraction cuts the last one short; see
     * {@link FitOptions#epochs(double)}); returns the whole history so far.
     */
    public History fit(Feed.Source train, FitOptions options) {
        Progress progress = new Progress(options.out,
                options.terminal != null ? options.terminal : Progress.stderrIsTerminal(), options.verbose);
        List<Callback> callbacks = new ArrayList<>(options.callbacks);
        if (callbacks.stream().noneMatch(c -> c instanceof TerminateOnNaN)) {
            callbacks.add(new TerminateOnNaN());
        }
        info = Provenance.atFit(info, this, train, options);
        Feed.Source validation = options.validation;
        if (options.validationSplit > 0) {
            if (validation != null) {
                throw new FoveaException("pass either validation data or a validation split, not both");
            }
            Feed.Source[] parts = train.splitValidation(options.validationSplit, 0x5EED);
            train = parts[0];
            validation = parts[1];
        }
        if (!restoredCallbackState.isEmpty()) {
            Map<String, float[]> saved = restoredCallbackState;
            callbacks.forEach(c -> c.restoreState(saved));
            restoredCallbackState = Map.of();
        }
        fitCallbacks = List.copyOf(callbacks);
        Context ctx = new Context();
        steadyImages = 0;
        steadyNanos = 0;
        stepsThisFit = 0;
        callbacks.forEach(c -> c.onTrainBegin(ctx));
        int first = epochsDone + 1;
        int last = epochsDone + wholeEpochs(options.epochs);
        double fraction = lastEpochFraction(options.epochs);
        stoppedByInterrupt = false;
        // An interrupt during validation or saving stops before the next epoch begins.
        for (int epoch = first; epoch <= last && !ctx.stopped && interruptReason == null; epoch++) {
            for (Callback c : callbacks) {
                c.onEpochBegin(ctx, epoch);
            }
            Map<String, Double> logs;
            long epochStart = System.nanoTime();
            try (Feed feed = train.training(epoch - 1, options.batchSize, options.shuffle, options.dropLast)) {
                int steps = epoch == last ? stepsOf(feed.steps(), fraction) : feed.steps();
                long later = 0;
                for (int e = epoch + 1; e <= last; e++) {
                    later += e == last ? stepsOf(feed.steps(), fraction) : feed.steps();
                }
                progress.epochBegin(epoch, last, steps, stepInEpoch, later);
                logs = trainEpoch(feed, steps, ctx, callbacks, progress);
            }
            double trainedSeconds = (System.nanoTime() - epochStart) / 1e9;
            if ((ctx.stopped && ctx.nonFinite) || interruptReason != null) {
                break;
            }
            if (validation != null) {
                Map<String, Double> val = evaluate(validation, options.batchSize);
                val.forEach((k, v) -> logs.put("val_" + k, v));
            }
            logs.put("learning_rate", optimizer.learningRate() * lrScale);
            logs.put(History.ELAPSED, history.elapsedSeconds() + trainedSeconds);
            epochsDone = epoch;
            history.add(epoch, logs);
            progress.epochEnd(logs);
            for (Callback c : callbacks) {
                c.onEpochEnd(ctx, epoch, logs);
            }
        }
        callbacks.forEach(c -> c.onTrainEnd(ctx));
        stoppedByInterrupt = interruptReason != null && epochsDone < last;
        if (stoppedByInterrupt && options.verbose > 0) {
            options.out.println();
            options.out.println(interruptReason + (stepInEpoch > 0
                    ? ": stopped at epoch " + (epochsDone + 1) + ", after batch " + stepInEpoch
                    : ": stopped after epoch " + epochsDone + ", before epoch " + (epochsDone + 1) + " began"));
        }
        interruptReason = null;
        if (ctx.reason != null && options.verbose > 0) {
            options.out.println(ctx.reason);
        }
        if (ctx.nonFinite) {
            throw new FoveaException(ctx.reason);
        }
        return history;
    }

    /* Fractions within this of a whole number are float noise from "9.9 - 5" and the like. */
    private static final double EPOCH_SLACK = 1e-9;

    /** Epochs a fit of {@code epochs} (possibly fractional) runs, the cut one included. */
    static int wholeEpochs(double epochs) {
        return (int) Math.ceil(epochs - EPOCH_SLACK);
    }

    /** The share of its steps the last epoch runs: 1 for a whole number of epochs. */
    static double lastEpochFraction(double epochs) {
        double f = epochs - Math.floor(epochs);
        return f < EPOCH_SLACK || f > 1 - EPOCH_SLACK ? 1.0 : f;
    }

    /** Steps of an epoch of {@code steps} cut to {@code fraction}: ceil, at least 1. */
    static int stepsOf(int steps, double fraction) {
        return fraction >= 1.0 ? steps : Math.max(1, (int) Math.ceil(fraction * steps - EPOCH_SLACK));
    }

    private Map<String, Double> trainEpoch(Feed feed, int limit, Context ctx, List<Callback> callbacks,
                                           Progress progress) {
        for (Metric m : metrics) {
            m.reset();
            double[] saved = partialMetrics.get(m.name());
            if (saved != null) {
                m.restore(saved);
            }
        }
        double lossSum = partialLossSum;
        long seen = partialSeen;
        int step = stepInEpoch;
        // Resuming inside an epoch: the feed of (seed, epoch) repeats, so skip what was trained.
        int skipped = 0;
        while (skipped < stepInEpoch && feed.next() != null) {
            skipped++;
            progress.skipping(skipped, stepInEpoch);
        }
        stepInEpoch = 0;
        partialLossSum = 0;
        partialSeen = 0;
        partialMetrics = Map.of();
        Map<String, Double> logs = new LinkedHashMap<>();
        long stepStart = System.nanoTime();
        for (Batch b = step < limit ? feed.next() : null; b != null; b = step < limit ? feed.next() : null) {
            if (interruptReason != null) {
                stepInEpoch = step;
                partialLossSum = lossSum;
                partialSeen = seen;
                partialMetrics = metricStates();
                break;
            }
            step++;
            float batchLoss = trainStep(b);
            lossSum += (double) batchLoss * b.size();
            seen += b.size();
            long now = System.nanoTime();
            if (++stepsThisFit > WARMUP_STEPS) {
                steadyImages += b.size();
                steadyNanos += now - stepStart;
            }
            logs.clear();
            for (Metric m : metrics) {
                logs.put(m.name(), m.result());
            }
            logs.put("loss", Float.isFinite(batchLoss) ? lossSum / seen : batchLoss);
            for (Callback c : callbacks) {
                c.onBatchEnd(ctx, step, logs);
            }
            if (ctx.stopped) {
                ctx.nonFinite = !Float.isFinite(batchLoss);
                break;
            }
            progress.batchEnd(step, logs);
            stepStart = System.nanoTime();
        }
        return new LinkedHashMap<>(logs);
    }

    /** One optimizer step on one batch; returns the batch's mean loss. */
    public float trainStep(Batch b) {
        model.zeroGrads();
        Tensor pred = model.forward(b.x(), true);
        grad = grad != null && grad.shape().equals(pred.shape()) ? grad : Tensor.zeros(pred.shape());
        float l = loss.compute(pred, b.labels(), grad);
        for (int i = 0; i < metrics.size(); i++) {
            metrics.get(i).update(pred, b.labels());
        }
        if (!Float.isFinite(l)) {
            return l;
        }
        model.backward(grad, false);
        optimizer.step(effectiveGroups());
        return l;
    }

    private List<ParamGroup> effectiveGroups() {
        if (lrScale == 1.0) {
            return groups;
        }
        if (scaledGroups == null) {
            List<ParamGroup> s = new ArrayList<>();
            for (ParamGroup g : groups) {
                s.add(new ParamGroup(g.params(), g.lrMultiplier() * lrScale, g.weightDecay()));
            }
            scaledGroups = s;
        }
        return scaledGroups;
    }

    /**
     * Keras's {@code evaluate}: mean loss and every metric over the data, in inference mode,
     * through an {@link InferencePlan} of the model's weights now.
     */
    public Map<String, Double> evaluate(Feed.Source data, int batchSize) {
        List<Metric> ms = metrics;
        ms.forEach(Metric::reset);
        double lossSum = 0;
        long n = 0;
        InferencePlan p = plan();
        try (Feed feed = data.inOrder(batchSize)) {
            for (Batch b = feed.next(); b != null; b = feed.next()) {
                Tensor pred = infer(p, b, batchSize, n > 0);
                lossSum += (double) loss.compute(pred, b.labels(), null) * b.size();
                n += b.size();
                for (Metric m : ms) {
                    m.update(pred, b.labels());
                }
            }
        }
        Map<String, Double> out = new LinkedHashMap<>();
        for (Metric m : ms) {
            out.put(m.name(), m.result());
        }
        out.put("loss", n == 0 ? Double.NaN : lossSum / n);
        return out;
    }

    /**
     * The model's outputs (N, K) for every sample, in order, in inference mode (through an
     * {@link InferencePlan} of the model's weights now, as {@link #evaluate}).
     */
    public float[] predict(Feed.Source data, int batchSize) {
        float[] out = null;
        int filled = 0;
        InferencePlan p = plan();
        try (Feed feed = data.inOrder(batchSize)) {
            for (Batch b = feed.next(); b != null; b = feed.next()) {
                Tensor pred = infer(p, b, batchSize, filled > 0);
                int per = pred.size() / b.size();
                if (out == null) {
                    out = new float[data.size() * per];
                }
                System.arraycopy(pred.data(), 0, out, filled, pred.size());
                filled += pred.size();
            }
        }
        return out == null ? new float[0] : out;
    }

    /* The plan of the model's weights now: made once, then refreshed, keeping its buffers. */
    private InferencePlan plan() {
        plan = plan == null ? InferencePlan.of(model) : plan.refresh();
        return plan;
    }

    /**
     * The plan's outputs for batch b. A short last batch after full ones runs padded with zero
     * images to the full size, and its rows are copied out: at another batch size the plan's
     * buffers and those of the layers it shares with training (pooling, activations) would be
     * allocated again, twice an epoch, hundreds of megabytes for the fast presets' validation.
     * Inference treats every image on its own, so the padding changes none of its rows' values.
     */
    private Tensor infer(InferencePlan p, Batch b, int batchSize, boolean afterFull) {
        Tensor x = b.x();
        int n = b.size();
        if (!afterFull || n >= batchSize) {
            return p.forward(x);
        }
        Shape full = x.shape().dropFirst().withBatch(batchSize);
        if (padded == null || !padded.shape().equals(full)) {
            padded = Tensor.zeros(full);
        }
        float[] pd = padded.data();
        System.arraycopy(x.data(), 0, pd, 0, x.size());
        Arrays.fill(pd, x.size(), pd.length, 0f);
        Tensor out = p.forward(padded);
        int per = out.size() / batchSize;
        return new Tensor(out.shape().dropFirst().withBatch(n), Arrays.copyOf(out.data(), n * per));
    }

    /** Writes a full training checkpoint: see {@link Checkpoint}. */
    public void saveCheckpoint(Path file) {
        Checkpoint.save(file, this);
    }

    /** Restores weights, optimizer state, epoch, history and RNG state written by {@link #saveCheckpoint}. */
    public void restoreCheckpoint(Path file) {
        Checkpoint.restore(file, this);
    }

    private Map<String, double[]> metricStates() {
        Map<String, double[]> out = new LinkedHashMap<>();
        for (Metric m : metrics) {
            out.put(m.name(), m.state());
        }
        return out;
    }

    void restoreState(int epochs, double scale, History h, int step, double lossSum, long seen,
            Map<String, double[]> metricStates) {
        if (step > 0) {
            for (Metric m : metrics) {
                if (!metricStates.containsKey(m.name())) {
                    throw new FoveaException("the checkpoint was interrupted inside an epoch but holds no partial state"
                            + " for metric '" + m.name() + "' (it has " + metricStates.keySet() + "); resume with the"
                            + " metrics it was trained with, or from an epoch boundary");
                }
            }
        }
        stepInEpoch = step;
        partialLossSum = lossSum;
        partialSeen = seen;
        partialMetrics = Map.copyOf(metricStates);
        epochsDone = epochs;
        lrScale = scale;
        scaledGroups = null;
        history.clear();
        for (int i = 0; i < h.size(); i++) {
            Map<String, Double> logs = new LinkedHashMap<>();
            for (Map.Entry<String, List<Double>> e : h.asMap().entrySet()) {
                logs.put(e.getKey(), e.getValue().get(i));
            }
            history.add(h.epochs().get(i), logs);
        }
    }

    private final class Context implements TrainContext {
        boolean stopped;
        boolean nonFinite;
        String reason;

        @Override
        public Model model() {
            return model;
        }

        @Override
        public Optimizer optimizer() {
            return optimizer;
        }

        @Override
        public History history() {
            return history;
        }

        @Override
        public void stop(String why) {
            stopped = true;
            reason = why;
        }

        @Override
        public boolean stopRequested() {
            return stopped;
        }

        @Override
        public double learningRateScale() {
            return lrScale;
        }

        @Override
        public void setLearningRateScale(double scale) {
            lrScale = scale;
            scaledGroups = null;
        }

        @Override
        public void saveModel(Path file) throws IOException {
            ModelFile.save(file, model, info);
        }

        @Override
        public void saveCheckpoint(Path file) throws IOException {
            Checkpoint.save(file, Trainer.this);
        }
    }

    double partialLossSum() {
        return partialLossSum;
    }

    long partialSeen() {
        return partialSeen;
    }

    long steadyImages() {
        return steadyImages;
    }

    Map<String, double[]> partialMetrics() {
        return partialMetrics;
    }

    /** Every callback's {@link Callback#state()}, or the restored state no {@code fit} has taken yet. */
    Map<String, float[]> callbackState() {
        if (!restoredCallbackState.isEmpty()) {
            return restoredCallbackState;
        }
        Map<String, float[]> out = new LinkedHashMap<>();
        for (Callback c : fitCallbacks) {
            out.putAll(c.state());
        }
        return out;
    }

    void restoreCallbackState(Map<String, float[]> saved) {
        restoredCallbackState = Map.copyOf(saved);
    }
}
