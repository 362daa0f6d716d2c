package dev.fovea.train;

import dev.fovea.FoveaException;
import dev.fovea.loss.Loss;
import dev.fovea.nn.Layer;
import dev.fovea.nn.Model;
import dev.fovea.nn.Param;
import dev.fovea.nn.RandomState;
import dev.fovea.optim.ExponentialRamp;
import dev.fovea.optim.LearningRateSchedule;
import dev.fovea.optim.Optimizer;
import dev.fovea.optim.ParamGroup;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The learning-rate range test (Leslie Smith's, as fastai's {@code lr_find} runs it): train
 * from the model's present weights for up to {@code steps} batches while the rate rises
 * geometrically from {@code startLr} to {@code endLr} ({@link ExponentialRamp}), record each
 * batch's loss, smooth it with an exponential moving average (bias-corrected, as Adam corrects
 * its moments), stop early once the smoothed loss exceeds {@code divergence} times its minimum
 * so far (or is not finite), then put back every weight, moving statistic and dropout RNG state,
 * so the model is exactly as it was. The suggested rate is the middle of the longest stretch over
 * which the smoothed loss keeps falling (fastai's "valley" rule): far enough from the start that
 * training makes progress, before the loss turns.
 */
public final class LearningRateFinder {
    /** The test's settings; {@link #defaults()} are fastai's. */
    public record Options(double startLr, double endLr, int steps, double smoothing, double divergence) {
        public Options {
            new ExponentialRamp(startLr, endLr, steps); // checks the range and step count
            if (!(smoothing >= 0 && smoothing < 1)) {
                throw new FoveaException("lr-find: smoothing must be in [0, 1), received " + smoothing);
            }
            if (!(divergence > 1)) {
                throw new FoveaException("lr-find: the divergence factor must be > 1, received " + divergence);
            }
        }

        /** 1e-7 to 10 over 100 steps, smoothing 0.98, stop at 4× the best smoothed loss. */
        public static Options defaults() {
            return new Options(1e-7, 10, 100, 0.98, 4);
        }

        public Options withSteps(int n) {
            return new Options(startLr, endLr, n, smoothing, divergence);
        }

        public Options withRange(double start, double end) {
            return new Options(start, end, steps, smoothing, divergence);
        }
    }

    /**
     * The test's record: per step taken, the base rate it used, its batch's mean loss and the
     * smoothed loss; whether it stopped because the loss diverged; the index of the suggestion.
     */
    public record Result(double[] lrs, double[] losses, double[] smoothed, boolean diverged, int suggestedIndex) {
        public int steps() {
            return lrs.length;
        }

        /** The suggested base learning rate. */
        public double suggestion() {
            return lrs[suggestedIndex];
        }

        /** The rate at the lowest smoothed loss (rates around a tenth of it are the older rule of thumb). */
        public double minimumLossLr() {
            int best = 0;
            for (int i = 1; i < smoothed.length; i++) {
                if (smoothed[i] < smoothed[best]) {
                    best = i;
                }
            }
            return lrs[best];
        }

        /** {@code lr,loss,smoothed_loss} lines with a header. */
        public String toCsv() {
            StringBuilder sb = new StringBuilder("lr,loss,smoothed_loss\n");
            for (int i = 0; i < lrs.length; i++) {
                sb.append(lrs[i]).append(',').append(losses[i]).append(',').append(smoothed[i]).append('\n');
            }
            return sb.toString();
        }
    }

    private LearningRateFinder() {
    }

    /**
     * Runs the test on {@code model} with the optimizer {@code optimizerFor} builds around the
     * ramp (a fresh one: the caller's optimizer state is never touched), the loss, the parameter
     * groups (null: one group of every parameter) and shuffled, augmented batches of
     * {@code data} (epochs 0, 1, … as needed). The model is restored before this returns, also
     * when it throws.
     */
    public static Result run(Model model, Function<LearningRateSchedule, Optimizer> optimizerFor, Loss loss,
                             List<ParamGroup> groups, Feed.Source data, int batchSize, boolean dropLast, Options o) {
        ExponentialRamp ramp = new ExponentialRamp(o.startLr(), o.endLr(), o.steps());
        Optimizer optimizer = optimizerFor.apply(ramp);
        Trainer trainer = new Trainer(model, optimizer, loss);
        if (groups != null) {
            trainer.setParamGroups(groups);
        }
        Snapshot saved = new Snapshot(model);
        List<Double> lrs = new ArrayList<>();
        List<Double> losses = new ArrayList<>();
        List<Double> smooth = new ArrayList<>();
        boolean diverged = false;
        try {
            double avg = 0;
            double best = Double.POSITIVE_INFINITY;
            int epoch = 0;
            Feed feed = data.training(epoch, batchSize, true, dropLast);
            try {
                for (int i = 0; i < o.steps(); i++) {
                    Batch b = feed.next();
                    if (b == null) {
                        feed.close();
                        feed = data.training(++epoch, batchSize, true, dropLast);
                        b = feed.next();
                        if (b == null) {
                            throw new FoveaException("lr-find: the data gives no batch of " + batchSize
                                    + " images; lower the batch size");
                        }
                    }
                    double lr = optimizer.learningRate();
                    double l = trainer.trainStep(b);
                    lrs.add(lr);
                    losses.add(l);
                    avg = o.smoothing() * avg + (1 - o.smoothing()) * l;
                    double s = avg / (1 - Math.pow(o.smoothing(), i + 1));
                    smooth.add(s);
                    if (!Double.isFinite(s) || i > 0 && s > o.divergence() * best) {
                        diverged = true;
                        break;
                    }
                    best = Math.min(best, s);
                }
            } finally {
                feed.close();
            }
        } finally {
            saved.restore();
        }
        double[] sm = unbox(smooth);
        return new Result(unbox(lrs), unbox(losses), sm, diverged, valley(sm, diverged));
    }

    /**
     * The middle of the longest decreasing subsequence of the smoothed losses, leaving out the
     * first tenth of the steps (the average is still settling) and, after a divergence, the last
     * five (the blow-up itself); the whole range when too few steps remain.
     */
    static int valley(double[] smoothed, boolean diverged) {
        int n = smoothed.length;
        int from = n / 10;
        int to = diverged ? n - 5 : n;
        if (to - from < 3) {
            from = 0;
            to = n;
        }
        // Longest strictly decreasing subsequence ending at i, and where that one starts.
        int[] length = new int[to - from];
        int[] start = new int[to - from];
        int bestEnd = 0;
        for (int i = 0; i < length.length; i++) {
            length[i] = 1;
            start[i] = i;
            for (int j = 0; j < i; j++) {
                if (smoothed[from + i] < smoothed[from + j] && length[j] + 1 > length[i]) {
                    length[i] = length[j] + 1;
                    start[i] = start[j];
                }
            }
            if (length[i] > length[bestEnd]) {
                bestEnd = i;
            }
        }
        return from + (start[bestEnd] + bestEnd) / 2;
    }

    private static double[] unbox(List<Double> v) {
        double[] out = new double[v.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = v.get(i);
        }
        return out;
    }

    /** Every parameter's values (moving statistics included) and every layer's RNG state. */
    private static final class Snapshot {
        private final List<Param> params;
        private final List<float[]> values = new ArrayList<>();
        private final Map<RandomState, Long> rng = new LinkedHashMap<>();

        Snapshot(Model model) {
            params = List.copyOf(model.namedParams().values());
            for (Param p : params) {
                values.add(Arrays.copyOf(p.value(), p.size()));
            }
            for (Layer l : model.namedLayers().values()) {
                if (l instanceof RandomState r) {
                    rng.put(r, r.rngState());
                }
            }
        }

        void restore() {
            for (int i = 0; i < params.size(); i++) {
                System.arraycopy(values.get(i), 0, params.get(i).value(), 0, params.get(i).size());
                Arrays.fill(params.get(i).grad(), 0f);
            }
            rng.forEach(RandomState::setRngState);
        }
    }
}
