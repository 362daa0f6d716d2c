package dev.fovea.cli;

import dev.fovea.data.Dataset;
import dev.fovea.data.Normalization;
import dev.fovea.eval.TestTimeAugmentation;
import dev.fovea.nn.Model;
import dev.fovea.report.RunReport;
import dev.fovea.report.TrainingCurves;
import dev.fovea.run.OutputFolder;
import dev.fovea.train.History;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The end of {@code fovea train}: {@link RunReport} (in fovea-report, shared with
 * {@code fovea spark train}) printing to standard output, with the data checked against the model
 * and a failure to write worded as one of the {@code --out} folder.
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

    /** Evaluates, prints, and writes the report and plots into {@code dir}; see {@link RunReport#write}. */
    static Scores write(Path dir, Model net, History history, Dataset data, boolean onTrainingData,
                        Normalization norm, List<String> classNames, String title, Map<String, String> provenance,
                        TestTimeAugmentation.Level tta) {
        Evaluation.check(net, data);
        try {
            RunReport.Scores s = RunReport.write(dir, net, history, data, onTrainingData, norm, classNames, title,
                    provenance, tta, Console.lines(System.out, Console.outIsTerminal()));
            return new Scores(s.loss(), s.accuracy(), s.ttaLoss(), s.ttaAccuracy());
        } catch (RunReport.WriteFailure e) {
            throw OutputFolder.translate(e.getCause(), "cannot write the report into", dir, "--out");
        }
    }

    static TrainingCurves curves(History h) {
        return RunReport.curves(h);
    }
}
