package dev.fovea.train;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Keras's {@code History}: per-epoch values of every logged quantity ({@code loss},
 * {@code accuracy}, {@code val_loss}, {@code val_accuracy}, {@code learning_rate}, and Fovea's
 * {@value #ELAPSED}), in the order they first appeared. Calling {@code fit} again appends to the
 * same history.
 */
public final class History {
    /**
     * Seconds of training up to the end of each epoch, cumulative over the run: the epochs'
     * training passes (waiting for batches included; validation, callbacks and checkpoint writes
     * excluded), carried on by a fit after a resume (the part of an epoch interrupted mid-way is
     * not counted). Wall-clock time, so the one logged value two runs of a seed do not share.
     */
    public static final String ELAPSED = "elapsed_s";

    private final List<Integer> epochs = new ArrayList<>();
    private final Map<String, List<Double>> values = new LinkedHashMap<>();

    /** Appends one epoch's logs (epoch numbers count from 1, as Keras prints them). */
    public void add(int epoch, Map<String, Double> logs) {
        int row = epochs.size();
        epochs.add(epoch);
        for (Map.Entry<String, Double> e : logs.entrySet()) {
            List<Double> col = values.computeIfAbsent(e.getKey(), k -> new ArrayList<>());
            while (col.size() < row) {
                col.add(Double.NaN);
            }
            col.add(e.getValue());
        }
        for (List<Double> col : values.values()) {
            while (col.size() < row + 1) {
                col.add(Double.NaN);
            }
        }
    }

    public void clear() {
        epochs.clear();
        values.clear();
    }

    public List<Integer> epochs() {
        return List.copyOf(epochs);
    }

    /** The values of {@code key} per epoch (NaN where an epoch did not log it); empty if never logged. */
    public List<Double> get(String key) {
        return List.copyOf(values.getOrDefault(key, List.of()));
    }

    public Map<String, List<Double>> asMap() {
        Map<String, List<Double>> m = new LinkedHashMap<>();
        values.forEach((k, v) -> m.put(k, List.copyOf(v)));
        return m;
    }

    /** The last logged {@value #ELAPSED}, 0 when none was logged (a new run, or a history from before it existed). */
    public double elapsedSeconds() {
        List<Double> t = values.getOrDefault(ELAPSED, List.of());
        for (int i = t.size() - 1; i >= 0; i--) {
            if (!Double.isNaN(t.get(i))) {
                return t.get(i);
            }
        }
        return 0;
    }

    public int size() {
        return epochs.size();
    }

    /** CSV with an {@code epoch} column then one column per key, as Keras's CSVLogger writes. */
    public String toCsv() {
        StringBuilder sb = new StringBuilder("epoch");
        for (String k : values.keySet()) {
            sb.append(',').append(k);
        }
        sb.append('\n');
        for (int r = 0; r < epochs.size(); r++) {
            sb.append(epochs.get(r));
            for (List<Double> col : values.values()) {
                sb.append(',').append(format(col.get(r)));
            }
            sb.append('\n');
        }
        return sb.toString();
    }

    static String format(double v) {
        return Double.isNaN(v) ? "" : Double.toString(v);
    }

    /** Parses {@link #toCsv()} output (used when resuming from a checkpoint). */
    public static History fromCsv(String csv) {
        History h = new History();
        String[] lines = csv.strip().split("\n");
        if (lines.length == 0 || lines[0].isBlank()) {
            return h;
        }
        String[] head = lines[0].split(",", -1);
        for (int r = 1; r < lines.length; r++) {
            String[] cells = lines[r].split(",", -1);
            Map<String, Double> logs = new LinkedHashMap<>();
            for (int c = 1; c < head.length; c++) {
                logs.put(head[c], c < cells.length && !cells[c].isEmpty() ? Double.parseDouble(cells[c]) : Double.NaN);
            }
            h.add(Integer.parseInt(cells[0].trim()), logs);
        }
        return h;
    }
}
