package dev.fovea.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.fovea.nn.Presets;
import dev.fovea.nn.Summary;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The report's layout as headless Chromium draws it, measured rather than looked at: element
 * boxes read by a probe script appended to a copy of the page, and the pixels of a screenshot.
 * The screenshots are kept in {@code target/report-screenshots/} for people to look at. Skipped
 * only when {@code /usr/bin/chromium} is absent.
 */
class ReportLayoutTest {
    static final Path SHOTS = Path.of("target", "report-screenshots");

    /** {@code report} with {@code css} added to its stylesheet and {@code script} run after load, as {@code name}. */
    private static Path variant(Path report, Path dir, String name, String css, String script) throws IOException {
        Path p = dir.resolve(name);
        String html = Files.readString(report).replace("</head>", "<style>" + css + "</style></head>");
        if (script != null) {
            html = html.replace("</body>", "<script>window.addEventListener('load', function () {" + script
                    + "});</script></body>");
        }
        Files.writeString(p, html);
        return p;
    }

    private static String attribute(String dom, String name) {
        Matcher m = Pattern.compile(name + "=\"([^\"]*)\"").matcher(dom);
        assertTrue(m.find(), "the probe did not run: no " + name + " on <body>");
        return m.group(1);
    }

    /** Keeps one section of the page, at its top. */
    private static String only(String section) {
        return "header, footer, main > section:not(#" + section + ") { display: none; }";
    }

    @Test
    @DisplayName("the Grad-CAM gallery is a grid: equal cells whose columns line up row under row (skipped without"
            + " /usr/bin/chromium)")
    void gradCamGalleryRowsLineUp(@TempDir Path dir) throws IOException, InterruptedException {
        assumeTrue(HeadlessChromium.available(), "skipped: /usr/bin/chromium is absent; install Debian's chromium");
        Path report = ReportFixtures.gradCamReport().write(dir.resolve("run"));
        Path probed = variant(report, dir, "probed.html", "", """
                var boxes = [];
                document.querySelectorAll("figure.gradcam-item").forEach(function (f) {
                  var r = f.getBoundingClientRect();
                  boxes.push([r.left, r.top, r.width].map(function (v) { return v.toFixed(1); }).join(","));
                });
                document.body.setAttribute("data-gradcam", boxes.join(" "));""");
        for (int width : new int[] {1400, 1000}) {
            List<double[]> boxes = new ArrayList<>();
            for (String b : attribute(HeadlessChromium.dumpDom(probed, dir, width, 1000), "data-gradcam").split(" ")) {
                String[] v = b.split(",");
                boxes.add(new double[] {Double.parseDouble(v[0]), Double.parseDouble(v[1]), Double.parseDouble(v[2])});
            }
            assertEquals(24, boxes.size(), "one cell per mistake");
            List<List<double[]>> rows = new ArrayList<>();
            for (double[] b : boxes) {
                if (rows.isEmpty() || Math.abs(rows.get(rows.size() - 1).get(0)[1] - b[1]) > 0.5) {
                    rows.add(new ArrayList<>());
                }
                rows.get(rows.size() - 1).add(b);
            }
            List<double[]> first = rows.get(0);
            assertTrue(rows.size() > 1 && first.size() > 1, width + " px: several rows of several cells: " + rows.size());
            for (int r = 0; r < rows.size(); r++) {
                List<double[]> row = rows.get(r);
                assertTrue(row.size() == first.size() || r == rows.size() - 1 && row.size() < first.size(),
                        width + " px: row " + (r + 1) + " has " + row.size() + " cells, the first " + first.size());
                for (int c = 0; c < row.size(); c++) {
                    assertEquals(first.get(c)[0], row.get(c)[0], 0.5, width + " px: row " + (r + 1) + ", cell "
                            + (c + 1) + " starts at x = " + row.get(c)[0] + ", under the first row's " + first.get(c)[0]);
                    assertEquals(first.get(0)[2], row.get(c)[2], 0.5, width + " px: row " + (r + 1) + ", cell " + (c + 1)
                            + " is " + row.get(c)[2] + " px wide, the first " + first.get(0)[2]);
                }
            }
        }
        Files.createDirectories(SHOTS);
        HeadlessChromium.screenshot(variant(report, dir, "gallery.html", only("misclassified"), null), dir, 1400, 1800,
                SHOTS.resolve("gradcam-gallery.png"));
    }

    /**
     * The model summary's rules, found in the screenshot's pixels: inside the table's box (for a
     * box-drawn summary, from the middle of its first corner glyph to the middle of its last),
     * lines of dark pixels (a mean below {@value #DARK} of 255) that run unbroken from edge to
     * edge, one pixel column or row wide at least. A table of R rows (the header included) and C
     * columns has C + 1 such vertical rules and R + 1 horizontal ones. Box-drawing glyphs did not
     * join: each character drew its piece of a rule at its own sub-pixel offset, so a vertical
     * rule stepped between pixel columns from line to line and a horizontal one had a notch at
     * every character.
     */
    @Test
    @DisplayName("the model summary's rules are unbroken lines from edge to edge (skipped without /usr/bin/chromium)")
    void summaryRulesAreUnbroken(@TempDir Path dir) throws IOException, InterruptedException {
        assumeTrue(HeadlessChromium.available(), "skipped: /usr/bin/chromium is absent; install Debian's chromium");
        String summary = Summary.of(Presets.create("tutorial-cnn", 32, 32, 3, 10));
        Path report = ReportFixtures.fullTrainingReport().modelSummary(summary).write(dir.resolve("run"));
        Path page = variant(report, dir, "summary.html", only("model"), """
                var box, rows, cols, table = document.querySelector("#model table");
                if (table) {
                  box = table.getBoundingClientRect();
                  rows = table.rows.length;
                  cols = table.rows[0].cells.length;
                } else {
                  var pre = document.querySelector("#model pre"), text = pre.firstChild, range = document.createRange();
                  var lines = text.data.split("\\n");
                  rows = lines.filter(function (l) { return /^[\u2502\u2503]/.test(l); }).length;
                  cols = lines.filter(function (l) { return l.startsWith("\u2503"); })[0].split("\u2503").length - 2;
                  range.setStart(text, text.data.indexOf("\u250f"));
                  range.setEnd(text, text.data.indexOf("\u2518") + 1);
                  var r = range.getClientRects(), all = range.getBoundingClientRect(), last = r[r.length - 1];
                  var half = r[0].width / lines.filter(function (l) { return l.startsWith("\u250f"); })[0].length / 2;
                  box = {left: r[0].left + half, right: r[0].right - half, top: r[0].top + r[0].height / 2,
                         bottom: last.bottom - last.height / 2};
                }
                document.body.setAttribute("data-box", [box.left, box.top, box.right, box.bottom, rows, cols].join(","));""");
        String[] v = attribute(HeadlessChromium.dumpDom(page, dir, 1200, 1000), "data-box").split(",");
        int x0 = (int) Math.ceil(Double.parseDouble(v[0]));
        int y0 = (int) Math.ceil(Double.parseDouble(v[1]));
        int x1 = (int) Math.floor(Double.parseDouble(v[2])) - 1;
        int y1 = (int) Math.floor(Double.parseDouble(v[3])) - 1;
        int rows = Integer.parseInt(v[4]);
        int cols = Integer.parseInt(v[5]);
        assertEquals(List.of(22, 3), List.of(rows, cols), "the tutorial CNN's summary: a header and 21 layers");
        Files.createDirectories(SHOTS);
        BufferedImage shot = HeadlessChromium.screenshot(page, dir, 1200, 1000, SHOTS.resolve("model-summary.png"));
        assertTrue(y1 < shot.getHeight() && x1 < shot.getWidth(), "the summary is on screen: " + String.join(",", v));
        String vertical = rules(shot, x0, x1, y0, y1, true);
        String horizontal = rules(shot, y0, y1, x0, x1, false);
        assertEquals(cols + 1 + " vertical, " + (rows + 1) + " horizontal",
                vertical.split(" ")[0] + " vertical, " + horizontal.split(" ")[0] + " horizontal",
                "unbroken rules in the summary's box x " + x0 + ".." + x1 + ", y " + y0 + ".." + y1 + ": vertical "
                        + vertical + "; horizontal " + horizontal);
    }

    /** A mean channel value below this is a rule's ink; anti-aliased fringes and the page are lighter. */
    static final int DARK = 150;

    /**
     * The lines of dark pixels across the box: along {@code a0..a1} (x for vertical rules), each
     * a run over all of {@code b0..b1}. Returns "N (at …; longest run L of M px)".
     */
    private static String rules(BufferedImage img, int a0, int a1, int b0, int b1, boolean vertical) {
        List<Integer> at = new ArrayList<>();
        int longest = 0;
        for (int a = a0; a <= a1; a++) {
            int run = 0;
            int best = 0;
            for (int b = b0; b <= b1; b++) {
                int p = vertical ? img.getRGB(a, b) : img.getRGB(b, a);
                run = (p >> 16 & 0xFF) + (p >> 8 & 0xFF) + (p & 0xFF) < 3 * DARK ? run + 1 : 0;
                best = Math.max(best, run);
            }
            longest = Math.max(longest, best);
            if (best >= b1 - b0 + 1) {
                at.add(a);
            }
        }
        int n = 0;
        for (int i = 0; i < at.size(); i++) {
            n += i == 0 || at.get(i) != at.get(i - 1) + 1 ? 1 : 0;
        }
        return n + " (at " + at + "; longest run " + longest + " of " + (b1 - b0 + 1) + " px)";
    }
}
