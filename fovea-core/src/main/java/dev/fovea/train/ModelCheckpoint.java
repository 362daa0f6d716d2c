package dev.fovea.train;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Map;

/**
 * Keras {@code ModelCheckpoint}: writes the model file after every epoch or, with
 * {@code saveBestOnly}, only when the monitored value improved. Writes are atomic, so an
 * interrupted save never replaces the last good file.
 */
public final class ModelCheckpoint implements Callback {
    private final Path file;
    private final Monitor monitor;
    private final boolean saveBestOnly;
    private double best = Double.NaN;
    private int saves;

    public ModelCheckpoint(Path file, String monitor, boolean saveBestOnly) {
        this.file = file;
        this.monitor = Monitor.auto(monitor, 0);
        this.saveBestOnly = saveBestOnly;
    }

    @Override
    public void onEpochEnd(TrainContext ctx, int epoch, Map<String, Double> logs) {
        if (saveBestOnly) {
            double v = monitor.read(logs, "ModelCheckpoint");
            if (!monitor.improves(v, best)) {
                return;
            }
            best = v;
        }
        try {
            ctx.saveModel(file);
            saves++;
        } catch (IOException e) {
            throw new UncheckedIOException("ModelCheckpoint: could not write " + file + ": " + e.getMessage(), e);
        }
    }

    /** How many times the file was written (tests and logs). */
    public int saves() {
        return saves;
    }
}
