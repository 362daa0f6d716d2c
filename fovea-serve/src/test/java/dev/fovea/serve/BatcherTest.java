package dev.fovea.serve;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fovea.nn.ActivationFunction;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Dynamic batching: own rows per request, splitting, batches actually formed, exclusive jobs. */
class BatcherTest {
    @TempDir
    Path dir;

    /**
     * A batch of other sizes can take a different GEMM path (at most 4 rows stream B unpacked),
     * so a request's values agree with a lone forward pass to float rounding, not to the bit.
     */
    static final float TOLERANCE = 1e-5f;

    /** Occupies {@code b}'s worker with a job until the returned latch is counted down; returns once it runs. */
    static CountDownLatch holdWorker(Batcher b) throws InterruptedException {
        CountDownLatch release = new CountDownLatch(1);
        b.run(m -> {
            try {
                return release.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                return false;
            }
        });
        awaitQueued(b, 0);
        return release;
    }

    /** Waits (bounded) until {@code b} holds exactly {@code n} queued entries. */
    static void awaitQueued(Batcher b, int n) throws InterruptedException {
        for (int i = 0; i < 1000 && b.queueDepth() != n; i++) {
            Thread.sleep(10);
        }
        assertEquals(n, b.queueDepth(), "queued entries");
    }

    @Test
    void requestsLargerThanMaxBatchAreSplitAndJoinedInOrder() throws Exception {
        Path file = Fixture.modelFile(dir, "m.safetensors", ActivationFunction.SOFTMAX, 5);
        List<Integer> sizes = new ArrayList<>();
        try (Batcher b = new Batcher(ServedModel.load(null, file), 4, 0, 16, sizes::add)) {
            float[] x = Fixture.preprocess(Fixture.pixels(10, 1));
            float[] got = b.submit(x, 10).get(10, TimeUnit.SECONDS);
            float[] want = Fixture.direct(file, x, 10, true);
            assertEquals(want.length, got.length);
            for (int i = 0; i < want.length; i++) {
                assertEquals(want[i], got[i], TOLERANCE, "probability " + i);
            }
            assertEquals(10, b.images());
            assertTrue(sizes.stream().allMatch(s -> s <= 4), "no pass above max-batch: " + sizes);
            assertEquals(10, sizes.stream().mapToInt(Integer::intValue).sum());
        }
    }

    @Test
    void queuedRequestsFormOneBatchAndEachGetsItsOwnRows() throws Exception {
        Path file = Fixture.modelFile(dir, "m.safetensors", ActivationFunction.LINEAR, 6);
        List<Integer> sizes = new CopyOnWriteArrayList<>();
        try (Batcher b = new Batcher(ServedModel.load(null, file), 64, 5, 64, sizes::add)) {
            CountDownLatch release = new CountDownLatch(1);
            CompletableFuture<String> hold = b.run(m -> {
                try {
                    release.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return Thread.currentThread().getName();
            });
            int n = 12;
            List<float[]> xs = new ArrayList<>();
            List<CompletableFuture<float[]>> fs = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                float[] x = Fixture.preprocess(Fixture.pixels(1 + i % 2, 100 + i));
                xs.add(x);
                fs.add(b.submit(x, 1 + i % 2));
            }
            awaitQueued(b, n);
            release.countDown();
            assertEquals("fovea-infer-m", hold.get(10, TimeUnit.SECONDS), "jobs run on the model's thread");
            for (int i = 0; i < n; i++) {
                float[] want = Fixture.direct(file, xs.get(i), 1 + i % 2, false);
                float[] got = fs.get(i).get(10, TimeUnit.SECONDS);
                assertEquals(want.length, got.length, "request " + i);
                for (int j = 0; j < want.length; j++) {
                    assertEquals(want[j], got[j], TOLERANCE, "request " + i + " value " + j);
                }
            }
            assertEquals(List.of(18), sizes, "all 12 requests (18 images) in one forward pass");
        }
    }

    @Test
    void aFullQueueRefusesAtOnce() throws Exception {
        Path file = Fixture.modelFile(dir, "m.safetensors", ActivationFunction.SOFTMAX, 7);
        try (Batcher b = new Batcher(ServedModel.load(null, file), 8, 0, 2, n -> { })) {
            CountDownLatch release = holdWorker(b);
            float[] x = Fixture.preprocess(Fixture.pixels(1, 9));
            CompletableFuture<float[]> a = b.submit(x, 1);
            CompletableFuture<float[]> c = b.submit(x, 1);
            Batcher.QueueFullException e = assertThrows(Batcher.QueueFullException.class, () -> b.submit(x, 1));
            assertTrue(e.getMessage().contains("queue is full (2 waiting"), e.getMessage());
            release.countDown();
            assertArrayEquals(a.get(10, TimeUnit.SECONDS), c.get(10, TimeUnit.SECONDS));
        }
    }

    /**
     * The server's batchers wait for more images only while a request is on its way: with a
     * 60-second --max-delay-ms, a lone request is still answered at once, a request announced
     * (arrive) but not yet queued is waited for and joins the batch, and one withdrawn (its request
     * failed) ends the wait.
     */
    @Test
    void withArrivalsTrackedABatchWaitsOnlyForRequestsOnTheirWay() throws Exception {
        Path file = Fixture.modelFile(dir, "m.safetensors", ActivationFunction.SOFTMAX, 7);
        List<Integer> sizes = new CopyOnWriteArrayList<>();
        try (Batcher b = new Batcher(ServedModel.load(null, file), 8, 60_000, 8, sizes::add)) {
            b.waitOnlyForArrivals();
            float[] x = Fixture.preprocess(Fixture.pixels(1, 3));
            float[] alone;
            try (Batcher.Arrival a = b.arrive()) {
                alone = a.submit(x, 1).get(20, TimeUnit.SECONDS); // not held for the 60 s delay
            }
            assertEquals(List.of(1), sizes);
            assertEquals(0, b.arrivingRequests());

            Batcher.Arrival later = b.arrive();
            CompletableFuture<float[]> first;
            try (Batcher.Arrival a = b.arrive()) {
                first = a.submit(x, 1);
            }
            Thread.sleep(300);
            assertFalse(first.isDone(), "the batch waits for the request still on its way");
            float[] y = Fixture.preprocess(Fixture.pixels(1, 4));
            CompletableFuture<float[]> second = later.submit(y, 1);
            assertArrayEquals(alone, first.get(20, TimeUnit.SECONDS), 1e-5f); // a batch of 2 rounds differently
            second.get(20, TimeUnit.SECONDS);
            assertEquals(List.of(1, 2), sizes, "the arriving request joined the waiting one");

            Batcher.Arrival withdrawn = b.arrive();
            CompletableFuture<float[]> third;
            try (Batcher.Arrival a = b.arrive()) {
                third = a.submit(x, 1);
            }
            Thread.sleep(300);
            assertFalse(third.isDone());
            withdrawn.close();
            third.get(20, TimeUnit.SECONDS);
            assertEquals(List.of(1, 2, 1), sizes);
            assertEquals(0, b.arrivingRequests());
        }
    }

    /** A job whose caller gave up (timed out, cancelled) while it waited is never run on the model. */
    @Test
    void aJobCancelledWhileQueuedNeverRuns() throws Exception {
        Path file = Fixture.modelFile(dir, "m.safetensors", ActivationFunction.SOFTMAX, 7);
        try (Batcher b = new Batcher(ServedModel.load(null, file), 8, 0, 4, n -> { })) {
            CountDownLatch release = holdWorker(b);
            AtomicBoolean ran = new AtomicBoolean();
            CompletableFuture<Boolean> late = b.run(m -> ran.getAndSet(true));
            late.cancel(false);
            CompletableFuture<Boolean> after = b.run(m -> true);
            release.countDown();
            assertTrue(after.get(10, TimeUnit.SECONDS));
            assertFalse(ran.get(), "the cancelled job ran on the model");
        }
    }

    /** 16 threads of single-image HTTP requests, each image distinct: every answer is its own image's. */
    @Test
    void sixteenConcurrentClientsGetTheirOwnAnswersInSharedBatches() throws Exception {
        Path file = Fixture.modelFile(dir, "m.safetensors", ActivationFunction.SOFTMAX, 8);
        try (InferenceServer s = Fixture.start(ServeOptions.defaults(0).withBatching(64, 20),
                ServedModel.load(null, file))) {
            int threads = 16;
            int perThread = 8;
            float[][] xs = new float[threads * perThread][];
            float[][] wants = new float[threads * perThread][];
            for (int i = 0; i < xs.length; i++) {
                xs[i] = Fixture.preprocess(Fixture.pixels(1, 1000L + i));
                wants[i] = Fixture.direct(file, xs[i], 1, true);
            }
            for (int i = 0; i < xs.length; i++) {
                for (int j = 0; j < i; j++) {
                    float diff = 0;
                    for (int c = 0; c < 10; c++) {
                        diff = Math.max(diff, Math.abs(wants[i][c] - wants[j][c]));
                    }
                    assertTrue(diff > 100 * TOLERANCE, "images " + i + " and " + j + " must be told apart");
                }
            }
            ExecutorService pool = Executors.newFixedThreadPool(threads);
            CountDownLatch go = new CountDownLatch(1);
            List<Future<Integer>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                done.add(pool.submit(() -> {
                    go.await();
                    int ok = 0;
                    for (int r = 0; r < perThread; r++) {
                        int i = thread * perThread + r;
                        HttpResponse<String> res = Fixture.post(s, "/v2/models/m/infer", "application/json",
                                Fixture.inferFp32(xs[i], 1, thread + "-" + r));
                        assertEquals(200, res.statusCode(), res.body());
                        JsonNode doc = Fixture.json(res);
                        assertEquals(thread + "-" + r, doc.get("id").asText());
                        float[] got = ProtocolRoutesTest.floats(doc.get("outputs").get(0).get("data"));
                        for (int j = 0; j < 10; j++) {
                            assertEquals(wants[i][j], got[j], TOLERANCE, "thread " + thread + " request " + r);
                        }
                        ok++;
                    }
                    return ok;
                }));
            }
            go.countDown();
            int ok = 0;
            for (Future<Integer> f : done) {
                ok += f.get(60, TimeUnit.SECONDS);
            }
            pool.shutdown();
            assertEquals(threads * perThread, ok);
            Batcher b = s.batcher("m");
            assertEquals(threads * perThread, b.images());
            assertTrue(b.largestBatch() > 1, "some forward pass served several requests; largest "
                    + b.largestBatch() + " over " + b.batches() + " passes");
            assertTrue(b.batches() < threads * perThread, b.batches() + " passes for " + threads * perThread + " images");
        }
    }
}
