package dev.fovea.cli;

import dev.fovea.data.Dataset;
import dev.fovea.data.Normalization;
import dev.fovea.eval.TestTimeAugmentation;
import dev.fovea.nn.Model;
import dev.fovea.report.HtmlReport;
import dev.fovea.report.ModelEvaluation;
import java.util.List;

/**
 * {@code evaluate}'s and {@code train}'s front to {@link ModelEvaluation} (in fovea-report, shared
 * with {@code fovea spark train}): the {@code --tta} option, and the checks that the data fits the
 * model, worded as user errors before any pass runs.
 */
final class Evaluation {
    final ModelEvaluation result;
    final double loss;
    final double accuracy;

    private Evaluation(ModelEvaluation result) {
        this.result = result;
        this.loss = result.loss;
        this.accuracy = result.accuracy;
    }

    /** The help text of {@code --tta}, shared by evaluate and predict. */
    static final String TTA_HELP = "Test-time augmentation, LEVEL = none (one pass), flip (the image and its mirror,"
            + " ½ each) or 6view (airbench94's six views: image and mirror ¼ each, two 1-pixel reflect-shifts and"
            + " their mirrors ⅛ each). Averages the model's outputs: logits, or probabilities after a softmax head."
            + " Costs 1, 2 or 6 forward passes per image. Default: ${DEFAULT-VALUE}.";

    /** The {@code --tta} value as a level; any other spelling is a user error naming the option. */
    static TestTimeAugmentation.Level ttaLevel(String value) {
        for (TestTimeAugmentation.Level l : TestTimeAugmentation.Level.values()) {
            if (l.cliName().equalsIgnoreCase(value.strip())) {
                return l;
            }
        }
        throw new UserError("--tta: expected none, flip or 6view, received '" + value + "'; pass none (one pass),"
                + " flip (image and mirror) or 6view (airbench's six views)");
    }

    /** As {@link #run(Model, Dataset, Normalization, List, int, TestTimeAugmentation.Level)} without augmentation. */
    static Evaluation run(Model model, Dataset data, Normalization norm, List<String> classNames, int batchSize) {
        return run(model, data, norm, classNames, batchSize, TestTimeAugmentation.Level.NONE);
    }

    /** Checks that the data fits the model, then {@link ModelEvaluation#run}. */
    static Evaluation run(Model model, Dataset data, Normalization norm, List<String> classNames, int batchSize,
                          TestTimeAugmentation.Level tta) {
        check(model, data);
        return new Evaluation(ModelEvaluation.run(model, data, norm, classNames, batchSize, tta));
    }

    /** Fails with a hint when the data has more classes than the model predicts, or other images. */
    static void check(Model model, Dataset data) {
        int k = model.outputShape().dim(-1);
        if (data.numClasses() > k) {
            throw new UserError("the data has " + data.numClasses() + " classes but the model predicts " + k
                    + "; evaluate with data of the classes the model was trained on");
        }
        checkInput(model, data);
    }

    /** Fails with a hint when the images do not have the model's input shape. */
    static void checkInput(Model model, Dataset data) {
        var in = model.inputShape();
        if (in.dim(0) != data.height() || in.dim(1) != data.width() || in.dim(2) != data.channels()) {
            throw new UserError("the model expects images of " + in.dim(0) + "×" + in.dim(1) + "×" + in.dim(2)
                    + " but the data has " + data.height() + "×" + data.width() + "×" + data.channels()
                    + "; use data of that size (image folders are resized to the model's input automatically)");
        }
    }

    /** Loss, accuracy, the per-class table and the confusion matrix, in the terminal's width. */
    String text() {
        return result.text(Console.columns());
    }

    /** The evaluation sections, with the mistakes' Grad-CAM heatmaps; see {@link ModelEvaluation#addTo(HtmlReport, Model, Normalization)}. */
    void addTo(HtmlReport report, Model model, Normalization norm) {
        result.addTo(report, model, norm);
    }
}
