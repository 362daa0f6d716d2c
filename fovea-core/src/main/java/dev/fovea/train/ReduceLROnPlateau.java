package dev.fovea.train;

import dev.fovea.FoveaException;
import java.util.Map;

/**
 * Keras {@code ReduceLROnPlateau}: multiplies the learning rate by {@code factor} when the
 * monitored value has not improved for {@code patience} epochs, never below {@code minLr}, then
 * waits {@code cooldown} epochs before watching again.
 */
public final class ReduceLROnPlateau implements Callback {
    private final Monitor monitor;
    private final double factor;
    private final int patience;
    private final int cooldown;
    private final double minLr;
    private double best = Double.NaN;
    private int wait;
    private int cooling;

    public ReduceLROnPlateau(String monitor, double factor, int patience) {
        this(monitor, factor, patience, 0, 0, 1e-4);
    }

    public ReduceLROnPlateau(String monitor, double factor, int patience, int cooldown, double minLr, double minDelta) {
        if (!(factor > 0 && factor < 1)) {
            throw new FoveaException("ReduceLROnPlateau: factor must be in (0, 1), received " + factor);
        }
        this.monitor = Monitor.auto(monitor, minDelta);
        this.factor = factor;
        this.patience = patience;
        this.cooldown = cooldown;
        this.minLr = minLr;
    }

    @Override
    public void onEpochEnd(TrainContext ctx, int epoch, Map<String, Double> logs) {
        double v = monitor.read(logs, "ReduceLROnPlateau");
        if (cooling > 0) {
            cooling--;
            wait = 0;
        }
        if (monitor.improves(v, best)) {
            best = v;
            wait = 0;
            return;
        }
        if (cooling > 0) {
            return;
        }
        wait++;
        if (wait >= patience) {
            double base = ctx.optimizer().learningRate();
            double current = base * ctx.learningRateScale();
            double next = Math.max(current * factor, minLr);
            if (next < current && base > 0) {
                ctx.setLearningRateScale(next / base);
            }
            wait = 0;
            cooling = cooldown;
        }
    }
}
