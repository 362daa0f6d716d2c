package dev.fovea.report;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fovea.FoveaException;
import dev.fovea.eval.ConfusionMatrix;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HtmlReportTest {
    static final Pattern IMG = Pattern.compile(
            "<img src=\"data:image/png;base64,([A-Za-z0-9+/=]+)\" width=\"(\\d+)\" height=\"(\\d+)\"");
    static String full;

    @BeforeAll
    static void renderOnce() {
        full = ReportFixtures.fullTrainingReport().render();
    }

    @Test
    void escapesTheFiveSpecialCharacters() {
        assertEquals("&lt;a href=&quot;x&quot;&gt;Tom &amp; Jerry&#39;s&lt;/a&gt;",
                HtmlReport.escape("<a href=\"x\">Tom & Jerry's</a>"));
        assertEquals("plain text, 100%", HtmlReport.escape("plain text, 100%"));
    }

    @Test
    void everySectionIsPresentInOrder() {
        String[] ids = {"overview", "curves", "confusion", "per-class", "most-confused", "misclassified", "model"};
        int last = -1;
        for (String id : ids) {
            int at = full.indexOf("<section id=\"" + id + "\">");
            assertTrue(at > last, "section " + id + " missing or out of order");
            assertTrue(full.contains("<a href=\"#" + id + "\">"), "no navigation link to " + id);
            last = at;
        }
        assertTrue(full.contains("<h1>tutorial-cnn on CIFAR-10</h1>"));
        assertTrue(full.contains("<th scope=\"row\">data sha-256</th>"));
        assertTrue(full.contains("<th class=\"corner\">true \\ predicted</th>"));
        assertTrue(full.contains("1,984 images/s"));
    }

    @Test
    void imagesAreEmbeddedPngsOfTheDeclaredSizeAndNothingIsExternal() throws IOException {
        Matcher m = IMG.matcher(full);
        List<String> sizes = new ArrayList<>();
        while (m.find()) {
            BufferedImage img = ChartsTest.decode(Base64.getDecoder().decode(m.group(1)));
            assertEquals(Integer.parseInt(m.group(2)), img.getWidth());
            assertEquals(Integer.parseInt(m.group(3)), img.getHeight());
            sizes.add(img.getWidth() + "x" + img.getHeight());
        }
        // loss, accuracy, time to accuracy, two heat maps, per-class bars, the 8 x 4 misclassified grid.
        assertEquals(List.of("640x400", "640x400", "640x400", "640x580", "640x580", "1000x400", "768x504"), sizes);
        assertEquals(7, full.split("<img ", -1).length - 1, "an <img> without an embedded PNG");
        for (String external : List.of("src=\"http", "href=\"http", "url(", "@import", "<link", "<script src")) {
            assertFalse(full.contains(external), "external reference: " + external);
        }
    }

    /** The TTA card follows the plain accuracy card; the time curve sits in the curves section. */
    @Test
    void ttaAccuracyStandsBesideThePlainOneAndTheTimeCurveIsInTheCurvesSection() {
        int plain = full.indexOf("<div class=\"label\">accuracy</div></div>");
        String ttaCard = "<div class=\"card\"><div class=\"value\">76.12%</div><div class=\"label\">accuracy with"
                + " TTA (6view)</div></div>";
        assertTrue(plain > 0, "plain accuracy card");
        assertEquals(plain + "<div class=\"label\">accuracy</div></div>".length(), full.indexOf(ttaCard),
                "the TTA card right after the plain accuracy card");
        int curves = full.indexOf("<section id=\"curves\">");
        int time = full.indexOf("alt=\"Accuracy against seconds of training\"");
        assertTrue(time > curves && time < full.indexOf("<section id=\"confusion\">"), "time curve in the curves section");
        assertTrue(ReportFixtures.fullTrainingReport().plots().containsKey("time_to_accuracy.png"));

        // Without times or a TTA accuracy, neither appears.
        HtmlReport plainReport = HtmlReport.training("t").curves(ReportFixtures.curves(3))
                .evaluation(ConfusionMatrix.of(new int[] {0, 1}, new int[] {0, 0}, List.of("a", "b")));
        String html = plainReport.render();
        assertFalse(html.contains("with TTA"), "no TTA card");
        assertFalse(html.contains("seconds of training"), "no time curve");
        assertFalse(plainReport.plots().containsKey("time_to_accuracy.png"));
    }

    @Test
    void callerStringsAreEscapedEverywhere() {
        ConfusionMatrix cm = ConfusionMatrix.of(new int[] {0, 1, 1}, new int[] {0, 0, 1},
                List.of("<b>cat</b>", "dog & \"wolf\""));
        Map<String, String> prov = new LinkedHashMap<>();
        prov.put("command <line>", "fovea train --out 'runs/<x>'");
        String html = HtmlReport.evaluation("<script>alert(1)</script>")
                .provenance(prov)
                .keyFigures(Map.of("loss <test>", "0.5 & falling"))
                .evaluation(cm)
                .modelSummary("</pre><script>bad()</script>")
                .render();
        assertFalse(html.contains("<script>alert"));
        assertFalse(html.contains("<script>bad"));
        assertFalse(html.contains("<b>cat"));
        assertTrue(html.contains("<title>&lt;script&gt;alert(1)&lt;/script&gt;</title>"));
        assertTrue(html.contains("&lt;b&gt;cat&lt;/b&gt;"));
        assertTrue(html.contains("dog &amp; &quot;wolf&quot;"));
        assertTrue(html.contains("command &lt;line&gt;"));
        assertTrue(html.contains("fovea train --out &#39;runs/&lt;x&gt;&#39;"));
        assertTrue(html.contains("0.5 &amp; falling"));
        // The one script in the page is the report's own image check.
        assertEquals(1, html.split("<script>", -1).length - 1);
    }

    @Test
    void multiLineProvenanceValuesShowEachLineInOrder() {
        // A resumed run lists every command that trained it, one per line.
        Map<String, String> prov = new LinkedHashMap<>();
        prov.put("commands", "./fovea train --data <cifar> --epochs 2\r\n./fovea train --resume runs/a&b --epochs 4\n");
        prov.put("optimizer", "adam");
        ConfusionMatrix cm = ConfusionMatrix.of(new int[] {0, 1}, new int[] {0, 1}, List.of("a", "b"));
        String html = HtmlReport.evaluation("eval").provenance(prov).evaluation(cm).render();
        assertTrue(html.contains("<tr><th scope=\"row\">commands</th><td><code>./fovea train --data &lt;cifar&gt;"
                + " --epochs 2<br>./fovea train --resume runs/a&amp;b --epochs 4</code></td></tr>"), html);
        assertTrue(html.contains("<tr><th scope=\"row\">optimizer</th><td><code>adam</code></td></tr>"), html);
    }

    @Test
    void evaluationVariantHasNoCurvesAndShowsHandComputedMetrics() {
        // Counts a = [3,1,0], b = [0,1,1], c = [0,1,3]: F1 of a is 6/7, accuracy 0.7.
        ConfusionMatrix cm = ConfusionMatrix.of(new int[] {0, 0, 0, 1, 1, 2, 2, 2, 2, 0},
                new int[] {0, 1, 0, 1, 2, 2, 2, 1, 2, 0}, List.of("a", "b", "c"));
        HtmlReport r = HtmlReport.evaluation("held-out batch").evaluation(cm);
        String html = r.render();
        assertFalse(html.contains("id=\"curves\""));
        assertFalse(html.contains("id=\"misclassified\""));
        assertTrue(html.contains("Fovea evaluation report"));
        assertTrue(html.contains("<tr><th scope=\"row\">a</th><td>1.000</td><td>0.750</td><td>0.857</td><td>4</td></tr>"));
        assertTrue(html.contains("<div class=\"value\">70.00%</div><div class=\"label\">accuracy</div>"));
        assertTrue(html.contains(">3<small>75.0%</small></td>"));
        assertEquals(List.of("confusion_counts.png", "confusion_normalized.png", "per_class.png"),
                List.copyOf(r.plots().keySet()));
        assertThrows(IllegalStateException.class, () -> r.curves(ReportFixtures.curves(2)));
    }

    @Test
    void missingRequiredInputsAreRefused() {
        ConfusionMatrix cm = ConfusionMatrix.of(new int[] {0}, new int[] {0}, List.of("a"));
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> HtmlReport.training("run").evaluation(cm).render());
        assertTrue(e.getMessage().contains("no training curves"), e.getMessage());
        e = assertThrows(IllegalStateException.class, () -> HtmlReport.evaluation("eval").render());
        assertTrue(e.getMessage().contains("no evaluation"), e.getMessage());
    }

    @Test
    void writeReplacesAtomicallyAndLeavesNoTemporaryFiles(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("report.html"), "old");
        ConfusionMatrix cm = ConfusionMatrix.of(new int[] {0, 1}, new int[] {0, 1}, List.of("a", "b"));
        HtmlReport r = HtmlReport.evaluation("eval").evaluation(cm);
        Path written = r.write(dir);
        assertEquals(dir.resolve("report.html"), written);
        assertEquals(r.render(), Files.readString(written, StandardCharsets.UTF_8));
        List<Path> plots = r.writePlots(dir.resolve("plots"));
        assertEquals(3, plots.size());
        for (Path p : plots) {
            assertArrayEquals(r.plots().get(p.getFileName().toString()), Files.readAllBytes(p));
        }
        try (Stream<Path> s = Files.list(dir)) {
            assertEquals(List.of("plots", "report.html"), s.map(p -> p.getFileName().toString()).sorted().toList());
        }
    }

    @Test
    void failedWriteKeepsTheTargetAndCleansUp(@TempDir Path dir) throws IOException {
        // A non-empty folder named report.html cannot be replaced by the rename.
        Path blocker = Files.createDirectories(dir.resolve("report.html"));
        Files.writeString(blocker.resolve("keep.txt"), "kept");
        ConfusionMatrix cm = ConfusionMatrix.of(new int[] {0}, new int[] {0}, List.of("a"));
        FoveaException e = assertThrows(FoveaException.class,
                () -> HtmlReport.evaluation("eval").evaluation(cm).write(dir));
        assertEquals("cannot write " + dir.resolve("report.html") + " (a folder of that name is in the way); remove or"
                + " rename that folder, or write elsewhere", e.getMessage());
        assertEquals("kept", Files.readString(blocker.resolve("keep.txt")));
        try (Stream<Path> s = Files.list(dir)) {
            assertEquals(List.of("report.html"), s.map(p -> p.getFileName().toString()).toList());
        }
    }

    @Test
    void trainingCurvesRejectRaggedSeries() {
        Map<String, List<Double>> m = new LinkedHashMap<>();
        m.put("loss", List.of(1.0, 0.5));
        m.put("val_loss", List.of(1.0));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new TrainingCurves(m));
        assertTrue(e.getMessage().contains("'val_loss' has 1 values, expected 2"), e.getMessage());
    }

    /** The summary as a table: header cells, one row per layer, counts right-aligned, text escaped, no box glyphs. */
    @Test
    void modelSummaryIsAnHtmlTableWithItsTextAround() {
        int at = full.indexOf("<section id=\"model\">");
        String model = full.substring(at, full.indexOf("</section>", at));
        assertTrue(model.contains("<p class=\"summary-text\">Model: &quot;tutorial-cnn&quot;</p>"), model);
        assertTrue(model.contains("<thead><tr><th scope=\"col\">Layer (type)</th><th scope=\"col\">Output Shape</th>"
                + "<th scope=\"col\" class=\"n\">Param #</th></tr></thead>"), model);
        assertTrue(model.contains("<tr><td>dense (Dense)</td><td>(10)</td><td class=\"n\">81,930</td></tr>"), model);
        assertEquals(5, model.split("<tr><td>", -1).length - 1, "one row per layer");
        assertTrue(model.contains("<p class=\"summary-text\">Total params: 82,826 &lt;all trainable &amp;"
                + " &quot;float32&quot;&gt;</p>"), model);
        assertFalse(model.matches("(?s).*[\u2500-\u257f].*"), "no box-drawing characters left: " + model);
        String other = ReportFixtures.fullTrainingReport().modelSummary("a summary <not> drawn as a table").render();
        assertTrue(other.contains("<pre class=\"model-summary\">a summary &lt;not&gt; drawn as a table</pre>"),
                "other text is shown as given");
    }
}
