package dev.fovea.report;

import dev.fovea.data.Dataset;
import dev.fovea.data.Normalization;
import dev.fovea.eval.ClassMetrics;
import dev.fovea.eval.ConfusionMatrix;
import dev.fovea.eval.GradCam;
import dev.fovea.eval.Misclassified;
import dev.fovea.eval.TestTimeAugmentation;
import dev.fovea.eval.TextTables;
import dev.fovea.loss.SparseCategoricalCrossentropy;
import dev.fovea.nn.Conv2D;
import dev.fovea.nn.Model;
import dev.fovea.tensor.Shape;
import dev.fovea.tensor.Tensor;
import dev.fovea.train.DataFeed;
import java.awt.Color;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A trained model's results on one labelled dataset, shared by {@code fovea train}'s and
 * {@code fovea spark train}'s report and by {@code fovea evaluate}: loss, accuracy,
 * probabilities, the confusion matrix, per-class metrics and the most confident mistakes drawn
 * as a labelled image grid (with their Grad-CAM heatmaps for a convolutional classifier).
 */
public final class ModelEvaluation {
    public final Dataset data;
    public final List<String> classNames;
    public final double loss;
    public final double accuracy;
    public final float[] probs;
    public final int[] predicted;
    public final ConfusionMatrix matrix;

    /** How many of the most confident mistakes a report shows. */
    public static final int MISTAKES_SHOWN = 24;

    private ModelEvaluation(Dataset data, List<String> classNames, double loss, double accuracy, float[] probs,
                            int[] predicted, ConfusionMatrix matrix) {
        this.data = data;
        this.classNames = classNames;
        this.loss = loss;
        this.accuracy = accuracy;
        this.probs = probs;
        this.predicted = predicted;
        this.matrix = matrix;
    }

    /**
     * Runs {@code model} over {@code data} once (once per view with test-time augmentation), in
     * inference mode. Loss and accuracy come from those (averaged) outputs (the loss as Keras's
     * sparse categorical cross-entropy, from logits when the model has no softmax head), so
     * evaluating costs one pass, not two. The caller checks that the data fits the model (each
     * front end words that failure for its own options); a mismatch here is a programming error.
     */
    public static ModelEvaluation run(Model model, Dataset data, Normalization norm, List<String> classNames,
                                      int batchSize, TestTimeAugmentation.Level tta) {
        int k = model.outputShape().dim(-1);
        var in = model.inputShape();
        if (data.numClasses() > k || in.dim(0) != data.height() || in.dim(1) != data.width()
                || in.dim(2) != data.channels()) {
            throw new IllegalArgumentException("the data (" + data.height() + "×" + data.width() + "×"
                    + data.channels() + ", " + data.numClasses() + " classes) does not fit the model (" + in
                    + " in, " + k + " classes out); check it before evaluating");
        }
        boolean softmax = model.endsInSoftmax();
        SparseCategoricalCrossentropy lossFn = new SparseCategoricalCrossentropy(!softmax, 0f);
        float[] out = new TestTimeAugmentation(tta).predict(model, DataFeed.plain(data, norm), batchSize);
        double loss = data.size() == 0 ? Double.NaN
                : lossFn.compute(new Tensor(Shape.of(data.size(), k), out), data.labels(), null);
        float[] probs = model.probabilities(out);
        int[] pred = Misclassified.argmax(probs, k);
        List<String> names = classNames.size() == k ? classNames : data.classNames();
        ConfusionMatrix cm = ConfusionMatrix.of(data.labels(), pred, names.size() == k ? names : numbered(k));
        return new ModelEvaluation(data, cm.classNames(), loss, cm.accuracy(), probs, pred, cm);
    }


    private static List<String> numbered(int k) {
        List<String> l = new ArrayList<>();
        for (int i = 0; i < k; i++) {
            l.add("class_" + i);
        }
        return l;
    }

    /** Loss, accuracy, the per-class table and the confusion matrix, for the terminal. */
    public String text() {
        return text(Integer.MAX_VALUE);
    }

    /** As {@link #text()} with the tables in at most {@code width} columns (see {@link TextTables}). */
    public String text(int width) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "images:   %,d%n", data.size()));
        sb.append(String.format(Locale.ROOT, "loss:     %.4f%n", loss));
        sb.append(String.format(Locale.ROOT, "accuracy: %.4f%n%n", accuracy));
        sb.append(TextTables.classReport(ClassMetrics.of(matrix), width)).append('\n');
        sb.append("confusion matrix (rows: true class, columns: predicted)\n");
        sb.append(TextTables.confusionMatrix(matrix, width)).append('\n');
        sb.append("most confused pairs\n").append(TextTables.mostConfused(matrix.mostConfused(5)));
        return sb.toString();
    }

    public List<Misclassified.Example> mistakes(int count) {
        return Misclassified.mostConfident(data.labels(), predicted, probs, classNames.size(), count);
    }

    /** The most confident mistakes as a labelled grid: "true → predicted (confidence)". */
    public BufferedImage mistakesGrid(List<Misclassified.Example> examples) {
        List<ImageGrid.Tile> tiles = new ArrayList<>();
        for (Misclassified.Example e : examples) {
            String caption = classNames.get(e.trueLabel()) + " → " + classNames.get(e.predicted())
                    + String.format(Locale.ROOT, " %.0f%%", 100 * e.confidence());
            tiles.add(new ImageGrid.Tile(rgb(data, e.index()), data.height(), data.width(), caption,
                    new Color(180, 30, 30)));
        }
        return ImageGrid.render(tiles, 6, Math.max(1, 96 / data.height()));
    }

    /** Sample {@code i} as H·W·3 RGB (grayscale replicated). */
    public static byte[] rgb(Dataset data, int i) {
        byte[] img = data.image(i);
        if (data.channels() == 3) {
            return img;
        }
        int px = data.height() * data.width();
        byte[] out = new byte[px * 3];
        for (int p = 0; p < px; p++) {
            byte v = img[p * data.channels()];
            out[3 * p] = v;
            out[3 * p + 1] = v;
            out[3 * p + 2] = v;
        }
        return out;
    }

    /** Adds the evaluation sections (matrix, per-class metrics, mistakes) to a report. */
    public void addTo(HtmlReport report) {
        report.evaluation(matrix);
        List<Misclassified.Example> ex = mistakes(MISTAKES_SHOWN);
        if (!ex.isEmpty()) {
            report.misclassified(mistakesGrid(ex), "The " + ex.size()
                    + " most confident mistakes on the evaluation data: true class → predicted class (confidence)", ex);
        }
    }

    /**
     * As {@link #addTo(HtmlReport)}, and, for a convolutional classifier, each mistake's Grad-CAM
     * heatmaps at its last Conv2D for the predicted and the true class ({@code norm} preprocesses
     * the images as the evaluation did).
     */
    public void addTo(HtmlReport report, Model model, Normalization norm) {
        addTo(report);
        List<Misclassified.Example> ex = mistakes(MISTAKES_SHOWN);
        if (ex.isEmpty() || model.outputShape().rank() != 1 || GradCam.convLayers(model).isEmpty()) {
            return;
        }
        GradCam cam = new GradCam(model);
        int h = data.height();
        int w = data.width();
        int c = data.channels();
        float[] x = new float[ex.size() * h * w * c];
        int[] predictedClasses = new int[ex.size()];
        int[] trueClasses = new int[ex.size()];
        for (int i = 0; i < ex.size(); i++) {
            norm.toFloat(data.image(ex.get(i).index()), 0, x, i * h * w * c, h * w * c);
            predictedClasses[i] = ex.get(i).predicted();
            trueClasses[i] = ex.get(i).trueLabel();
        }
        Tensor batch = new Tensor(Shape.of(ex.size(), h, w, c), x);
        GradCam.Result forPredicted = cam.compute(batch, predictedClasses);
        GradCam.Result forTrue = cam.compute(batch, trueClasses);
        int scale = Math.max(1, 96 / Math.max(h, w));
        List<HtmlReport.Explained> items = new ArrayList<>();
        for (int i = 0; i < ex.size(); i++) {
            BufferedImage img = Heatmaps.enlarge(Heatmaps.fromRgb(rgb(data, ex.get(i).index()), h, w), scale);
            items.add(new HtmlReport.Explained(ex.get(i), img,
                    Heatmaps.overlay(img, forPredicted.heatmap(i), forPredicted.height(), forPredicted.width(),
                            Heatmaps.ALPHA),
                    Heatmaps.overlay(img, forTrue.heatmap(i), forTrue.height(), forTrue.width(), Heatmaps.ALPHA)));
        }
        report.misclassifiedHeatmaps(cam.layerName(), items);
    }
}
