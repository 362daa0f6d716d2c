package dev.fovea.report;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;

/**
 * Debian's {@code /usr/bin/chromium} run headless on a local page, for the report's rendering
 * tests: the DOM after load (scripts run, so a probe can record what it measured on an
 * attribute) or a screenshot, both at a given window size and a device pixel ratio of 1, so
 * the page's CSS pixels are the screenshot's pixels.
 */
final class HeadlessChromium {
    static final Path CHROMIUM = Path.of("/usr/bin/chromium");

    private HeadlessChromium() {
    }

    static boolean available() {
        return Files.isExecutable(CHROMIUM);
    }

    /** The DOM of {@code page} after load, in a {@code width}×{@code height} window. */
    static String dumpDom(Path page, Path dir, int width, int height) throws IOException, InterruptedException {
        Path dom = dir.resolve("dom.html");
        run(page, dir, width, height, dom, "--dump-dom");
        return Files.readString(dom, StandardCharsets.UTF_8);
    }

    /** A screenshot of the top {@code height} pixels of {@code page} in a {@code width}-pixel-wide window. */
    static BufferedImage screenshot(Path page, Path dir, int width, int height, Path png)
            throws IOException, InterruptedException {
        run(page, dir, width, height, dir.resolve("screenshot.log"), "--screenshot=" + png.toAbsolutePath(),
                "--hide-scrollbars");
        return ImageIO.read(png.toFile());
    }

    private static void run(Path page, Path dir, int width, int height, Path stdout, String... what)
            throws IOException, InterruptedException {
        Path log = dir.resolve("chromium.log");
        List<String> cmd = new ArrayList<>(List.of(CHROMIUM.toString(), "--headless", "--no-sandbox", "--disable-gpu",
                "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--user-data-dir=" + dir.resolve("profile"), "--force-device-scale-factor=1",
                "--window-size=" + width + "," + height, "--run-all-compositor-stages-before-draw",
                "--virtual-time-budget=5000"));
        cmd.addAll(List.of(what));
        cmd.add(page.toUri().toString());
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(stdout.toFile()).redirectError(log.toFile());
        pb.environment().put("HOME", dir.toString());
        Process p = pb.start();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("chromium did not finish within 60 s; log:\n" + Files.readString(log));
        }
        assertEquals(0, p.exitValue(), () -> "chromium failed; log:\n" + readQuietly(log));
    }

    private static String readQuietly(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }
}
