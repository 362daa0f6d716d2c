package dev.fovea.train;

import dev.fovea.FoveaException;
import dev.fovea.nn.Param;
import java.util.List;
import java.util.Map;

/**
 * Keras {@code EarlyStopping}: stops when the monitored value has not improved by more than
 * {@code minDelta} for {@code patience} epochs; with {@code restoreBestWeights} the weights of
 * the best epoch are put back when it stops (and at the end of training).
 */
public final class EarlyStopping implements Callback {
    private final Monitor monitor;
    private final int patience;
    private final boolean restoreBestWeights;
    private double best = Double.NaN;
    private int wait;
    private int bestEpoch;
    private float[][] bestWeights;

    public EarlyStopping(String monitor, int patience) {
        this(monitor, 0, patience, false);
    }

    public EarlyStopping(String monitor, double minDelta, int patience, boolean restoreBestWeights) {
        if (patience < 0) {
            throw new FoveaException("EarlyStopping: patience must be >= 0, received " + patience);
        }
        this.monitor = Monitor.auto(monitor, minDelta);
        this.patience = patience;
        this.restoreBestWeights = restoreBestWeights;
    }

    @Override
    public void onEpochEnd(TrainContext ctx, int epoch, Map<String, Double> logs) {
        double v = monitor.read(logs, "EarlyStopping");
        if (monitor.improves(v, best)) {
            best = v;
            bestEpoch = epoch;
            wait = 0;
            if (restoreBestWeights) {
                List<Param> ps = ctx.model().params();
                bestWeights = new float[ps.size()][];
                for (int i = 0; i < ps.size(); i++) {
                    bestWeights[i] = ps.get(i).value().clone();
                }
            }
            return;
        }
        wait++;
        if (wait >= patience) {
            ctx.stop("EarlyStopping: " + monitor.key() + " has not improved for " + wait
                    + " epochs (best " + Progress.formatValue(best) + " at epoch " + bestEpoch + ")");
            restore(ctx);
        }
    }

    @Override
    public void onTrainEnd(TrainContext ctx) {
        restore(ctx);
    }

    private void restore(TrainContext ctx) {
        if (restoreBestWeights && bestWeights != null) {
            List<Param> ps = ctx.model().params();
            for (int i = 0; i < ps.size(); i++) {
                System.arraycopy(bestWeights[i], 0, ps.get(i).value(), 0, bestWeights[i].length);
            }
        }
    }

    public int bestEpoch() {
        return bestEpoch;
    }

    public double best() {
        return best;
    }
}
