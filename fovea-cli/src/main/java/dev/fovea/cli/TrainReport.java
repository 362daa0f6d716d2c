package dev.fovea.cli;

import dev.fovea.data.Dataset;
import dev.fovea.data.Normalization;
import dev.fovea.eval.TestTimeAugmentation;
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
 * flatter the model), the console summary, the plots and {@code report.html}. With a test-time
 * augmentation level the model is scored a second time with it, and both accuracies are printed
 * and shown; a history with {@code elapsed_s} adds the time-to-accuracy curve.
 */
final class TrainReport {
    private TrainReport() {
    }

    /** The final scores: loss and accuracy, and with test-time augmentation (NaN when none was asked for). */
    record Scores(double loss, double accuracy, double ttaLoss, double ttaAccuracy) {
    }

    /** As {@link #write(Path, Model, History, Dataset, boolean, Normalization, List, String, Map, TestTimeAugmentation.Level)} without test-time augmentation. */
    static Scores write(Path dir, Model net, History history, Dataset data, boolean onTrainingData,
                        Normalization norm, List<String> classNames, String title, Map<String, String> provenance) {
        return write(dir, net, history, data, onTrainingData, norm, classNames, title, provenance,
                TestTimeAugmentation.Level.NONE);
    }

    /**
     * Evaluates, prints, and writes the report and plots into {@code dir}. With {@code tta} other
     * than NONE the data is scored again with it ({@code views} more passes): its loss and accuracy
     * are printed on a second line and the accuracy is shown beside the plain one in the report;
     * the confusion matrix and mistakes stay those of the plain pass.
     */
    static Scores write(Path dir, Model net, History history, Dataset data, boolean onTrainingData,
                        Normalization norm, List<String> classNames, String title, Map<String, String> provenance,
                        TestTimeAugmentation.Level tta) {
        Evaluation ev = Evaluation.run(net, data, norm, classNames, 256);
        Evaluation withTta = tta == TestTimeAugmentation.Level.NONE ? null
                : Evaluation.run(net, data, norm, classNames, 256, tta);
        PrintStream o = System.out;
        String which = onTrainingData ? "training data" : "validation";
        o.printf(Locale.ROOT, "%s loss %.4f, accuracy %.4f%s%n", which, ev.loss, ev.accuracy,
                onTrainingData ? " (no validation data: these are the images it was trained on)" : "");
        if (withTta != null) {
            o.printf(Locale.ROOT, "%s with test-time augmentation %s: loss %.4f, accuracy %.4f%n", which,
                    tta.cliName(), withTta.loss, withTta.accuracy);
        }
        Map<String, String> key = new LinkedHashMap<>();
        key.put(onTrainingData ? "training-data loss (no validation data)" : "validation loss",
                String.format(Locale.ROOT, "%.4f", ev.loss));
        HtmlReport report = HtmlReport.training(title + (onTrainingData
                        ? " — evaluated on its training data (no validation data)" : ""))
                .provenance(provenance).keyFigures(key)
                .curves(curves(history))
                .modelSummary(Summary.of(net));
        if (withTta != null) {
            report.accuracyWithTta(tta.cliName(), withTta.accuracy);
        }
        ev.addTo(report, net, norm);
        try {
            report.writePlots(dir.resolve("plots"));
            Path html = report.write(dir);
            o.println("report: " + html);
        } catch (RuntimeException e) {
            throw OutputFolder.translate(e, "cannot write the report into", dir, "--out");
        }
        return new Scores(ev.loss, ev.accuracy, withTta == null ? Double.NaN : withTta.loss,
                withTta == null ? Double.NaN : withTta.accuracy);
    }

    static TrainingCurves curves(History h) {
        Map<String, List<Double>> series = new LinkedHashMap<>();
        for (String k : List.of("loss", "val_loss", "accuracy", "val_accuracy", History.ELAPSED)) {
            if (!h.get(k).isEmpty()) {
                series.put(k, h.get(k));
            }
        }
        return new TrainingCurves(series);
    }
}
