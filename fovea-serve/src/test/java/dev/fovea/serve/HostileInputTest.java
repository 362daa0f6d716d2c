package dev.fovea.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fovea.nn.ActivationFunction;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import java.util.zip.DeflaterOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Each hostile input gets its 4xx/5xx JSON error while a well-formed client keeps getting
 * correct answers from the same server the whole time (checked after all tests).
 */
class HostileInputTest {
    private static final long MAX_BODY = 4L << 20;

    @TempDir
    static Path dir;
    static Path file;
    static InferenceServer server;
    static Thread goodClient;
    static final AtomicBoolean stop = new AtomicBoolean();
    static final AtomicInteger goodAnswers = new AtomicInteger();
    static final AtomicReference<String> goodFailure = new AtomicReference<>();

    @BeforeAll
    static void start() {
        file = Fixture.modelFile(dir, "main.safetensors", ActivationFunction.SOFTMAX, 9);
        Path slow = Fixture.modelFile(dir, "slow.safetensors", ActivationFunction.SOFTMAX, 10);
        ServeOptions o = ServeOptions.defaults(0).withQueue(2).withLimits(MAX_BODY, 1_000_000, 2000);
        server = Fixture.start(o, ServedModel.load(null, file), ServedModel.load(null, slow));
        byte[] img = Fixture.encoded(40, 30, "png", 77);
        float[] want = Fixture.direct(file, Fixture.predictInput(img), 1, true);
        goodClient = new Thread(() -> {
            while (!stop.get() && goodFailure.get() == null) {
                HttpResponse<String> r = Fixture.post(server, "/v1/models/main/predict", "image/png", img);
                JsonNode top = r.statusCode() == 200 ? Fixture.json(r).get("predictions").get(0).get("top").get(0) : null;
                if (top == null || Math.abs(top.get("probability").asDouble() - want[top.get("index").asInt()]) > 1e-5) {
                    goodFailure.set(r.statusCode() + " " + r.body());
                }
                goodAnswers.incrementAndGet();
            }
        }, "good-client");
        goodClient.start();
    }

    @AfterAll
    static void stop() throws InterruptedException {
        stop.set(true);
        goodClient.join(10_000);
        server.close();
        assertEquals(null, goodFailure.get(), "the well-formed client got a wrong answer");
        assertTrue(goodAnswers.get() > 0);
    }

    /** Answers {@code r} must be status {@code status} with a JSON error naming {@code mentions}; prints the table row. */
    private static JsonNode refused(String input, HttpResponse<String> r, int status, String mentions) {
        assertEquals(status, r.statusCode(), input + ": " + r.body());
        assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("application/json"), input);
        JsonNode e = Fixture.json(r);
        assertEquals(1, e.size(), "only an error field: " + r.body());
        String msg = e.get("error").asText();
        assertTrue(msg.contains(mentions), input + ": '" + mentions + "' not in: " + msg);
        assertTrue(!r.body().contains("\tat ") && !r.body().contains("Exception"), "no stack trace: " + r.body());
        HttpResponse<String> ok = Fixture.get(server, "/v2/health/ready");
        assertEquals(200, ok.statusCode(), "still serving after " + input);
        System.out.println("| " + input + " | " + r.statusCode() + " | yes |");
        return e;
    }

    /** A PNG chunk: length, type, data, CRC over type and data. */
    private static void chunk(DataOutputStream out, String type, byte[] data) throws IOException {
        byte[] t = type.getBytes(StandardCharsets.US_ASCII);
        out.writeInt(data.length);
        out.write(t);
        out.write(data);
        CRC32 crc = new CRC32();
        crc.update(t);
        crc.update(data);
        out.writeInt((int) crc.getValue());
    }

    /**
     * A valid 8-bit grayscale PNG of {@code side}×{@code side} black pixels: 400 MB of pixels
     * at 20,000 that deflate to a few hundred kilobytes.
     */
    static byte[] bomb(int side, boolean fullData) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(b);
        out.write(new byte[] {(byte) 0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A});
        ByteArrayOutputStream ihdr = new ByteArrayOutputStream();
        DataOutputStream h = new DataOutputStream(ihdr);
        h.writeInt(side);
        h.writeInt(side);
        h.write(new byte[] {8, 0, 0, 0, 0}); // bit depth 8, grayscale, deflate, filter 0, no interlace
        chunk(out, "IHDR", ihdr.toByteArray());
        ByteArrayOutputStream idat = new ByteArrayOutputStream();
        try (DeflaterOutputStream z = new DeflaterOutputStream(idat, new Deflater(9))) {
            byte[] row = new byte[side + 1]; // filter byte 0, then zeros
            for (int y = 0; y < (fullData ? side : 4); y++) {
                z.write(row);
            }
        }
        chunk(out, "IDAT", idat.toByteArray());
        chunk(out, "IEND", new byte[0]);
        return b.toByteArray();
    }

    @Test
    void decompressionBombHeaderIsRefusedBeforeDecoding() throws IOException {
        byte[] png = bomb(20_000, false);
        assertTrue(png.length < 200, "a tiny file: " + png.length);
        long t0 = System.nanoTime();
        HttpResponse<String> r = Fixture.post(server, "/v1/models/main/predict", "image/png", png);
        long ms = (System.nanoTime() - t0) / 1_000_000;
        refused("PNG header claiming 20000×20000 (" + png.length + " bytes)", r, 413, "20000 × 20000");
        // A decoded 20,000² raster is 1.6 GB of ints; refusing from the header takes no time at all.
        assertTrue(ms < 5000, "refused in " + ms + " ms");
    }

    @Test
    void realHighlyCompressedBombIsRefused() throws IOException {
        byte[] png = bomb(20_000, true);
        assertTrue(png.length < MAX_BODY, "fits the body limit: " + png.length);
        refused("valid 20000×20000 PNG (" + png.length / 1024 + " KiB)",
                Fixture.post(server, "/v1/models/main/predict", "image/png", png), 413, "--max-pixels");
    }

    @Test
    void oversizedBodyIs413() {
        byte[] big = new byte[(int) MAX_BODY + 1024];
        // As curl sends a large body: "Expect: 100-continue", so the 413 for the declared length
        // arrives before the body is sent. Without it the answer races the client's upload: on a
        // loaded machine the client could still be writing when the server closed the connection,
        // and read no response at all.
        HttpResponse<String> r = Fixture.send(java.net.http.HttpRequest.newBuilder(
                java.net.URI.create(server.url() + "/v1/models/main/predict")).header("Content-Type", "image/png")
                .expectContinue(true).POST(java.net.http.HttpRequest.BodyPublishers.ofByteArray(big)).build());
        refused("body of 4 MiB + 1 KiB", r, 413, "--max-body-mb");
    }

    @Test
    void oversizedChunkedBodyWithoutLengthIs413() {
        byte[] big = new byte[(int) MAX_BODY + 1024];
        big[0] = (byte) 0x89; // starts like a PNG: only the size may refuse it
        HttpResponse<String> r = Fixture.send(java.net.http.HttpRequest.newBuilder(
                java.net.URI.create(server.url() + "/v1/models/main/predict"))
                .POST(java.net.http.HttpRequest.BodyPublishers.ofInputStream(() -> new java.io.ByteArrayInputStream(big)))
                .build());
        refused("chunked body of 4 MiB + 1 KiB", r, 413, "--max-body-mb");
    }

    @Test
    void textSentAsPngIs415() {
        byte[] text = "hello, I am not an image".getBytes(StandardCharsets.UTF_8);
        refused("text sent as image/png", Fixture.post(server, "/v1/models/main/predict", "image/png", text), 415,
                "not a JPEG, PNG, BMP or GIF");
        refused("empty body", Fixture.post(server, "/v1/models/main/predict", "image/png", new byte[0]), 400,
                "is empty (0 bytes)");
    }

    @Test
    void truncatedPngIs400() {
        byte[] png = Fixture.encoded(64, 64, "png", 3);
        byte[] cut = Arrays.copyOf(png, png.length / 2);
        refused("PNG cut in half", Fixture.post(server, "/v1/models/main/predict", "image/png", cut), 400,
                "cannot decode");
        refused("PNG signature only", Fixture.post(server, "/v1/models/main/predict", "image/png",
                Arrays.copyOf(png, 12)), 400, "header cannot be read");
    }

    @Test
    void malformedJsonWrongShapeAndNaNAre400() {
        String infer = "/v2/models/main/infer";
        refused("malformed JSON", Fixture.post(server, infer, "application/json",
                "{\"inputs\": [".getBytes(StandardCharsets.UTF_8)), 400, "malformed JSON");
        float[] x = Fixture.preprocess(Fixture.pixels(1, 5));
        String ok = new String(Fixture.inferFp32(x, 1, null), StandardCharsets.UTF_8);
        refused("shape [1,28,28,3]", Fixture.post(server, infer, "application/json",
                ok.replace("[1,32,32,3]", "[1,28,28,3]").getBytes(StandardCharsets.UTF_8)), 400, "[N, 32, 32, 3]");
        refused("shape [2,32,32,3] with one image of data", Fixture.post(server, infer, "application/json",
                ok.replace("[1,32,32,3]", "[2,32,32,3]").getBytes(StandardCharsets.UTF_8)), 400, "needs 6144");
        int comma = ok.indexOf("\"data\":[") + 8;
        refused("NaN in FP32 data", Fixture.post(server, infer, "application/json",
                (ok.substring(0, comma) + "NaN," + ok.substring(ok.indexOf(',', comma) + 1))
                        .getBytes(StandardCharsets.UTF_8)), 400, "finite");
        refused("datatype INT64", Fixture.post(server, infer, "application/json",
                ok.replace("\"FP32\"", "\"INT64\"").getBytes(StandardCharsets.UTF_8)), 400, "UINT8");
        refused("UINT8 value 300", Fixture.post(server, infer, "application/json",
                ("{\"inputs\":[{\"name\":\"input\",\"datatype\":\"UINT8\",\"shape\":[1,1,1,3],\"data\":[300,0,0]}]}")
                        .getBytes(StandardCharsets.UTF_8)), 400, "[N, 32, 32, 3]");
        refused("top_k 11", Fixture.post(server, "/v1/models/main/predict?top_k=11", "image/png",
                Fixture.encoded(8, 8, "png", 1)), 400, "from 1 to 10");
    }

    @Test
    void unknownModelIs404AndWrongMethodIs405() {
        refused("unknown model", Fixture.post(server, "/v1/models/nope/predict", "image/png",
                Fixture.encoded(8, 8, "png", 1)), 404, "unknown model 'nope'");
        refused("PUT on predict", Fixture.send(java.net.http.HttpRequest.newBuilder(
                java.net.URI.create(server.url() + "/v1/models/main/predict"))
                .PUT(java.net.http.HttpRequest.BodyPublishers.ofString("x")).build()), 405, "POST");
    }

    /** A slow worker: one request waits past the timeout (504), then the queue fills (503 + Retry-After). */
    @Test
    void fullQueueIs503AndTimeoutIs504() throws Exception {
        Batcher slow = server.batcher("slow");
        CountDownLatch release = new CountDownLatch(1);
        CompletableFuture<Boolean> hold = slow.run(m -> {
            try {
                return release.await(20, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                return false;
            }
        });
        try {
            BatcherTest.awaitQueued(slow, 0);
            byte[] img = Fixture.encoded(32, 32, "png", 4);
            CompletableFuture<HttpResponse<String>> waiting = CompletableFuture.supplyAsync(
                    () -> Fixture.post(server, "/v1/models/slow/predict", "image/png", img));
            BatcherTest.awaitQueued(slow, 1);
            slow.submit(Fixture.predictInput(img), 1);
            HttpResponse<String> full = Fixture.post(server, "/v1/models/slow/predict", "image/png", img);
            refused("request while the queue is full", full, 503, "queue is full");
            assertEquals("1", full.headers().firstValue("Retry-After").orElse(null));
            refused("request waiting past --timeout-ms 2000", waiting.get(20, TimeUnit.SECONDS), 504, "2,000 ms");
        } finally {
            release.countDown();
        }
        assertTrue(hold.get(20, TimeUnit.SECONDS));
        HttpResponse<String> after = Fixture.post(server, "/v1/models/slow/predict", "image/png",
                Fixture.encoded(32, 32, "png", 4));
        assertEquals(200, after.statusCode(), "the slow model serves again: " + after.body());
    }
}
