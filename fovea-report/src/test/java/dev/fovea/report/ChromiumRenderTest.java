package dev.fovea.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Opens a written report in headless Chromium (Debian's {@code chromium} package) and reads the
 * DOM after load: the report's inline check sets {@code data-images-loaded="N/M"} on
 * {@code <body>} and each image's decoded size, so a broken data URI or a page that fails to
 * load shows up here. Skipped only when {@code /usr/bin/chromium} is absent. The layout itself
 * (the Grad-CAM grid, the summary's rules) is measured in {@link ReportLayoutTest}.
 */
class ChromiumRenderTest {
    @Test
    @DisplayName("report.html loads in headless Chromium with every image decoded (skipped if /usr/bin/chromium is absent)")
    void reportLoadsWithAllImagesDecoded(@TempDir Path dir) throws IOException, InterruptedException {
        assumeTrue(HeadlessChromium.available(),
                "skipped: /usr/bin/chromium is absent; install Debian's chromium package to run this test");
        Path report = ReportFixtures.fullTrainingReport().write(dir.resolve("run"));
        String html = HeadlessChromium.dumpDom(report, dir, 1200, 900);
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

    private static String head(String s) {
        return s.substring(0, Math.min(400, s.length()));
    }
}
