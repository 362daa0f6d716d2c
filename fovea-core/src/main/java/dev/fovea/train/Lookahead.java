package dev.fovea.train;

import dev.fovea.FoveaException;
import dev.fovea.nn.Param;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * airbench's lookahead: an exponential moving average of every weight, pulled back into the
 * model every {@code every} steps. After global step t (the optimizer's iteration count) with
 * {@code t % every == 0}, for every float parameter of the model, trainable or not (so
 * BatchNormalization's running statistics too):
 * <pre>
 *   d   = decay^every · (t / totalSteps)^power
 *   ema ← ema + (1 − d)·(w − ema)
 *   w   ← ema
 * </pre>
 * and after step {@code totalSteps}, {@code w ← ema} (airbench's final {@code update(decay=1)}).
 * The average starts as a copy of the weights when the first {@code fit} begins; nothing happens
 * after {@code totalSteps}. Its tensors are checkpointed as {@code ema/<layer>/<param>}, so a
 * resumed run continues bit-for-bit. airbench uses {@code new Lookahead(totalSteps)}: every 5,
 * decay 0.95, power 3.
 *
 * <p>{@code totalSteps} must be the run's total number of optimizer steps (epochs × steps per
 * epoch). One instance follows one model. A {@code fit} resumed from a checkpoint that holds no
 * average (written without this callback) starts the average from the resumed weights.
 */
public final class Lookahead implements Callback {
    private final long totalSteps;
    private final int every;
    private final double decay;
    private final double power;
    private List<Param> params;
    private List<String> names;
    private float[][] ema;
    private Map<String, float[]> restored;

    /** airbench's settings: every 5 steps, decay 0.95, power 3. */
    public Lookahead(long totalSteps) {
        this(totalSteps, 5, 0.95, 3);
    }

    public Lookahead(long totalSteps, int every, double decay, double power) {
        if (totalSteps < 1 || every < 1 || !(decay >= 0 && decay <= 1) || !(power >= 0) || Double.isInfinite(power)) {
            throw new FoveaException("lookahead: expects totalSteps >= 1, every >= 1, decay in [0, 1] and a finite"
                    + " power >= 0, received " + totalSteps + ", " + every + ", " + decay + ", " + power);
        }
        this.totalSteps = totalSteps;
        this.every = every;
        this.decay = decay;
        this.power = power;
    }

    /** The EMA's decay after global step t: {@code decay^every · (t/totalSteps)^power}. */
    public double decayAt(long t) {
        return Math.pow(decay, every) * Math.pow((double) t / totalSteps, power);
    }

    @Override
    public void onTrainBegin(TrainContext ctx) {
        if (ema != null) {
            return;
        }
        Map<String, Param> named = ctx.model().namedParams();
        params = List.copyOf(named.values());
        names = List.copyOf(named.keySet());
        ema = new float[params.size()][];
        for (int i = 0; i < ema.length; i++) {
            Param p = params.get(i);
            float[] saved = restored == null ? null : restored.get("ema/" + names.get(i));
            if (restored != null && (saved == null || saved.length != p.size())) {
                throw new FoveaException("lookahead: the checkpoint's average of '" + names.get(i) + "' should hold "
                        + p.size() + " values, found " + (saved == null ? "no entry" : saved.length + " values")
                        + "; resume with the model the checkpoint was written for");
            }
            ema[i] = (saved != null ? saved : p.value()).clone();
        }
        restored = null;
    }

    @Override
    public void onBatchEnd(TrainContext ctx, int step, Map<String, Double> logs) {
        long t = ctx.optimizer().iterations();
        if (t > totalSteps) {
            return;
        }
        if (t % every == 0) {
            float weight = (float) (1 - decayAt(t));
            for (int i = 0; i < ema.length; i++) {
                pull(ema[i], params.get(i).value(), weight);
            }
        } else if (t == totalSteps) {
            for (int i = 0; i < ema.length; i++) {
                System.arraycopy(ema[i], 0, params.get(i).value(), 0, ema[i].length);
            }
        }
    }

    /** ema ← ema + weight·(w − ema), then w ← ema. Both (n) modified. */
    private static void pull(float[] ema, float[] w, float weight) {
        for (int j = 0; j < ema.length; j++) {
            float e = ema[j] + weight * (w[j] - ema[j]);
            ema[j] = e;
            w[j] = e;
        }
    }

    @Override
    public Map<String, float[]> state() {
        Map<String, float[]> out = new LinkedHashMap<>();
        if (ema != null) {
            for (int i = 0; i < ema.length; i++) {
                out.put("ema/" + names.get(i), ema[i].clone());
            }
        }
        return out;
    }

    @Override
    public void restoreState(Map<String, float[]> saved) {
        if (saved.keySet().stream().anyMatch(k -> k.startsWith("ema/"))) {
            restored = saved;
            ema = null;
        }
    }

    @Override
    public String toString() {
        return "Lookahead(total_steps=" + totalSteps + ", every=" + every + ", decay=" + decay + ", power=" + power + ")";
    }
}
