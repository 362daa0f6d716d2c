package dev.fovea.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fovea.io.ModelFile;
import dev.fovea.nn.ActivationFunction;
import dev.fovea.nn.Model;
import dev.fovea.serve.ServedModel;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code fovea bench --serve}: its options refused in the shared wording, and short real runs
 * against a tiny model checked on counts and structure only (never on timings): no errors, the
 * clients' request count equal to the server's own /metrics count, one image per forward pass
 * for one client and more than one for four clients batched by a long --max-delay-ms.
 */
class BenchServeTest {
    @TempDir
    Path tmp;

    private static void refused(CliRun r, String message) {
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains(message), r.err());
        assertFalse(r.err().contains("\tat "), r.err());
    }

    private Path tinyModel() {
        Model m = TrainedModel.small(32, 32, 3, 10, ActivationFunction.SOFTMAX);
        m.initialize(5);
        Path file = tmp.resolve("tiny.safetensors");
        ModelFile.save(file, m, ModelFile.Info.of(List.of()));
        return file;
    }

    @Test
    void clientCountsAndTheOtherServeOptionsAreChecked() {
        refused(CliRun.of("bench", "--serve", "--clients", "0"),
                "--clients 0: expected a whole number from 1 to 1024 (concurrent client threads), received 0");
        refused(CliRun.of("bench", "--serve", "--clients", "1,2000"),
                "--clients 2000: expected a whole number from 1 to 1024 (concurrent client threads), received 2000");
        refused(CliRun.of("bench", "--serve", "--clients", "8,1,8"), "--clients 8,1,8: 8 is given twice");
        refused(CliRun.of("bench", "--serve", "--clients", "1,x"), "'x'");
        refused(CliRun.of("bench", "--serve", "--seconds", "0"),
                "--seconds 0: expected a whole number from 1 to 3600 (measured seconds per client count), received 0");
        refused(CliRun.of("bench", "--serve", "--warmup-seconds", "-1"), "--warmup-seconds -1: expected a number in [0, 600]");
        refused(CliRun.of("bench", "--serve", "--max-batch", "0"), "--max-batch 0: expected a whole number from 1 to 4096");
        refused(CliRun.of("bench", "--serve", "--max-delay-ms", "-1"), "--max-delay-ms -1: expected a whole number from 0");
        refused(CliRun.of("bench", "--serve", "--route", "grpc"), "grpc");
        refused(CliRun.of("bench", "--clients", "4"), "--clients configures the load benchmark; add --serve");
        refused(CliRun.of("bench", "--serve", "--profile"), "--serve measures the server alone");
        refused(CliRun.of("bench", "--serve", "--model", tmp.resolve("none.safetensors").toString()),
                "neither a preset");
        refused(CliRun.of("bench", "--serve", "--data", tmp.resolve("nothing").toString()), "--data ");
    }

    /** The server's fovea_http_requests_total for one route, summed over methods and statuses, parsed here. */
    private static long served(String url, String route) throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url + "/metrics"))
                .build(), HttpResponse.BodyHandlers.ofString());
        long n = 0;
        for (String line : r.body().split("\n")) {
            if (line.startsWith("fovea_http_requests_total{") && line.contains("route=\"" + route + "\"")) {
                n += (long) Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return n;
    }

    @Test
    void aShortRunCountsEveryRequestTheServerCountsAndBatchesConcurrentClients() throws Exception {
        ServedModel m = ServedModel.load("tiny", tinyModel());
        byte[] px = new byte[8 * 32 * 32 * 3];
        new Random(1).nextBytes(px);
        // max-batch 4 = the clients, and a delay far longer than a request: four clients' requests share passes.
        try (ServeBench b = ServeBench.start(m, 4, 500, ServeBench.Route.infer, px, 8, 32, 32, 3)) {
            ServeBench.Level one = b.run(1, 0.2, 1);
            ServeBench.Level four = b.run(4, 0.2, 1);
            for (ServeBench.Level l : List.of(one, four)) {
                assertEquals(0, l.errors(), b.firstError());
                assertTrue(l.requests() >= 1, "at least the request in flight at the deadline");
                assertEquals(l.requests(), l.images(), "one image per request, all in the window's forward passes");
                assertTrue(l.p50Ms() <= l.p99Ms());
                assertEquals(l.requests() / l.seconds(), l.requestsPerSecond(), 1e-9);
            }
            assertEquals(1.0, one.meanBatch(), "one client never has a second request to batch with");
            assertEquals(one.requests(), one.batches());
            assertTrue(four.meanBatch() > 1, "four clients, 500 ms to fill a batch: " + four);
            assertTrue(four.meanBatch() <= 4, "--max-batch 4: " + four);
            long deadline = System.nanoTime() + 5_000_000_000L; // the access log counts just after answering
            long served;
            do {
                served = served(b.server().url(), "/v2/models/{name}/infer");
            } while (served != b.sent() && System.nanoTime() < deadline);
            assertEquals(b.sent(), served, "requests sent by the clients, warm-ups included");
        }
    }

    /** NAME=VALUE lines without spaces. */
    private static Map<String, String> figures(String out) {
        Map<String, String> m = new LinkedHashMap<>();
        for (String line : out.split("\\R")) {
            int eq = line.indexOf('=');
            if (eq > 0 && !line.contains(" ")) {
                m.put(line.substring(0, eq), line.substring(eq + 1));
            }
        }
        return m;
    }

    @Test
    void theCommandPrintsEveryFigurePerClientCountAndATable() throws Exception {
        CliRun r = CliRun.of("bench", "--serve", "--model", tinyModel().toString(), "--clients", "1,4", "--seconds",
                "1", "--warmup-seconds", "0.2", "--max-batch", "4", "--max-delay-ms", "500", "--infer-batch-size", "4",
                "--infer-batches", "1", "--calls", "3");
        assertEquals(0, r.code(), r.err() + r.out());
        Map<String, String> f = figures(r.out());
        for (String k : List.of("infer_images_per_second_batch4", "infer_latency_ms_batch1", "infer_latency_p99_ms_batch1")) {
            assertTrue(Double.parseDouble(f.get(k)) > 0, k + " in " + r.out());
        }
        for (int c : new int[] {1, 4}) {
            String p = "serve_c" + c + "_";
            for (String k : List.of("requests_per_s", "images_per_s", "latency_p50_ms", "latency_p99_ms", "mean_batch")) {
                assertTrue(Double.parseDouble(f.get(p + k)) > 0, p + k + " in " + r.out());
            }
            assertEquals("0", f.get(p + "errors"));
            assertTrue(Long.parseLong(f.get(p + "requests")) >= 1);
            assertEquals(f.get(p + "requests_per_s"), f.get(p + "images_per_s"), "one image per request");
        }
        assertEquals("1.000", f.get("serve_c1_mean_batch"));
        assertTrue(Double.parseDouble(f.get("serve_c4_mean_batch")) > 1, r.out());
        assertTrue(r.out().contains("clients   requests/s   images/s    p50 ms    p99 ms  mean batch  errors"), r.out());
        assertTrue(r.out().lines().anyMatch(l -> l.matches(" +4 +[0-9.]+ +[0-9.]+ +[0-9.]+ +[0-9.]+ +[0-9.]+ +0")), r.out());
        assertTrue(r.out().contains("model=tiny route=infer\n"), r.out());
        assertTrue(r.out().contains("images=random clients=1,4 "), r.out());
    }

    /** Real CIFAR-10 test images through the PNG route, when the shared archive is there. */
    @Test
    void cifarTestImagesThroughThePredictRoute() {
        Path cifar = dev.fovea.io.ReferenceFiles.datasets().resolve("cifar-10-binary.tar.gz");
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isRegularFile(cifar), "no " + cifar);
        CliRun r = CliRun.of("bench", "--serve", "--model", tinyModel().toString(), "--clients", "2", "--seconds", "1",
                "--warmup-seconds", "0", "--route", "predict", "--data", cifar.toString(), "--infer-batch-size", "2",
                "--infer-batches", "1", "--calls", "2");
        assertEquals(0, r.code(), r.err() + r.out());
        Map<String, String> f = figures(r.out());
        assertEquals("0", f.get("serve_c2_errors"));
        assertTrue(Long.parseLong(f.get("serve_c2_requests")) >= 1);
        assertTrue(r.out().contains("route=predict\n") && r.out().contains("images=cifar10-test "), r.out());
    }
}
