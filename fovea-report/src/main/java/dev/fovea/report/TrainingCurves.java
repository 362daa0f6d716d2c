package dev.fovea.report;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Per-epoch values of training metrics keyed by Keras-style names ({@code loss},
 * {@code accuracy}, {@code val_loss}, {@code val_accuracy}, …), in insertion order; every series
 * has one value per epoch. The report's input for training curves: the trainer's history adapts
 * to it with one map copy, so this package does not depend on the training loop. Immutable.
 */
public record TrainingCurves(Map<String, List<Double>> series) {
    public TrainingCurves {
        Map<String, List<Double>> copy = new LinkedHashMap<>();
        int epochs = -1;
        for (Map.Entry<String, List<Double>> e : series.entrySet()) {
            List<Double> values = List.copyOf(e.getValue());
            if (epochs >= 0 && values.size() != epochs) {
                throw new IllegalArgumentException("training curves: metric '" + e.getKey() + "' has "
                        + values.size() + " values, expected " + epochs + " like the metrics before it");
            }
            epochs = values.size();
            copy.put(e.getKey(), values);
        }
        series = Collections.unmodifiableMap(copy);
    }

    /** Curves from arrays, e.g. {@code of(Map.of("loss", new double[] {...}))}; keeps the map's order. */
    public static TrainingCurves of(Map<String, double[]> arrays) {
        Map<String, List<Double>> m = new LinkedHashMap<>();
        for (Map.Entry<String, double[]> e : arrays.entrySet()) {
            List<Double> values = new ArrayList<>(e.getValue().length);
            for (double v : e.getValue()) {
                values.add(v);
            }
            m.put(e.getKey(), values);
        }
        return new TrainingCurves(m);
    }

    public int epochs() {
        return series.isEmpty() ? 0 : series.values().iterator().next().size();
    }

    public boolean has(String metric) {
        return series.containsKey(metric);
    }

    public List<Double> get(String metric) {
        List<Double> v = series.get(metric);
        if (v == null) {
            throw new IllegalArgumentException("training curves: no metric '" + metric + "', have " + series.keySet());
        }
        return v;
    }
}
