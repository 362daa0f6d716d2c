package dev.fovea.train;

import dev.fovea.io.AtomicFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;

/**
 * Keras {@code CSVLogger}: after every epoch, rewrites {@code file} with the whole history
 * (one row per epoch) — atomically, so the file is never half-written.
 */
public final class CsvLogger implements Callback {
    private final Path file;

    public CsvLogger(Path file) {
        this.file = file;
    }

    @Override
    public void onEpochEnd(TrainContext ctx, int epoch, Map<String, Double> logs) {
        String csv = ctx.history().toCsv();
        try {
            AtomicFiles.write(file, out -> out.write(csv.getBytes(StandardCharsets.UTF_8)));
        } catch (IOException e) {
            throw new UncheckedIOException("CSVLogger: could not write " + file + ": " + e.getMessage(), e);
        }
    }
}
