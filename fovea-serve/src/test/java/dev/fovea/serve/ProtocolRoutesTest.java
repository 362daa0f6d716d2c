package dev.fovea.serve;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fovea.nn.ActivationFunction;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Open Inference Protocol (v2) and convenience (v1) routes on a real server: JSON field
 * names as the protocol defines them, and answers equal to a direct forward pass of the same
 * model file on the same preprocessed pixels.
 */
class ProtocolRoutesTest {
    @TempDir
    static Path dir;
    static Path softmaxRun;
    static Path logitsFile;
    static InferenceServer server;

    @BeforeAll
    static void start() throws Exception {
        softmaxRun = Fixture.runFolder(dir, "cifar-run", ActivationFunction.SOFTMAX, 3);
        logitsFile = Fixture.modelFile(dir, "logits.safetensors", ActivationFunction.LINEAR, 4);
        server = Fixture.start(ServeOptions.defaults(0), ServedModel.load(null, softmaxRun),
                ServedModel.load(null, logitsFile));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static Set<String> fields(JsonNode n) {
        Set<String> s = new TreeSet<>();
        n.fieldNames().forEachRemaining(s::add);
        return s;
    }

    @Test
    void healthAndReadinessAnswer200WithEmptyBodies() {
        for (String p : List.of("/v2/health/live", "/v2/health/ready", "/v2/models/cifar-run/ready",
                "/v2/models/logits/ready")) {
            HttpResponse<String> r = Fixture.get(server, p);
            assertEquals(200, r.statusCode(), p);
            assertEquals("", r.body(), p);
        }
        HttpResponse<String> r = Fixture.get(server, "/v2/models/nope/ready");
        assertEquals(404, r.statusCode());
        assertTrue(Fixture.json(r).get("error").asText().contains("cifar-run, logits"), r.body());
    }

    @Test
    void serverMetadataHasNameVersionExtensions() {
        JsonNode m = Fixture.json(Fixture.get(server, "/v2"));
        assertEquals(Set.of("name", "version", "extensions"), fields(m));
        assertEquals("fovea", m.get("name").asText());
        assertTrue(m.get("extensions").isArray());
    }

    @Test
    void modelMetadataDescribesTensorsClassesAndPreprocessing() {
        HttpResponse<String> r = Fixture.get(server, "/v2/models/cifar-run");
        assertEquals(200, r.statusCode());
        assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("application/json"));
        JsonNode m = Fixture.json(r);
        assertEquals(Set.of("name", "versions", "platform", "inputs", "outputs", "parameters"), fields(m));
        assertEquals("cifar-run", m.get("name").asText());
        assertEquals("fovea", m.get("platform").asText());
        JsonNode in = m.get("inputs").get(0);
        assertEquals(Set.of("name", "datatype", "shape"), fields(in));
        assertEquals("input", in.get("name").asText());
        assertEquals("FP32", in.get("datatype").asText());
        assertEquals("[-1,32,32,3]", in.get("shape").toString());
        JsonNode out = m.get("outputs");
        assertEquals("probabilities", out.get(0).get("name").asText());
        assertEquals("[-1,10]", out.get(0).get("shape").toString());
        assertEquals("classes", out.get(1).get("name").asText());
        assertEquals("BYTES", out.get(1).get("datatype").asText());
        assertEquals(Fixture.CLASSES.toString().replace(" ", ""),
                m.get("parameters").get("class_names").toString().replace("\"", ""));
        JsonNode pre = m.get("parameters").get("preprocessing");
        assertEquals(1 / 255.0, pre.get("scale").asDouble(), 1e-12);
        assertEquals(0.48f, (float) pre.get("mean").get(1).asDouble());
        assertEquals(0.26f, (float) pre.get("std").get(2).asDouble());
    }

    @Test
    void inferFp32EqualsDirectForwardAndHonoursIdAndTopK() {
        int n = 3;
        float[] x = Fixture.preprocess(Fixture.pixels(n, 11));
        byte[] body = new String(Fixture.inferFp32(x, n, "req-7"), StandardCharsets.UTF_8)
                .replace("\"inputs\"", "\"parameters\":{\"top_k\":3},\"inputs\"").getBytes(StandardCharsets.UTF_8);
        HttpResponse<String> r = Fixture.post(server, "/v2/models/cifar-run/infer", "application/json", body);
        assertEquals(200, r.statusCode(), r.body());
        JsonNode res = Fixture.json(r);
        assertEquals(Set.of("model_name", "model_version", "id", "outputs"), fields(res));
        assertEquals("cifar-run", res.get("model_name").asText());
        assertEquals("req-7", res.get("id").asText());
        JsonNode probs = res.get("outputs").get(0);
        assertEquals(Set.of("name", "datatype", "shape", "data"), fields(probs));
        assertEquals("probabilities", probs.get("name").asText());
        assertEquals("FP32", probs.get("datatype").asText());
        assertEquals("[3,10]", probs.get("shape").toString());
        float[] expected = Fixture.direct(softmaxRun.resolve("model.safetensors"), x, n, true);
        assertArrayEquals(expected, floats(probs.get("data")));
        JsonNode classes = res.get("outputs").get(1);
        assertEquals("BYTES", classes.get("datatype").asText());
        assertEquals("[3,3]", classes.get("shape").toString());
        List<String> want = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            want.addAll(topNames(expected, i, 3));
        }
        assertEquals(want, strings(classes.get("data")));
    }

    @Test
    void inferUint8IsPreprocessedByTheServerAndNestedDataIsAccepted() {
        byte[] px = Fixture.pixels(2, 12);
        StringBuilder nested = new StringBuilder("[");
        for (int i = 0; i < 2; i++) {
            nested.append(i > 0 ? "," : "").append('[');
            for (int y = 0; y < 32; y++) {
                nested.append(y > 0 ? "," : "").append('[');
                for (int xx = 0; xx < 32; xx++) {
                    int at = ((i * 32 + y) * 32 + xx) * 3;
                    nested.append(xx > 0 ? "," : "").append('[').append(px[at] & 0xFF).append(',')
                            .append(px[at + 1] & 0xFF).append(',').append(px[at + 2] & 0xFF).append(']');
                }
                nested.append(']');
            }
            nested.append(']');
        }
        nested.append(']');
        String body = "{\"inputs\":[{\"name\":\"input\",\"datatype\":\"UINT8\",\"shape\":[2,32,32,3],\"data\":"
                + nested + "}],\"outputs\":[{\"name\":\"probabilities\"}]}";
        HttpResponse<String> r = Fixture.post(server, "/v2/models/logits/infer", "application/json",
                body.getBytes(StandardCharsets.UTF_8));
        assertEquals(200, r.statusCode(), r.body());
        JsonNode res = Fixture.json(r);
        assertFalse(res.has("id"));
        assertEquals(1, res.get("outputs").size(), "only the requested output");
        float[] expected = Fixture.direct(logitsFile, Fixture.preprocess(px), 2, false);
        float[] got = floats(res.get("outputs").get(0).get("data"));
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], got[i], 1e-6, "probability " + i);
        }
    }

    @Test
    void predictRawBytesEqualsPredictLogicForEachFormat() {
        for (String format : List.of("png", "bmp", "gif", "jpeg")) {
            byte[] img = Fixture.encoded(50, 40, format, 21);
            HttpResponse<String> r = Fixture.post(server, "/v1/models/cifar-run/predict?top_k=4",
                    "application/octet-stream", img);
            assertEquals(200, r.statusCode(), format + ": " + r.body());
            JsonNode doc = Fixture.json(r);
            assertEquals(Set.of("model", "predictions"), fields(doc));
            JsonNode p = doc.get("predictions").get(0);
            assertTrue(p.get("file").isNull());
            float[] expected = Fixture.direct(softmaxRun.resolve("model.safetensors"), Fixture.predictInput(img), 1, true);
            JsonNode top = p.get("top");
            assertEquals(4, top.size());
            List<String> names = topNames(expected, 0, 4);
            for (int j = 0; j < 4; j++) {
                assertEquals(Set.of("class", "index", "probability"), fields(top.get(j)));
                assertEquals(names.get(j), top.get(j).get("class").asText(), format);
                int idx = top.get(j).get("index").asInt();
                assertEquals(expected[idx], (float) top.get(j).get("probability").asDouble(), format);
            }
        }
    }

    @Test
    void predictMultipartAnswersEachPartByName() throws Exception {
        byte[] a = Fixture.encoded(32, 32, "png", 31);
        byte[] b = Fixture.encoded(64, 48, "png", 32);
        String boundary = "fovea-boundary-42";
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        for (Object[] part : new Object[][] {{"a.png", a}, {"b.jpg", b}}) {
            body.writeBytes(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"image\"; filename=\""
                    + part[0] + "\"\r\nContent-Type: image/jpeg\r\n\r\n").getBytes(StandardCharsets.UTF_8));
            body.writeBytes((byte[]) part[1]);
            body.writeBytes("\r\n".getBytes(StandardCharsets.UTF_8));
        }
        body.writeBytes(("--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
        HttpResponse<String> r = Fixture.post(server, "/v1/models/logits/predict",
                "multipart/form-data; boundary=" + boundary, body.toByteArray());
        assertEquals(200, r.statusCode(), r.body());
        JsonNode preds = Fixture.json(r).get("predictions");
        assertEquals(2, preds.size());
        assertEquals("a.png", preds.get(0).get("file").asText());
        assertEquals("b.jpg", preds.get(1).get("file").asText(), "a PNG named .jpg and sent as image/jpeg still works");
        byte[][] imgs = {a, b};
        for (int i = 0; i < 2; i++) {
            float[] expected = Fixture.direct(logitsFile, Fixture.predictInput(imgs[i]), 1, false);
            assertEquals(5, preds.get(i).get("top").size(), "default top_k");
            assertEquals(topNames(expected, 0, 5).get(0), preds.get(i).get("top").get(0).get("class").asText());
        }
    }

    @Test
    void modelListSummaryAndReport() {
        JsonNode list = Fixture.json(Fixture.get(server, "/v1/models")).get("models");
        assertEquals(2, list.size());
        JsonNode first = list.get(0);
        assertEquals("cifar-run", first.get("name").asText(), "a run folder is named after the folder");
        assertEquals("model.safetensors", first.get("file").asText(), "the file name only, never a path");
        assertEquals("[32,32,3]", first.get("input_shape").toString());
        assertEquals(10, first.get("classes").size());
        assertEquals("logits", list.get(1).get("name").asText(), "a file is named after its stem");
        assertFalse(Fixture.get(server, "/v1/models").body().contains(dir.toString()), "no absolute path");

        JsonNode summary = Fixture.json(Fixture.get(server, "/v1/models/cifar-run/summary"));
        assertTrue(summary.get("summary").asText().contains("Total params"), summary.toString());

        HttpResponse<String> report = Fixture.get(server, "/v1/models/cifar-run/report");
        assertEquals(200, report.statusCode());
        assertTrue(report.headers().firstValue("Content-Type").orElse("").startsWith("text/html"));
        assertEquals("<html><body>report of cifar-run</body></html>", report.body());
        HttpResponse<String> none = Fixture.get(server, "/v1/models/logits/report");
        assertEquals(404, none.statusCode());
        assertTrue(Fixture.json(none).get("error").asText().contains("report.html"));
    }

    @Test
    void wrongMethodAndUnknownRouteAreJsonErrors() {
        HttpResponse<String> r = Fixture.send(HttpRequest.newBuilder(URI.create(server.url() + "/v2/models/logits/infer"))
                .GET().build());
        assertEquals(405, r.statusCode(), r.body());
        assertTrue(Fixture.json(r).get("error").asText().contains("POST"), r.body());
        HttpResponse<String> u = Fixture.get(server, "/v3/anything");
        assertEquals(404, u.statusCode());
        assertTrue(Fixture.json(u).get("error").asText().contains("/v3/anything"), u.body());
    }

    static float[] floats(JsonNode a) {
        float[] f = new float[a.size()];
        for (int i = 0; i < f.length; i++) {
            f[i] = (float) a.get(i).asDouble();
        }
        return f;
    }

    static List<String> strings(JsonNode a) {
        List<String> l = new ArrayList<>();
        for (Iterator<JsonNode> it = a.elements(); it.hasNext(); ) {
            l.add(it.next().asText());
        }
        return l;
    }

    /** Names of the {@code count} largest of row {@code row} (10 classes), by a plain selection. */
    static List<String> topNames(float[] p, int row, int count) {
        List<String> names = new ArrayList<>();
        boolean[] used = new boolean[10];
        for (int c = 0; c < count; c++) {
            int best = -1;
            for (int j = 0; j < 10; j++) {
                if (!used[j] && (best < 0 || p[row * 10 + j] > p[row * 10 + best])) {
                    best = j;
                }
            }
            used[best] = true;
            names.add(Fixture.CLASSES.get(best));
        }
        return names;
    }
}
