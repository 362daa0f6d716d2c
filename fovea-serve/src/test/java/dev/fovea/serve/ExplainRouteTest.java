package dev.fovea.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fovea.data.ImageFolder;
import dev.fovea.eval.GradCam;
import dev.fovea.io.ModelFile;
import dev.fovea.nn.ActivationFunction;
import dev.fovea.nn.Model;
import dev.fovea.report.Heatmaps;
import dev.fovea.tensor.Shape;
import dev.fovea.tensor.Tensor;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code POST /v1/models/{name}/explain} over real HTTP, each answer held to Grad-CAM computed
 * here on a fresh load of the same model file from the same decoded pixels.
 */
class ExplainRouteTest {
    @TempDir
    static Path dir;
    static Path file;
    static InferenceServer server;

    @BeforeAll
    static void start() {
        file = Fixture.modelFile(dir, "m.safetensors", ActivationFunction.LINEAR, 21);
        server = Fixture.start(ServeOptions.defaults(0), ServedModel.load("m", file));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    /** Grad-CAM of {@code image} for class {@code cls} (−1: predicted) from a fresh model, at {@code layer} (null: last conv). */
    static GradCam.Result expected(byte[] image, int cls, String layer) {
        Model m = ModelFile.load(file).model();
        return new GradCam(m, layer).compute(new Tensor(Shape.of(1, 32, 32, 3), Fixture.predictInput(image)),
                new int[] {cls});
    }

    static HttpResponse<byte[]> postBytes(String query, byte[] body) {
        try {
            return Fixture.HTTP.send(HttpRequest.newBuilder(URI.create(server.url() + "/v1/models/m/explain" + query))
                    .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            throw new AssertionError(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    static void assertHeatmap(GradCam.Result want, JsonNode got) {
        assertEquals(want.height(), got.get("height").asInt());
        assertEquals(want.width(), got.get("width").asInt());
        JsonNode rows = got.get("heatmap");
        assertEquals(want.height(), rows.size());
        float[] heat = want.heatmap(0);
        for (int y = 0; y < want.height(); y++) {
            assertEquals(want.width(), rows.get(y).size());
            for (int x = 0; x < want.width(); x++) {
                assertEquals(heat[y * want.width() + x], rows.get(y).get(x).floatValue(), 1e-6f, "heatmap[" + y + "][" + x + "]");
            }
        }
    }

    @Test
    void jsonHeatmapEqualsGradCamOfTheSamePixelsForThePredictedClass() {
        byte[] img = Fixture.encoded(50, 40, "png", 5);
        float[] probs = Fixture.direct(file, Fixture.predictInput(img), 1, false);
        int predicted = 0;
        for (int j = 1; j < 10; j++) {
            predicted = probs[j] > probs[predicted] ? j : predicted;
        }
        HttpResponse<String> r = Fixture.post(server, "/v1/models/m/explain?format=json", "image/png", img);
        assertEquals(200, r.statusCode(), r.body());
        assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("application/json"));
        JsonNode doc = Fixture.json(r);
        assertEquals("m", doc.get("model").asText());
        assertEquals(predicted, doc.get("index").asInt());
        assertEquals(Fixture.CLASSES.get(predicted), doc.get("class").asText());
        assertEquals(probs[predicted], doc.get("probability").floatValue(), 1e-5f);
        assertEquals("conv2d", doc.get("layer").asText());
        assertHeatmap(expected(img, -1, null), doc);
        JsonNode top = doc.get("top");
        assertEquals(5, top.size());
        assertEquals(predicted, top.get(0).get("index").asInt());
        for (int i = 0; i < 5; i++) {
            JsonNode g = top.get(i);
            assertEquals(Fixture.CLASSES.get(g.get("index").asInt()), g.get("class").asText());
            assertEquals(probs[g.get("index").asInt()], g.get("probability").floatValue(), 1e-5f);
            assertTrue(i == 0 || g.get("probability").floatValue() <= top.get(i - 1).get("probability").floatValue());
        }
    }

    @Test
    void classByNameAndByIndexExplainThatClass() {
        byte[] img = Fixture.encoded(32, 32, "bmp", 6);
        GradCam.Result want = expected(img, 3, null);
        for (String q : List.of("cat", "3")) {
            HttpResponse<String> r = Fixture.post(server, "/v1/models/m/explain?format=json&class=" + q, "x", img);
            assertEquals(200, r.statusCode(), r.body());
            JsonNode doc = Fixture.json(r);
            assertEquals(3, doc.get("index").asInt(), q);
            assertEquals("cat", doc.get("class").asText(), q);
            assertEquals(want.probability(0), doc.get("probability").floatValue(), 1e-5f);
            assertHeatmap(want, doc);
        }
    }

    @Test
    void pngIsTheOverlayOfExplainGradCamAt256Pixels() throws IOException {
        byte[] img = Fixture.encoded(64, 48, "jpeg", 7);
        HttpResponse<byte[]> r = postBytes("?class=ship", img);
        assertEquals(200, r.statusCode(), new String(r.body()));
        assertEquals("image/png", r.headers().firstValue("Content-Type").orElse(""));
        BufferedImage got = ImageIO.read(new ByteArrayInputStream(r.body()));
        assertEquals(256, got.getWidth());
        assertEquals(256, got.getHeight());
        GradCam.Result want = expected(img, 8, null);
        BufferedImage expected = Heatmaps.explained(ImageFolder.readRgb(img, "test", 32, 32), 32, 32, want.heatmap(0),
                want.height(), want.width());
        for (int y = 0; y < 256; y += 7) {
            for (int x = 0; x < 256; x += 5) {
                int a = got.getRGB(x, y);
                int b = expected.getRGB(x, y);
                for (int s = 0; s < 24; s += 8) {
                    assertTrue(Math.abs((a >> s & 0xFF) - (b >> s & 0xFF)) <= 1, "pixel " + x + "," + y);
                }
            }
        }
    }

    @Test
    void badClassLayerFormatAndBodyAre400JsonErrors() {
        byte[] img = Fixture.encoded(32, 32, "png", 8);
        String[][] cases = {
                {"?class=unicorn", "class=unicorn: expected a class name of model m or an index 0..9"},
                {"?class=10", "class=10"},
                {"?class=-1", "class=-1"},
                {"?layer=nope", "[conv2d]"},
                {"?layer=flatten", "expected a 4-D output"},
                {"?format=gif", "format=gif: expected png"},
                {"?top_k=11&format=json", "top_k=11"},
        };
        for (String[] c : cases) {
            HttpResponse<String> r = Fixture.post(server, "/v1/models/m/explain" + c[0], "image/png", img);
            assertEquals(400, r.statusCode(), c[0] + ": " + r.body());
            assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("application/json"), c[0]);
            String error = Fixture.json(r).get("error").asText();
            assertTrue(error.contains(c[1]), c[0] + ": " + error);
        }
        HttpResponse<String> notImage = Fixture.post(server, "/v1/models/m/explain", "image/png", "hello".getBytes());
        assertEquals(415, notImage.statusCode(), notImage.body());
        assertEquals(404, Fixture.post(server, "/v1/models/other/explain", "image/png", img).statusCode());
    }

    @Test
    void explainsConcurrentWithPredictionsKeepBothCorrect() throws Exception {
        int n = 6;
        List<byte[]> images = new ArrayList<>();
        List<float[]> probs = new ArrayList<>();
        List<GradCam.Result> cams = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            byte[] img = Fixture.encoded(32 + i, 32, "png", 100 + i);
            images.add(img);
            probs.add(Fixture.direct(file, Fixture.predictInput(img), 1, false));
            cams.add(expected(img, -1, null));
        }
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int round = 0; round < 5; round++) {
                for (int i = 0; i < n; i++) {
                    int k = i;
                    done.add(pool.submit(() -> {
                        HttpResponse<String> r = Fixture.post(server, "/v1/models/m/explain?format=json", "x",
                                images.get(k));
                        assertEquals(200, r.statusCode(), r.body());
                        assertHeatmap(cams.get(k), Fixture.json(r));
                    }));
                    done.add(pool.submit(() -> {
                        HttpResponse<String> r = Fixture.post(server, "/v1/models/m/predict", "x", images.get(k));
                        assertEquals(200, r.statusCode(), r.body());
                        JsonNode top = Fixture.json(r).get("predictions").get(0).get("top");
                        for (JsonNode g : top) {
                            assertEquals(probs.get(k)[g.get("index").asInt()], g.get("probability").floatValue(), 1e-5f);
                        }
                    }));
                }
            }
            for (Future<?> f : done) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        String metrics = Fixture.get(server, "/metrics").body();
        assertTrue(metrics.matches("(?s).*fovea_http_requests_total\\{[^}]*route=\"/v1/models/\\{name\\}/explain\""
                + "[^}]*status=\"200\"[^}]*} ([1-9]\\d|\\d{3,})(\\.0)?\n.*"), "explain counted in /metrics:\n" + metrics);
    }
}
