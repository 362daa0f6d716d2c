package dev.fovea.cli;

import dev.fovea.serve.Batcher;
import dev.fovea.serve.InferenceServer;
import dev.fovea.serve.ServeOptions;
import dev.fovea.serve.ServedModel;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import javax.imageio.ImageIO;

/**
 * The load benchmark behind {@code fovea bench --serve}: an {@link InferenceServer} in this JVM
 * on a free port, and for each client count that many threads, each with its own
 * {@link HttpClient} (one HTTP/1.1 connection), sending one image per request in a loop: a
 * warm-up, then a measured window. Every thread finishes its request in flight before a phase
 * ends (a barrier), so the requests counted by the clients in a window are exactly those the
 * server answered in it, and the batcher's counters taken at the barriers give the batches
 * formed in it. Lifecycle: {@link #start} → {@link #run} per client count → {@link #close}.
 * Clients and server share the machine's cores: the figures are of both together.
 */
final class ServeBench implements AutoCloseable {
    /** Which route the clients call. */
    enum Route {
        /** {@code POST /v2/models/{name}/infer}, a UINT8 tensor [1,H,W,C] as JSON. */
        infer,
        /** {@code POST /v1/models/{name}/predict}, the image as PNG bytes. */
        predict
    }

    /**
     * The figures of one client count over its measured window.
     *
     * @param requests  requests answered 200 in the window
     * @param errors    non-200 answers and failed connections, warm-up included
     * @param seconds   the window, from its start to the last client's last answer
     * @param batches   forward passes the server ran for the window's requests
     * @param images    images in those forward passes
     */
    record Level(int clients, long requests, long errors, double seconds, double p50Ms, double p99Ms, long batches,
                 long images) {
        double requestsPerSecond() {
            return requests / seconds;
        }

        /** One image per request. */
        double imagesPerSecond() {
            return requests / seconds;
        }

        /** Images per forward pass; 0 when none ran. */
        double meanBatch() {
            return batches == 0 ? 0 : images / (double) batches;
        }
    }

    private final InferenceServer server;
    private final Batcher batcher;
    private final URI uri;
    private final String contentType;
    private final List<byte[]> bodies;
    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong answered = new AtomicLong();
    private final AtomicReference<String> firstError = new AtomicReference<>();

    private ServeBench(InferenceServer server, Route route, List<byte[]> bodies) {
        this.server = server;
        String name = server.modelNames().get(0);
        this.batcher = server.batcher(name);
        this.uri = URI.create(server.url() + (route == Route.infer ? "/v2/models/" + name + "/infer"
                : "/v1/models/" + name + "/predict"));
        this.contentType = route == Route.infer ? "application/json" : "image/png";
        this.bodies = bodies;
    }

    /**
     * Serves {@code model} on a free port of 127.0.0.1 and prepares one request body per image.
     *
     * @param pixels images (n,H,W,C) as 0-255 bytes: H,W,C the model's for {@link Route#infer};
     *               RGB of any size for {@link Route#predict}; not modified
     */
    static ServeBench start(ServedModel model, int maxBatch, int maxDelayMillis, Route route, byte[] pixels, int n,
                            int height, int width, int channels) {
        List<byte[]> bodies = new ArrayList<>();
        int size = height * width * channels;
        for (int i = 0; i < n; i++) {
            byte[] one = Arrays.copyOfRange(pixels, i * size, (i + 1) * size);
            bodies.add(route == Route.infer ? inferBody(one, height, width, channels) : png(one, height, width));
        }
        ServeOptions o = ServeOptions.defaults(0).withBatching(maxBatch, maxDelayMillis);
        // The access log would be one line per request; errors reach the clients, who report the first.
        PrintStream quiet = new PrintStream(OutputStream.nullOutputStream());
        return new ServeBench(InferenceServer.start(o, List.of(model), List.of(), quiet), route, bodies);
    }

    /** The Open Inference Protocol request for one image, written directly: JSON libraries add nothing here. */
    static byte[] inferBody(byte[] px, int height, int width, int channels) {
        StringBuilder sb = new StringBuilder(px.length * 4 + 128);
        sb.append("{\"inputs\":[{\"name\":\"input\",\"datatype\":\"UINT8\",\"shape\":[1,").append(height).append(',')
                .append(width).append(',').append(channels).append("],\"data\":[");
        for (int i = 0; i < px.length; i++) {
            sb.append(i == 0 ? "" : ",").append(px[i] & 0xFF);
        }
        return sb.append("]}]}").toString().getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    }

    private static byte[] png(byte[] rgb, int height, int width) {
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                int at = (y * width + x) * 3;
                img.setRGB(x, y, (rgb[at] & 0xFF) << 16 | (rgb[at + 1] & 0xFF) << 8 | (rgb[at + 2] & 0xFF));
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            ImageIO.write(img, "png", out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** Phase boundaries, set by the barrier's action while every client waits at it. */
    private final class Phases {
        final long warmupNanos;
        final long measureNanos;
        volatile long end;
        long start;
        long stop;
        long batches0;
        long images0;
        long batches1;
        long images1;
        int passed;

        Phases(double warmupSeconds, double seconds) {
            warmupNanos = (long) (warmupSeconds * 1e9);
            measureNanos = (long) (seconds * 1e9);
        }

        /** Runs once per barrier: all ready → warm-up; warm-up drained → window; window drained → done. */
        void next() {
            long now = System.nanoTime();
            switch (passed++) {
                case 0 -> end = now + warmupNanos;
                case 1 -> {
                    settle();
                    batches0 = batcher.batches();
                    images0 = batcher.images();
                    start = System.nanoTime();
                    end = start + measureNanos;
                }
                default -> {
                    stop = now;
                    settle();
                    batches1 = batcher.batches();
                    images1 = batcher.images();
                }
            }
        }
    }

    /**
     * The batcher counts a forward pass just after handing out its answers, so a client can hold
     * its answer a moment before the count moves: wait (at most a second) until every image
     * answered so far is counted.
     */
    private void settle() {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
        while (batcher.images() < answered.get() && System.nanoTime() < until) {
            Thread.onSpinWait();
        }
    }

    /** Runs {@code clients} threads for a warm-up, then for the measured window. */
    Level run(int clients, double warmupSeconds, double seconds) throws InterruptedException {
        Phases p = new Phases(warmupSeconds, seconds);
        CyclicBarrier barrier = new CyclicBarrier(clients, p::next);
        long[][] latencies = new long[clients][];
        long[] errors = new long[clients];
        List<Thread> threads = new ArrayList<>();
        AtomicReference<Throwable> crashed = new AtomicReference<>();
        for (int c = 0; c < clients; c++) {
            int id = c;
            Thread t = new Thread(() -> {
                try {
                    HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                            .connectTimeout(Duration.ofSeconds(10)).build();
                    int next = id * 7919; // clients start at different images
                    barrier.await();
                    long[] none = new long[1];
                    while (System.nanoTime() < p.end) {
                        errors[id] += send(http, bodies.get(next++ % bodies.size()), none, 0) ? 0 : 1;
                    }
                    barrier.await();
                    long[] lat = new long[1024];
                    int count = 0;
                    while (System.nanoTime() < p.end) {
                        if (count == lat.length) {
                            lat = Arrays.copyOf(lat, count * 2);
                        }
                        if (send(http, bodies.get(next++ % bodies.size()), lat, count)) {
                            count++;
                        } else {
                            errors[id]++;
                        }
                    }
                    latencies[id] = Arrays.copyOf(lat, count);
                    barrier.await();
                } catch (InterruptedException | BrokenBarrierException | RuntimeException | Error e) {
                    crashed.compareAndSet(null, e);
                    barrier.reset(); // the others stop waiting instead of hanging
                }
            }, "bench-client-" + c);
            threads.add(t);
            t.start();
        }
        for (Thread t : threads) {
            t.join();
        }
        if (crashed.get() != null) {
            throw new IllegalStateException("a benchmark client failed: " + crashed.get(), crashed.get());
        }
        long[] all = Arrays.stream(latencies).flatMapToLong(Arrays::stream).toArray();
        double p50 = all.length == 0 ? Double.NaN : BenchFigures.percentile(all, 50) / 1e6;
        double p99 = all.length == 0 ? Double.NaN : BenchFigures.percentile(all, 99) / 1e6;
        return new Level(clients, all.length, Arrays.stream(errors).sum(), (p.stop - p.start) / 1e9, p50, p99,
                p.batches1 - p.batches0, p.images1 - p.images0);
    }

    /** One request; true for a 200, whose latency goes to {@code lat[at]}. */
    private boolean send(HttpClient http, byte[] body, long[] lat, int at) throws InterruptedException {
        HttpRequest r = HttpRequest.newBuilder(uri).header("Content-Type", contentType)
                .timeout(Duration.ofSeconds(60)).POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
        sent.incrementAndGet();
        long t0 = System.nanoTime();
        try {
            HttpResponse<String> res = http.send(r, HttpResponse.BodyHandlers.ofString());
            long t = System.nanoTime() - t0;
            if (res.statusCode() == 200) {
                answered.incrementAndGet();
                lat[at] = t;
                return true;
            }
            firstError.compareAndSet(null, "status " + res.statusCode() + ": " + res.body());
        } catch (IOException e) {
            firstError.compareAndSet(null, "no answer from " + uri + ": " + e);
        }
        return false;
    }

    /** Every request the clients sent so far, warm-ups included. */
    long sent() {
        return sent.get();
    }

    /** The first failed request's status and body, or null when none failed. */
    String firstError() {
        return firstError.get();
    }

    InferenceServer server() {
        return server;
    }

    @Override
    public void close() {
        server.close();
    }
}
