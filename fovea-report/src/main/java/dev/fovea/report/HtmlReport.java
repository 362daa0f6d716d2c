package dev.fovea.report;

import dev.fovea.eval.ClassMetrics;
import dev.fovea.eval.ConfusionMatrix;
import dev.fovea.eval.Misclassified;
import dev.fovea.io.AtomicFiles;
import java.awt.image.BufferedImage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Builds one self-contained {@code report.html}: charts as base64 PNG data URIs, inline CSS, no
 * external files, fonts or JavaScript libraries, so the page can be mailed or archived and opens
 * offline. Two variants: {@link #training} (with loss and accuracy curves) and
 * {@link #evaluation} (for {@code fovea evaluate --report DIR}, no curves). Every string from the
 * caller is HTML-escaped. The only script is a few inline lines that record on {@code <body>}
 * how many images decoded ({@code data-images-loaded="N/M"}), which the headless-browser test
 * reads; the page does not depend on it.
 *
 * <p>Sections appear in this order, each only when its input was given: overview (key figures
 * and provenance), training curves, confusion matrix, per-class metrics, most-confused pairs,
 * misclassified images, model summary. The evaluation is required in both variants, the curves
 * in the training variant. Not thread-safe; build, write, discard.
 */
public final class HtmlReport {
    /** Default number of most-confused pairs listed. */
    public static final int DEFAULT_TOP_CONFUSED = 10;
    public static final String FILE_NAME = "report.html";

    private final boolean training;
    private final String title;
    private final Map<String, String> keyFigures = new LinkedHashMap<>();
    private final Map<String, String> provenance = new LinkedHashMap<>();
    private TrainingCurves curves;
    private ConfusionMatrix confusion;
    private int topConfused = DEFAULT_TOP_CONFUSED;
    private byte[] gridPng;
    private String gridCaption;
    private List<Misclassified.Example> gridExamples = List.of();
    private String heatmapLayer;
    private List<HtmlSections.ExplainedPng> heatmaps = List.of();
    private String modelSummary;
    private String ttaLevel;
    private double ttaAccuracy;
    private Map<String, byte[]> plots;

    private HtmlReport(boolean training, String title) {
        this.training = training;
        this.title = title;
    }

    /** A report of a training run: curves, evaluation on the validation data, model. */
    public static HtmlReport training(String title) {
        return new HtmlReport(true, title);
    }

    /** The evaluation part only, for {@code fovea evaluate --report DIR}; curves are refused. */
    public static HtmlReport evaluation(String title) {
        return new HtmlReport(false, title);
    }

    /** Headline numbers shown as cards, e.g. "test loss" → "0.712"; accuracy and F1 are added from the evaluation. */
    public HtmlReport keyFigures(Map<String, String> figures) {
        keyFigures.putAll(figures);
        return this;
    }

    /**
     * Ordered provenance rows: command line, seed, versions, data checksum, duration, throughput,
     * optimizer and so on. A value with line breaks ({@code '\n'}, e.g. the commands of a resumed
     * run) shows one line per line, in order.
     */
    public HtmlReport provenance(Map<String, String> rows) {
        provenance.putAll(rows);
        return this;
    }

    /**
     * The accuracy of the same evaluation with test-time augmentation at {@code level} (e.g.
     * "6view"), shown as a card beside the plain accuracy: "accuracy with TTA (6view)".
     */
    public HtmlReport accuracyWithTta(String level, double accuracy) {
        this.ttaLevel = level;
        this.ttaAccuracy = accuracy;
        return this;
    }

    /**
     * Per-epoch curves. When they hold {@code elapsed_s} (cumulative seconds of training) and an
     * accuracy, the report also draws accuracy against time ({@code time_to_accuracy.png}).
     */
    public HtmlReport curves(TrainingCurves trainingCurves) {
        if (!training) {
            throw new IllegalStateException("an evaluation report has no training curves; use HtmlReport.training");
        }
        this.curves = trainingCurves;
        plots = null;
        return this;
    }

    /** The evaluation: confusion matrix, from which per-class metrics and confused pairs follow. */
    public HtmlReport evaluation(ConfusionMatrix cm) {
        this.confusion = cm;
        plots = null;
        return this;
    }

    /** How many most-confused pairs to list (default {@value #DEFAULT_TOP_CONFUSED}). */
    public HtmlReport topConfused(int k) {
        if (k < 0) {
            throw new IllegalArgumentException("topConfused must be >= 0, got " + k);
        }
        this.topConfused = k;
        return this;
    }

    /**
     * A ready-made grid of misclassified images (drawn by {@code ImageGrid}), its caption, and
     * optionally the examples it shows, listed as a table under the image.
     */
    public HtmlReport misclassified(BufferedImage grid, String caption, List<Misclassified.Example> examples) {
        return misclassifiedPng(Charts.png(grid), caption, examples);
    }

    /** As {@link #misclassified(BufferedImage, String, List)} with the grid already PNG-encoded. */
    public HtmlReport misclassifiedPng(byte[] png, String caption, List<Misclassified.Example> examples) {
        this.gridPng = png.clone();
        this.gridCaption = caption;
        this.gridExamples = List.copyOf(examples);
        return this;
    }

    /**
     * One misclassified example explained by Grad-CAM: the image as shown and its overlays for
     * the predicted and the true class ({@link Heatmaps#overlay}), all of one size.
     */
    public record Explained(Misclassified.Example example, BufferedImage image, BufferedImage predicted,
                            BufferedImage truth) {
    }

    /**
     * Grad-CAM heatmaps of misclassified examples, shown in the misclassified section under the
     * grid, each image beside its overlays for the predicted and the true class; {@code layer}
     * names the explained layer. Needs {@link #misclassified} too.
     */
    public HtmlReport misclassifiedHeatmaps(String layer, List<Explained> items) {
        List<HtmlSections.ExplainedPng> pngs = new ArrayList<>(items.size());
        for (Explained e : items) {
            pngs.add(new HtmlSections.ExplainedPng(e.example(), Charts.png(e.image()), Charts.png(e.predicted()),
                    Charts.png(e.truth()), e.image().getWidth(), e.image().getHeight()));
        }
        this.heatmapLayer = layer;
        this.heatmaps = List.copyOf(pngs);
        return this;
    }

    /** The model summary as printed by {@code fovea summary}; its box-drawn table is shown as an HTML table. */
    public HtmlReport modelSummary(String text) {
        this.modelSummary = text;
        return this;
    }

    /**
     * The charts this report embeds, by file name ({@code loss.png}, {@code accuracy.png},
     * {@code time_to_accuracy.png} when the curves have times, {@code confusion_counts.png},
     * {@code confusion_normalized.png}, {@code per_class.png}), so a
     * run folder's {@code plots/} can hold the same images.
     */
    public Map<String, byte[]> plots() {
        check();
        if (plots == null) {
            Map<String, byte[]> m = new LinkedHashMap<>();
            if (curves != null) {
                if (curves.has("loss") || curves.has("val_loss")) {
                    m.put("loss.png", Charts.loss(curves));
                }
                if (curves.has("accuracy") || curves.has("val_accuracy")) {
                    m.put("accuracy.png", Charts.accuracy(curves));
                    if (curves.has(Charts.ELAPSED)
                            && curves.get(Charts.ELAPSED).stream().anyMatch(t -> !Double.isNaN(t))) {
                        m.put("time_to_accuracy.png", Charts.timeToAccuracy(curves));
                    }
                }
            }
            m.put("confusion_counts.png", Charts.confusionHeatmap(confusion, false));
            m.put("confusion_normalized.png", Charts.confusionHeatmap(confusion, true));
            m.put("per_class.png", Charts.perClassBars(confusion.classMetrics()));
            plots = m;
        }
        return plots;
    }

    /**
     * Writes {@link #plots()} into {@code dir}, each atomically; returns the files written.
     *
     * @throws dev.fovea.FoveaException saying which file failed, why and what to do
     */
    public List<Path> writePlots(Path dir) {
        List<Path> written = new ArrayList<>();
        for (Map.Entry<String, byte[]> e : plots().entrySet()) {
            written.add(AtomicFiles.writeBytes(dir.resolve(e.getKey()), e.getValue()));
        }
        return written;
    }

    /**
     * Writes {@code dir/report.html} atomically (temporary file, then rename), creating
     * {@code dir} if needed; returns its path.
     *
     * @throws dev.fovea.FoveaException saying why the write failed and what to do
     */
    public Path write(Path dir) {
        return AtomicFiles.writeBytes(dir.resolve(FILE_NAME), render().getBytes(StandardCharsets.UTF_8));
    }

    /** The whole page. */
    public String render() {
        Map<String, byte[]> images = plots();
        ClassMetrics metrics = confusion.classMetrics();
        Html h = new Html();
        h.raw("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
                .raw("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
                .raw("<meta name=\"generator\" content=\"Fovea\">\n")
                .raw("<title>").text(title).raw("</title>\n<style>").raw(HtmlStyle.CSS).raw("</style>\n</head>\n")
                .raw("<body data-images-loaded=\"pending\">\n<header>\n<p class=\"kind\">")
                .text(training ? "Fovea training report" : "Fovea evaluation report")
                .raw("</p>\n<h1>").text(title).raw("</h1>\n<nav>");
        for (String[] s : sections()) {
            h.raw("<a href=\"#").text(s[0]).raw("\">").text(s[1]).raw("</a>");
        }
        h.raw("</nav>\n</header>\n<main>\n");

        HtmlSections.overview(h, keyFigures, provenance, metrics, ttaLevel == null ? null
                : new String[] {"accuracy with TTA (" + ttaLevel + ")", fixed(100 * ttaAccuracy, 2) + "%"});
        if (curves != null) {
            HtmlSections.curves(h, images);
        }
        HtmlSections.confusion(h, confusion, images);
        HtmlSections.perClass(h, metrics, images.get("per_class.png"));
        HtmlSections.mostConfused(h, confusion.mostConfused(topConfused));
        if (gridPng != null) {
            HtmlSections.misclassified(h, gridPng, gridCaption, gridExamples, confusion.classNames(), heatmapLayer,
                    heatmaps);
        }
        if (modelSummary != null) {
            HtmlSections.model(h, modelSummary);
        }
        h.raw("</main>\n<footer>Generated by Fovea. This page is self-contained: images are embedded, "
                + "nothing is loaded from the network.</footer>\n");
        h.raw(HtmlStyle.IMAGE_CHECK_SCRIPT).raw("</body>\n</html>\n");
        return h.toString();
    }

    private List<String[]> sections() {
        List<String[]> s = new ArrayList<>();
        s.add(new String[] {"overview", "Overview"});
        if (curves != null) {
            s.add(new String[] {"curves", "Training curves"});
        }
        s.add(new String[] {"confusion", "Confusion matrix"});
        s.add(new String[] {"per-class", "Per-class metrics"});
        s.add(new String[] {"most-confused", "Most confused"});
        if (gridPng != null) {
            s.add(new String[] {"misclassified", "Misclassified"});
        }
        if (modelSummary != null) {
            s.add(new String[] {"model", "Model"});
        }
        return s;
    }

    private void check() {
        if (confusion == null) {
            throw new IllegalStateException("report '" + title + "': no evaluation given; call evaluation(ConfusionMatrix)");
        }
        if (training && curves == null) {
            throw new IllegalStateException("training report '" + title + "': no training curves given; call "
                    + "curves(TrainingCurves), or use HtmlReport.evaluation for an evaluation-only report");
        }
    }

    /** Escapes text for HTML element content and quoted attribute values. */
    public static String escape(String s) {
        StringBuilder sb = new StringBuilder(s.length() + 16);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '&' -> sb.append("&amp;");
                case '<' -> sb.append("&lt;");
                case '>' -> sb.append("&gt;");
                case '"' -> sb.append("&quot;");
                case '\'' -> sb.append("&#39;");
                default -> sb.append(c);
            }
        }
        return sb.toString();
    }

    static String dataUri(byte[] png) {
        return "data:image/png;base64," + Base64.getEncoder().encodeToString(png);
    }

    static String fixed(double v, int decimals) {
        return String.format(Locale.ROOT, "%." + decimals + "f", v);
    }

    /** A string builder whose {@link #text} escapes and {@link #raw} does not, so escaping is the default path. */
    static final class Html {
        private final StringBuilder sb = new StringBuilder(1 << 16);

        Html raw(String s) {
            sb.append(s);
            return this;
        }

        Html text(String s) {
            sb.append(escape(s));
            return this;
        }

        @Override
        public String toString() {
            return sb.toString();
        }
    }
}
