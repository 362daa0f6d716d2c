package dev.fovea.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Opens a written report in headless Chromium (Debian's {@code chromium} package) and reads the
 * DOM after load: the report's inline check sets {@code data-images-loaded="N/M"} on
 * {@code <body>} and each image's decoded size, so a broken data URI or a page that fails to
 * load shows up here. Skipped only when {@code /usr/bin/chromium} is absent.
 */
class ChromiumRenderTest {
    static final Path CHROMIUM = Path.of("/usr/bin/chromium");

    @Test
    @DisplayName("report.html loads in headless Chromium with every image decoded (skipped if /usr/bin/chromium is absent)")
    void reportLoadsWithAllImagesDecoded(@TempDir Path dir) throws IOException, InterruptedException {
        assumeTrue(Files.isExecutable(CHROMIUM),
                "skipped: /usr/bin/chromium is absent; install Debian's chromium package to run this test");
        Path report = ReportFixtures.fullTrainingReport().write(dir.resolve("run"));
        String html = dumpDom(report, dir);
        assertTrue(html.contains("<h1>tutorial-cnn on CIFAR-10</h1>"), "page did not load: " + head(html));
        Matcher loaded = Pattern.compile("data-images-loaded=\"([^\"]*)\"").matcher(html);
        assertTrue(loaded.find(), "no data-images-loaded on body: " + head(html));
        assertEquals("7/7", loaded.group(1), "images decoded / images on the page");
        List<String> sizes = new ArrayList<>();
        Matcher size = Pattern.compile("data-natural-size=\"([^\"]*)\"").matcher(html);
        while (size.find()) {
            sizes.add(size.group(1));
        }
        assertEquals(List.of("640x400", "640x400", "640x400", "640x580", "640x580", "1000x400", "768x504"), sizes);
    }

    @Test
    @DisplayName("the model summary's box-drawing lines join: line pitch no taller than the glyphs (skipped without"
            + " /usr/bin/chromium)")
    void summaryBoxLinesJoin(@TempDir Path dir) throws IOException, InterruptedException {
        assumeTrue(Files.isExecutable(CHROMIUM),
                "skipped: /usr/bin/chromium is absent; install Debian's chromium package to run this test");
        Path report = ReportFixtures.fullTrainingReport().write(dir.resolve("run"));
        // A copy of the page with a probe appended: each line of the summary is one client rect of
        // its text; a vertical rule drawn with U+2502 joins only when consecutive lines are no
        // further apart than a line's glyph box (the font's ascent + descent) is tall.
        String probe = """
                <script>
                window.addEventListener("load", function () {
                  var pre = document.querySelector("#model pre"), range = document.createRange();
                  range.selectNodeContents(pre);
                  var rects = range.getClientRects(), s = getComputedStyle(pre);
                  var pitch = rects[2].top - rects[1].top, glyph = rects[1].height;
                  document.body.setAttribute("data-summary", s.lineHeight + " " + s.fontSize + " "
                      + pitch.toFixed(2) + " " + glyph.toFixed(2));
                });
                </script>
                """;
        Path probed = dir.resolve("probed.html");
        Files.writeString(probed, Files.readString(report).replace("</body>", probe + "</body>"));
        String html = dumpDom(probed, dir);
        Matcher m = Pattern.compile("data-summary=\"([^\"]*)\"").matcher(html);
        assertTrue(m.find(), "probe did not run: " + head(html));
        String[] v = m.group(1).split(" ");
        assertEquals(v[1], v[0], "the summary's line-height should equal its font size: " + m.group(1));
        double pitch = Double.parseDouble(v[2]);
        double glyph = Double.parseDouble(v[3]);
        assertTrue(pitch > 0 && pitch <= glyph, "lines " + pitch + " px apart but glyphs only " + glyph + " px tall");
    }

    /** The DOM of {@code page} after load in headless Chromium. */
    private static String dumpDom(Path page, Path dir) throws IOException, InterruptedException {
        Path dom = dir.resolve("dom.html");
        Path log = dir.resolve("chromium.log");
        List<String> cmd = new ArrayList<>(List.of(CHROMIUM.toString(), "--headless", "--no-sandbox", "--disable-gpu",
                "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--user-data-dir=" + dir.resolve("profile"),
                "--run-all-compositor-stages-before-draw", "--virtual-time-budget=5000", "--dump-dom",
                page.toUri().toString()));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(dom.toFile()).redirectError(log.toFile());
        pb.environment().put("HOME", dir.toString());
        Process p = pb.start();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("chromium did not finish within 60 s; log:\n" + Files.readString(log));
        }
        assertEquals(0, p.exitValue(), () -> "chromium failed; log:\n" + readQuietly(log));
        return Files.readString(dom, StandardCharsets.UTF_8);
    }

    private static String head(String s) {
        return s.substring(0, Math.min(400, s.length()));
    }

    private static String readQuietly(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }
}
