package dev.fovea.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fovea.nn.ActivationFunction;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code GET /metrics} is Prometheus text that counts what was asked, and every request is one access-log line. */
class MetricsTest {
    /** One sample line of the text format 0.0.4: name, optional {labels}, value. */
    private static final Pattern SAMPLE = Pattern.compile(
            "([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{(?:[a-zA-Z_][a-zA-Z0-9_]*=\"(?:[^\"\\\\]|\\\\.)*\",?)*\\})? (\\S+)");

    @TempDir
    Path dir;

    /** Parses every line or fails: comments are # HELP / # TYPE, the rest samples. */
    static Map<String, Double> parse(String text) {
        Map<String, Double> samples = new HashMap<>();
        for (String line : text.split("\n")) {
            if (line.isEmpty()) {
                continue;
            }
            if (line.startsWith("#")) {
                assertTrue(line.startsWith("# HELP ") || line.startsWith("# TYPE "), line);
                continue;
            }
            Matcher m = SAMPLE.matcher(line);
            assertTrue(m.matches(), "not a Prometheus sample: " + line);
            samples.put(m.group(1) + (m.group(2) == null ? "" : m.group(2)), Double.parseDouble(m.group(3)));
        }
        return samples;
    }

    @Test
    void metricsCountRequestsByRouteAndStatusBatchesAndQueueDepth() {
        Path file = Fixture.modelFile(dir, "m.safetensors", ActivationFunction.SOFTMAX, 12);
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        PrintStream logStream = new PrintStream(log, true, StandardCharsets.UTF_8);
        try (InferenceServer s = InferenceServer.start(ServeOptions.defaults(0), List.of(ServedModel.load(null, file)),
                List.of(), logStream)) {
            float[] x = Fixture.preprocess(Fixture.pixels(2, 3));
            for (int i = 0; i < 3; i++) {
                assertEquals(200, Fixture.post(s, "/v2/models/m/infer", "application/json",
                        Fixture.inferFp32(x, 2, null)).statusCode());
            }
            assertEquals(400, Fixture.post(s, "/v2/models/m/infer", "application/json", new byte[] {'{'}).statusCode());
            assertEquals(404, Fixture.get(s, "/v2/models/other").statusCode());
            assertEquals(404, Fixture.get(s, "/random-1234/abc").statusCode());
            HttpResponse<String> r = Fixture.get(s, "/metrics");
            assertTrue(!r.body().contains("random-1234"), "a client's path never becomes a label value");
            assertEquals(200, r.statusCode());
            assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("text/plain"), r.headers().toString());
            Map<String, Double> m = parse(r.body());
            assertEquals(3.0, m.get("fovea_http_requests_total{method=\"POST\",route=\"/v2/models/{name}/infer\",status=\"200\"}"),
                    r.body());
            assertEquals(1.0, m.get("fovea_http_requests_total{method=\"POST\",route=\"/v2/models/{name}/infer\",status=\"400\"}"));
            assertEquals(1.0, m.get("fovea_http_requests_total{method=\"GET\",route=\"/v2/models/{name}\",status=\"404\"}"));
            assertEquals(4.0, m.get("fovea_http_request_duration_seconds_count{route=\"/v2/models/{name}/infer\"}"));
            assertEquals(3.0, m.get("fovea_batch_size_count{model=\"m\"}"), "three passes of 2 images");
            assertEquals(6.0, m.get("fovea_batch_size_sum{model=\"m\"}"));
            assertEquals(0.0, m.get("fovea_batch_size_bucket{model=\"m\",le=\"1.0\"}"));
            assertEquals(3.0, m.get("fovea_batch_size_bucket{model=\"m\",le=\"2.0\"}"));
            assertEquals(0.0, m.get("fovea_queue_depth{model=\"m\"}"));
        }
        String[] lines = log.toString(StandardCharsets.UTF_8).split("\n");
        assertEquals(7, lines.length, "one line per request, the /metrics one included: " + String.join("\n", lines));
        assertTrue(lines[3].matches("POST /v2/models/m/infer 400 [0-9.]+ms [0-9]+"), lines[3]);
        assertTrue(lines[4].matches("GET /v2/models/other 404 [0-9.]+ms [0-9]+"), lines[4]);
    }
}
