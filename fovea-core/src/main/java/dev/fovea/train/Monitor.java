package dev.fovea.train;

import dev.fovea.FoveaException;
import java.util.Map;

/**
 * A monitored quantity and its direction, shared by the callbacks that watch one
 * ({@code val_loss} is minimized; names containing {@code acc} are maximized, as Keras's
 * {@code mode="auto"}).
 */
record Monitor(String key, boolean maximize, double minDelta) {
    static Monitor auto(String key, double minDelta) {
        return new Monitor(key, key.contains("acc"), Math.abs(minDelta));
    }

    /** The value in {@code logs}, or an error naming the keys there are. */
    double read(Map<String, Double> logs, String who) {
        Double v = logs.get(key);
        if (v == null) {
            throw new FoveaException(who + ": monitors '" + key + "' but the epoch logs hold "
                    + logs.keySet() + "; pass validation data for val_ metrics or monitor one of those");
        }
        return v;
    }

    boolean improves(double value, double best) {
        if (Double.isNaN(best)) {
            return !Double.isNaN(value);
        }
        return maximize ? value > best + minDelta : value < best - minDelta;
    }
}
