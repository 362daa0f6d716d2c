package dev.fovea.report;

import dev.fovea.data.Dataset;
import dev.fovea.data.Normalization;
import dev.fovea.eval.TestTimeAugmentation;
import dev.fovea.nn.Model;
import dev.fovea.nn.Summary;
import dev.fovea.train.History;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The end of a training run, shared by {@code fovea train} and {@code fovea spark train}: the
 * model evaluated on the validation data, or on the training data when the run has none (said so
 * in the title and the key figures, since those numbers flatter the model), the console summary,
 * the plots and {@code report.html}. With a test-time augmentation level the model is scored a
 * second time with it, and both accuracies are printed and shown; a history with
 * {@code elapsed_s} adds the time-to-accuracy curve.
 */
public final class RunReport {
    private RunReport() {
    }

    /** The final scores: loss and accuracy, and with test-time augmentation (NaN when none was asked for). */
    public record Scores(double loss, double accuracy, double ttaLoss, double ttaAccuracy) {
    }

    /**
     * Writing the report or its plots failed (the cause says why); evaluating did not, so a front
     * end can word this one as a problem of its output folder.
     */
    public static final class WriteFailure extends RuntimeException {
        WriteFailure(RuntimeException cause) {
            super(cause.getMessage(), cause);
        }

        @Override
        public synchronized RuntimeException getCause() {
            return (RuntimeException) super.getCause();
        }
    }

    /**
     * Evaluates, prints to {@code o}, and writes the report and plots into {@code dir}. With
     * {@code tta} other than NONE the data is scored again with it: its loss and accuracy are
     * printed on a second line and the accuracy is shown beside the plain one in the report; the
     * confusion matrix and mistakes stay those of the plain pass. The caller has checked that the
     * data fits the model.
     */
    public static Scores write(Path dir, Model net, History history, Dataset data, boolean onTrainingData,
                               Normalization norm, List<String> classNames, String title,
                               Map<String, String> provenance, TestTimeAugmentation.Level tta, PrintStream o) {
        ModelEvaluation ev = ModelEvaluation.run(net, data, norm, classNames, 256, TestTimeAugmentation.Level.NONE);
        ModelEvaluation withTta = tta == TestTimeAugmentation.Level.NONE ? null
                : ModelEvaluation.run(net, data, norm, classNames, 256, tta);
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
            throw new WriteFailure(e);
        }
        return new Scores(ev.loss, ev.accuracy, withTta == null ? Double.NaN : withTta.loss,
                withTta == null ? Double.NaN : withTta.accuracy);
    }

    /**
     * What {@code --lr auto}'s range test found, into the run folder: {@code plots/lr-find.png}
     * and its points, {@code lr-find.csv}, each written to a temporary name and then renamed.
     *
     * @throws WriteFailure when either cannot be written
     */
    public static void writeLrFinding(Path dir, dev.fovea.train.LearningRateFinder.Result r) {
        try {
            java.nio.file.Files.createDirectories(dir.resolve("plots"));
            dev.fovea.io.AtomicFiles.write(dir.resolve("plots").resolve("lr-find.png"),
                    out -> out.write(Charts.learningRateFinder(r)));
            dev.fovea.io.AtomicFiles.write(dir.resolve("lr-find.csv"),
                    out -> out.write(r.toCsv().getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        } catch (java.io.IOException e) {
            throw new WriteFailure(new java.io.UncheckedIOException(e));
        } catch (RuntimeException e) {
            throw new WriteFailure(e);
        }
    }

    /** The history's loss and accuracy series (and elapsed time, when recorded) as training curves. */
    public static TrainingCurves curves(History h) {
        Map<String, List<Double>> series = new LinkedHashMap<>();
        for (String k : List.of("loss", "val_loss", "accuracy", "val_accuracy", History.ELAPSED)) {
            if (!h.get(k).isEmpty()) {
                series.put(k, h.get(k));
            }
        }
        return new TrainingCurves(series);
    }
}
