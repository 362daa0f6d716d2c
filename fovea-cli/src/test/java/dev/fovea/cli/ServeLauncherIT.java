package dev.fovea.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ./fovea serve} from the shaded jar (Jetty and Javalin find their service files there):
 * it listens on a free port, answers a health check, an image upload, the web page, a Grad-CAM
 * overlay and /metrics, logs each
 * request on stderr and stops with exit code 0 on SIGINT (Ctrl-C).
 */
class ServeLauncherIT {
    private static final Path LAUNCHER = Path.of("").toAbsolutePath().getParent().resolve("fovea");
    private static final Pattern URL = Pattern.compile("listening on (http://\\S+) ");

    @TempDir
    Path tmp;

    @Test
    void servesFromTheShadedJarAndStopsOnSigint() throws Exception {
        Path model = TrainedModel.write(tmp.resolve("cnn.safetensors"));
        Path err = tmp.resolve("stderr.txt");
        // env --default-signal=INT: see LauncherIT, a background shell may hand SIGINT down ignored.
        ProcessBuilder pb = new ProcessBuilder("env", "--default-signal=INT", LAUNCHER.toString(), "serve", "--model",
                model.toString(), "--port", "0").redirectError(err.toFile());
        pb.environment().put("JAVA_HOME", System.getProperty("java.home")); // the launcher on this test's JDK
        Process p = pb.start();
        List<String> out = new ArrayList<>();
        try {
            BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            String url = null;
            for (String line; url == null && (line = r.readLine()) != null; ) {
                out.add(line);
                Matcher m = URL.matcher(line);
                url = m.find() ? m.group(1) : null;
            }
            assertTrue(url != null, "no URL printed: " + out + Files.readString(err));
            HttpClient http = HttpClient.newHttpClient();
            assertEquals(200, http.send(HttpRequest.newBuilder(URI.create(url + "/v2/health/ready")).build(),
                    HttpResponse.BodyHandlers.ofString()).statusCode());
            BufferedImage img = new BufferedImage(48, 40, BufferedImage.TYPE_INT_RGB);
            img.setRGB(3, 4, 0xff8800);
            ByteArrayOutputStream png = new ByteArrayOutputStream();
            ImageIO.write(img, "png", png);
            HttpResponse<String> pred = http.send(HttpRequest.newBuilder(URI.create(url + "/v1/models/cnn/predict"))
                    .POST(HttpRequest.BodyPublishers.ofByteArray(png.toByteArray())).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, pred.statusCode(), pred.body());
            assertTrue(pred.body().startsWith("{\"model\":\"cnn\",\"predictions\":[{\"file\":null,\"top\":[{\"class\":"),
                    pred.body());
            HttpResponse<String> page = http.send(HttpRequest.newBuilder(URI.create(url + "/")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, page.statusCode(), page.body());
            assertTrue(page.body().contains("<script src=\"/static/app.js\""), "the web page from the jar: " + page.body());
            HttpResponse<byte[]> cam = http.send(HttpRequest.newBuilder(URI.create(url + "/v1/models/cnn/explain"))
                    .POST(HttpRequest.BodyPublishers.ofByteArray(png.toByteArray())).build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            assertEquals(200, cam.statusCode(), new String(cam.body(), StandardCharsets.UTF_8));
            assertEquals(256, ImageIO.read(new java.io.ByteArrayInputStream(cam.body())).getWidth());
            HttpResponse<String> metrics = http.send(HttpRequest.newBuilder(URI.create(url + "/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertTrue(metrics.body().contains(
                    "fovea_http_requests_total{method=\"POST\",route=\"/v1/models/{name}/predict\",status=\"200\"} 1.0"),
                    metrics.body());
            new ProcessBuilder("kill", "-INT", String.valueOf(p.pid())).inheritIO().start().waitFor();
            assertTrue(p.waitFor(20, TimeUnit.SECONDS), "still running after SIGINT");
            for (String line; (line = r.readLine()) != null; ) {
                out.add(line);
            }
        } finally {
            p.destroyForcibly();
        }
        // The launcher's stderr filter (a separate process) may still be copying when the JVM has exited.
        String log = Files.readString(err);
        for (int i = 0; i < 100 && !log.contains("Ctrl-C: stopping the server"); i++) {
            Thread.sleep(50);
            log = Files.readString(err);
        }
        assertEquals(0, p.exitValue(), out + "\n" + log);
        assertEquals("fovea serve: stopped", out.get(out.size() - 1), out.toString());
        assertTrue(log.contains("POST /v1/models/cnn/predict 200 "), log);
        assertTrue(!log.contains("SLF4J") && !log.contains("Exception") && !log.contains("WARNING:"), log);
    }
}
