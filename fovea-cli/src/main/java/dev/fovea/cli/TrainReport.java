package dev.fovea.cli;

import dev.fovea.data.Dataset;
import dev.fovea.data.Normalization;
import dev.fovea.nn.Model;
import dev.fovea.nn.Summary;
import dev.fovea.report.HtmlReport;
import dev.fovea.report.TrainingCurves;
import dev.fovea.train.History;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The end of {@code fovea train}: the model evaluated on the validation data, or on the training
 * data when the run has none (said so in the title and the key figures, since those numbers
 * flatter the model), the console summary, the plots and {@code report.html}.
 */
final class TrainReport {
    private TrainReport() {
    }

    static void write(Path dir, Model net, History history, Dataset data, boolean onTrainingData,
                      Normalization norm, List<String> classNames, String title, Map<String, String> provenance) {
        Evaluation ev = Evaluation.run(net, data, norm, classNames, 256);
        PrintStream o = System.out;
        String which = onTrainingData ? "training data" : "validation";
        o.printf(Locale.ROOT, "%s loss %.4f, accuracy %.4f%s%n", which, ev.loss, ev.accuracy,
                onTrainingData ? " (no validation data: these are the images it was trained on)" : "");
        Map<String, String> key = new LinkedHashMap<>();
        key.put(onTrainingData ? "training-data loss (no validation data)" : "validation loss",
                String.format(Locale.ROOT, "%.4f", ev.loss));
        HtmlReport report = HtmlReport.training(title + (onTrainingData
                        ? " — evaluated on its training data (no validation data)" : ""))
                .provenance(provenance).keyFigures(key)
                .curves(curves(history))
                .modelSummary(Summary.of(net));
        ev.addTo(report);
        try {
            report.writePlots(dir.resolve("plots"));
            Path html = report.write(dir);
            o.println("report: " + html);
        } catch (RuntimeException e) {
            throw OutputFolder.translate(e, "cannot write the report into", dir, "--out");
        }
    }

    static TrainingCurves curves(History h) {
        Map<String, List<Double>> series = new LinkedHashMap<>();
        for (String k : List.of("loss", "val_loss", "accuracy", "val_accuracy")) {
            if (!h.get(k).isEmpty()) {
                series.put(k, h.get(k));
            }
        }
        return new TrainingCurves(series);
    }
}
