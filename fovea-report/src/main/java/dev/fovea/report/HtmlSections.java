package dev.fovea.report;

import static dev.fovea.report.HtmlReport.dataUri;
import static dev.fovea.report.HtmlReport.fixed;

import dev.fovea.eval.ClassMetrics;
import dev.fovea.eval.ConfusedPair;
import dev.fovea.eval.ConfusionMatrix;
import dev.fovea.eval.Misclassified;
import dev.fovea.report.HtmlReport.Html;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;

/**
 * The HTML of each report section, one static method per section, written into an
 * {@link Html} builder that escapes by default. Layout only: the numbers come from
 * {@code dev.fovea.eval}, the images from {@link Charts} or the caller.
 */
final class HtmlSections {
    private HtmlSections() {
    }

    /** {@code tta}: the "accuracy with TTA" card {label, value} shown beside the accuracy, or null. */
    static void overview(Html h, Map<String, String> keyFigures, Map<String, String> provenance, ClassMetrics m,
                         String[] tta) {
        open(h, "overview", "Overview");
        h.raw("<div class=\"cards\">");
        card(h, "accuracy", fixed(100 * m.accuracy(), 2) + "%");
        if (tta != null) {
            card(h, tta[0], tta[1]);
        }
        for (Map.Entry<String, String> e : keyFigures.entrySet()) {
            card(h, e.getKey(), e.getValue());
        }
        card(h, "macro F1", fixed(m.macroAverage().f1(), 3));
        card(h, "examples", String.format(java.util.Locale.ROOT, "%,d", m.macroAverage().support()));
        card(h, "classes", Integer.toString(m.numClasses()));
        h.raw("</div>\n");
        if (!provenance.isEmpty()) {
            h.raw("<h3>Provenance</h3>\n<table class=\"kv\"><tbody>\n");
            for (Map.Entry<String, String> e : provenance.entrySet()) {
                h.raw("<tr><th scope=\"row\">").text(e.getKey()).raw("</th><td><code>");
                // One line per command of a resumed run: explicit breaks, so the order and the
                // split survive copying and do not depend on the stylesheet.
                String[] lines = e.getValue().strip().split("\r?\n");
                for (int i = 0; i < lines.length; i++) {
                    h.raw(i > 0 ? "<br>" : "").text(lines[i]);
                }
                h.raw("</code></td></tr>\n");
            }
            h.raw("</tbody></table>\n");
        }
        close(h);
    }

    static void curves(Html h, Map<String, byte[]> images) {
        open(h, "curves", "Training curves");
        h.raw("<p class=\"note\">One point per epoch; <code>val_</code> series are measured on the validation "
                + "data after each epoch.</p>\n<div class=\"pair\">");
        image(h, images.get("loss.png"), "Loss per epoch", Charts.CURVE_WIDTH, Charts.CURVE_HEIGHT);
        image(h, images.get("accuracy.png"), "Accuracy per epoch", Charts.CURVE_WIDTH, Charts.CURVE_HEIGHT);
        h.raw("</div>\n");
        if (images.containsKey("time_to_accuracy.png")) {
            h.raw("<p class=\"note\">Time to accuracy: accuracy after each epoch against the seconds of training"
                    + " up to its end (the training passes only; validation and checkpoints excluded).</p>\n");
            image(h, images.get("time_to_accuracy.png"), "Accuracy against seconds of training", Charts.CURVE_WIDTH,
                    Charts.CURVE_HEIGHT);
        }
        close(h);
    }

    static void confusion(Html h, ConfusionMatrix cm, Map<String, byte[]> images) {
        open(h, "confusion", "Confusion matrix");
        h.raw("<p class=\"note\">Rows are true classes, columns predicted classes. The normalized matrix "
                + "divides each row by its class's examples, so its diagonal is per-class recall.</p>\n");
        h.raw("<div class=\"pair\">");
        image(h, images.get("confusion_counts.png"), "Confusion matrix, counts", Charts.HEATMAP_WIDTH,
                Charts.HEATMAP_HEIGHT);
        image(h, images.get("confusion_normalized.png"), "Confusion matrix, row-normalized", Charts.HEATMAP_WIDTH,
                Charts.HEATMAP_HEIGHT);
        h.raw("</div>\n");
        List<String> names = cm.classNames();
        double[][] norm = cm.rowNormalized();
        h.raw("<div class=\"scroll\"><table class=\"cm\">\n<caption>Counts, with the fraction of the true class "
                + "underneath</caption>\n<thead><tr><th class=\"corner\">true \\ predicted</th>");
        for (String n : names) {
            h.raw("<th scope=\"col\">").text(n).raw("</th>");
        }
        h.raw("</tr></thead>\n<tbody>\n");
        for (int t = 0; t < cm.numClasses(); t++) {
            h.raw("<tr><th scope=\"row\">").text(names.get(t)).raw("</th>");
            for (int p = 0; p < cm.numClasses(); p++) {
                // Cell shade follows the row fraction, as in the normalized heat map.
                h.raw("<td" + (t == p ? " class=\"diag\"" : "") + " style=\"background:rgba(59,139,200,"
                        + fixed(0.8 * norm[t][p], 3) + ")\">" + cm.count(t, p) + "<small>"
                        + fixed(100 * norm[t][p], 1) + "%</small></td>");
            }
            h.raw("</tr>\n");
        }
        h.raw("</tbody></table></div>\n");
        close(h);
    }

    static void perClass(Html h, ClassMetrics m, byte[] barsPng) {
        open(h, "per-class", "Per-class metrics");
        h.raw("<p class=\"note\">Precision of a class the model never predicts is reported as 0 "
                + "(scikit-learn's <code>zero_division=0</code>); such classes count in the macro average.</p>\n");
        h.raw("<table class=\"num\">\n<thead><tr><th>class</th><th>precision</th><th>recall</th><th>F1</th>"
                + "<th>support</th></tr></thead>\n<tbody>\n");
        for (int c = 0; c < m.numClasses(); c++) {
            metricRow(h, m.classNames().get(c), m.precision(c), m.recall(c), m.f1(c), m.support(c), "");
        }
        h.raw("</tbody>\n<tfoot>\n");
        ClassMetrics.Average macro = m.macroAverage();
        ClassMetrics.Average weighted = m.weightedAverage();
        h.raw("<tr class=\"sum\"><th>accuracy</th><td></td><td></td><td>").raw(fixed(m.accuracy(), 3))
                .raw("</td><td>" + macro.support() + "</td></tr>\n");
        metricRow(h, "macro avg", macro.precision(), macro.recall(), macro.f1(), macro.support(), " class=\"sum\"");
        metricRow(h, "weighted avg", weighted.precision(), weighted.recall(), weighted.f1(), weighted.support(),
                " class=\"sum\"");
        h.raw("</tfoot></table>\n");
        image(h, barsPng, "Per-class precision, recall and F1", Charts.BARS_WIDTH, Charts.BARS_HEIGHT);
        close(h);
    }

    static void mostConfused(Html h, List<ConfusedPair> pairs) {
        open(h, "most-confused", "Most-confused class pairs");
        if (pairs.isEmpty()) {
            h.raw("<p>No example was misclassified.</p>\n");
        } else {
            h.raw("<table class=\"num\">\n<thead><tr><th>#</th><th>true class</th><th>predicted as</th>"
                    + "<th>examples</th><th>of true class</th></tr></thead>\n<tbody>\n");
            int rank = 1;
            for (ConfusedPair p : pairs) {
                h.raw("<tr><td>" + rank++ + "</td><td class=\"name\">").text(p.trueName())
                        .raw("</td><td class=\"name\">").text(p.predictedName()).raw("</td><td>" + p.count()
                        + "</td><td>" + fixed(100 * p.fractionOfTrue(), 1) + "%</td></tr>\n");
            }
            h.raw("</tbody></table>\n");
        }
        close(h);
    }

    /** A Grad-CAM row of the misclassified section, PNG-encoded: image, predicted-class and true-class overlays. */
    record ExplainedPng(Misclassified.Example example, byte[] image, byte[] predicted, byte[] truth, int width,
                        int height) {
    }

    static void misclassified(Html h, byte[] png, String caption, List<Misclassified.Example> examples,
                              List<String> names, String layer, List<ExplainedPng> heatmaps) {
        open(h, "misclassified", "Misclassified images");
        BufferedImage decoded;
        try {
            decoded = ImageIO.read(new ByteArrayInputStream(png));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (decoded == null) {
            throw new IllegalArgumentException("misclassified grid: the bytes given are not a PNG image");
        }
        h.raw("<figure class=\"grid\">");
        h.raw("<img src=\"" + dataUri(png) + "\" width=\"" + decoded.getWidth() + "\" height=\""
                + decoded.getHeight() + "\" alt=\"").text(caption == null ? "Misclassified images" : caption)
                .raw("\">");
        if (caption != null) {
            h.raw("<figcaption>").text(caption).raw("</figcaption>");
        }
        h.raw("</figure>\n");
        if (!examples.isEmpty()) {
            h.raw("<details><summary>The " + examples.size() + " examples shown</summary>\n<table class=\"num\">"
                    + "<thead><tr><th>#</th><th>example</th><th>true class</th><th>predicted</th><th>confidence</th>"
                    + "</tr></thead>\n<tbody>\n");
            int rank = 1;
            for (Misclassified.Example e : examples) {
                h.raw("<tr><td>" + rank++ + "</td><td>" + e.index() + "</td><td class=\"name\">")
                        .text(names.get(e.trueLabel())).raw("</td><td class=\"name\">").text(names.get(e.predicted()))
                        .raw("</td><td>" + fixed(100 * e.confidence(), 1) + "%</td></tr>\n");
            }
            h.raw("</tbody></table></details>\n");
        }
        if (!heatmaps.isEmpty()) {
            heatmaps(h, names, layer, heatmaps);
        }
        close(h);
    }

    private static void heatmaps(Html h, List<String> names, String layer, List<ExplainedPng> items) {
        h.raw("<h3>Where the model looked</h3>\n<p class=\"note\">Grad-CAM at <code>").text(layer)
                .raw("</code>: each mistake, then the evidence for the class it predicted, then for its true class"
                        + " (red: strong, blue: none; from the gradient of each class's logit).</p>\n");
        // Every cell as wide as the widest row of three pictures (3 px apart), so the grid's
        // columns line up whatever the captions' lengths.
        int cell = items.stream().mapToInt(e -> 3 * e.width() + 2 * 3).max().orElse(0);
        h.raw("<div class=\"gradcam\" style=\"--cell: " + cell + "px\">\n");
        for (ExplainedPng e : items) {
            String t = names.get(e.example().trueLabel());
            String p = names.get(e.example().predicted());
            h.raw("<figure class=\"gradcam-item\"><div class=\"gradcam-row\">");
            heatmapImage(h, e.image(), "example " + e.example().index() + ": " + t, e);
            heatmapImage(h, e.predicted(), "Grad-CAM for the predicted class " + p, e);
            heatmapImage(h, e.truth(), "Grad-CAM for the true class " + t, e);
            h.raw("</div><figcaption>#").raw(String.valueOf(e.example().index())).raw(": ").text(t).raw(" → ")
                    .text(p).raw(" " + fixed(100 * e.example().confidence(), 0)
                            + "% · image, predicted, true</figcaption></figure>\n");
        }
        h.raw("</div>\n");
    }

    private static void heatmapImage(Html h, byte[] png, String alt, ExplainedPng e) {
        h.raw("<img src=\"" + dataUri(png) + "\" width=\"" + e.width() + "\" height=\"" + e.height() + "\" alt=\"")
                .text(alt).raw("\" title=\"").text(alt).raw("\">");
    }

    /**
     * The summary {@code fovea summary} prints (Keras's box-drawn table, {@code nn.Summary}) as an
     * HTML table, with the lines before and after it as text around it: box-drawing
     * glyphs cannot be trusted to join in a browser (each character draws its piece of a rule at
     * its own sub-pixel offset, and the font may not be the one the table was drawn for), table
     * borders always do. Text in another layout is shown preformatted, as given.
     */
    static void model(Html h, String summary) {
        open(h, "model", "Model summary");
        List<String> before = new ArrayList<>();
        List<String> after = new ArrayList<>();
        List<String> header = null;
        List<List<String>> rows = new ArrayList<>();
        for (String line : summary.strip().split("\r?\n")) {
            char first = line.isEmpty() ? ' ' : line.charAt(0);
            if (first == '\u2503' && header == null && rows.isEmpty()) { // ┃ header ┃
                header = cells(line, '\u2503');
            } else if (first == '\u2502' && header != null) { // │ row │
                rows.add(cells(line, '\u2502'));
            } else if ("\u250f\u2521\u251c\u2514".indexOf(first) >= 0) { // ┏ ┡ ├ └: rules
                continue;
            } else if (header == null) {
                before.add(line);
            } else {
                after.add(line.strip());
            }
        }
        int cols = header == null ? 0 : header.size();
        if (cols == 0 || rows.isEmpty() || rows.stream().anyMatch(r -> r.size() != cols)) {
            h.raw("<pre class=\"model-summary\">").text(summary).raw("</pre>\n");
            close(h);
            return;
        }
        boolean[] numeric = new boolean[cols];
        for (int c = 0; c < cols; c++) {
            final int col = c;
            numeric[c] = rows.stream().allMatch(r -> col < r.size() && r.get(col).matches("[0-9][0-9,]*"));
        }
        if (!before.isEmpty()) {
            h.raw("<p class=\"summary-text\">").text(String.join(" ", before).strip()).raw("</p>\n");
        }
        h.raw("<div class=\"scroll\"><table class=\"summary\">\n<thead><tr>");
        for (int c = 0; c < cols; c++) {
            h.raw("<th scope=\"col\"" + (numeric[c] ? " class=\"n\"" : "") + ">").text(header.get(c)).raw("</th>");
        }
        h.raw("</tr></thead>\n<tbody>\n");
        for (List<String> r : rows) {
            h.raw("<tr>");
            for (int c = 0; c < cols; c++) {
                h.raw("<td" + (numeric[c] ? " class=\"n\"" : "") + ">").text(r.get(c)).raw("</td>");
            }
            h.raw("</tr>\n");
        }
        h.raw("</tbody></table></div>\n");
        if (!after.isEmpty()) {
            h.raw("<p class=\"summary-text\">");
            for (int i = 0; i < after.size(); i++) {
                h.raw(i > 0 ? "<br>" : "").text(after.get(i));
            }
            h.raw("</p>\n");
        }
        close(h);
    }

    /** The trimmed cells of a table line drawn with {@code bar} between and around them. */
    private static List<String> cells(String line, char bar) {
        String inner = line.strip();
        inner = inner.substring(1, inner.endsWith(String.valueOf(bar)) ? inner.length() - 1 : inner.length());
        List<String> cells = new ArrayList<>();
        for (String c : inner.split(java.util.regex.Pattern.quote(String.valueOf(bar)), -1)) {
            cells.add(c.strip());
        }
        return cells;
    }

    private static void metricRow(Html h, String name, double p, double r, double f, long support, String cls) {
        h.raw("<tr" + cls + "><th scope=\"row\">").text(name).raw("</th><td>" + fixed(p, 3) + "</td><td>" + fixed(r, 3)
                + "</td><td>" + fixed(f, 3) + "</td><td>" + support + "</td></tr>\n");
    }

    private static void card(Html h, String label, String value) {
        h.raw("<div class=\"card\"><div class=\"value\">").text(value).raw("</div><div class=\"label\">")
                .text(label).raw("</div></div>");
    }

    private static void image(Html h, byte[] png, String alt, int width, int height) {
        if (png == null) {
            return;
        }
        h.raw("<img src=\"" + dataUri(png) + "\" width=\"" + width + "\" height=\"" + height + "\" alt=\"")
                .text(alt).raw("\">");
    }

    private static void open(Html h, String id, String heading) {
        h.raw("<section id=\"" + id + "\">\n<h2>").text(heading).raw("</h2>\n");
    }

    private static void close(Html h) {
        h.raw("</section>\n");
    }
}
