package dev.fovea.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fovea.nn.ActivationFunction;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a client that does not behave can do to the server, sent as raw bytes over a socket: a
 * body that never ends (one byte a second, or nothing after the headers) is cut at the read
 * deadline with 408 while other clients are served; bodies on their way hold decode memory, so
 * declared bodies larger than what is left wait and are refused with 503 at the request's
 * deadline instead of filling the heap; an empty body is a 400 that says it is empty.
 */
class OpenEndsTest {
    @TempDir
    static Path dir;
    static Path file;
    static byte[] png;

    @BeforeAll
    static void model() {
        file = Fixture.modelFile(dir, "m.safetensors", ActivationFunction.SOFTMAX, 12);
        png = Fixture.encoded(40, 30, "png", 8);
    }

    /** One HTTP/1.1 connection driven by hand; what the server answered, read by a thread of its own. */
    static final class RawClient implements AutoCloseable {
        private final Socket socket;
        private final OutputStream out;
        private final ByteArrayOutputStream received = new ByteArrayOutputStream();
        private final long start = System.nanoTime();
        private volatile long firstByteMs = -1;
        private volatile boolean closed;

        RawClient(InferenceServer server) throws IOException {
            socket = new Socket("127.0.0.1", server.port());
            out = socket.getOutputStream();
            InputStream in = socket.getInputStream();
            Thread reader = new Thread(() -> {
                byte[] buf = new byte[4096];
                try {
                    for (int n = in.read(buf); n >= 0; n = in.read(buf)) {
                        synchronized (received) {
                            if (firstByteMs < 0) {
                                firstByteMs = ms();
                            }
                            received.write(buf, 0, n);
                        }
                    }
                } catch (IOException e) {
                    // reset by the server: as good as closed
                } finally {
                    closed = true;
                }
            }, "raw-client-reader");
            reader.setDaemon(true);
            reader.start();
        }

        long ms() {
            return (System.nanoTime() - start) / 1_000_000;
        }

        /** Sends the request line and headers of a POST that declares {@code length} body bytes. */
        void post(String path, long length) throws IOException {
            send(("POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: image/png\r\nContent-Length: "
                    + length + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        }

        /** False when the server no longer takes bytes (it answered and closed, or reset the connection). */
        boolean send(byte[] bytes) {
            try {
                out.write(bytes);
                out.flush();
                return true;
            } catch (IOException e) {
                return false;
            }
        }

        boolean answeredOrClosed() {
            return firstByteMs >= 0 || closed;
        }

        /** Waits up to {@code seconds} for the server to answer and close. */
        String response(long seconds) throws InterruptedException {
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
            while (!closed && System.nanoTime() < until) {
                Thread.sleep(20);
            }
            synchronized (received) {
                return received.toString(StandardCharsets.UTF_8);
            }
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    /** Posts a small PNG over and over on its own thread until stopped, counting the 200s; anything else is kept. */
    static final class GoodClient extends Thread {
        final AtomicInteger answered = new AtomicInteger();
        final AtomicReference<String> wrong = new AtomicReference<>();
        private final InferenceServer server;
        private volatile boolean stop;

        GoodClient(InferenceServer server) {
            super("good-client");
            this.server = server;
            setDaemon(true);
        }

        @Override
        public void run() {
            while (!stop) {
                HttpResponse<String> r = Fixture.post(server, "/v1/models/m/predict", "image/png", png);
                if (r.statusCode() == 200) {
                    answered.incrementAndGet();
                } else {
                    wrong.compareAndSet(null, r.statusCode() + " " + r.body());
                }
            }
        }

        void finish() throws InterruptedException {
            stop = true;
            join(10_000);
        }
    }

    @Test
    void anEmptyBodyIs400SayingItIsEmpty() throws Exception {
        try (InferenceServer s = Fixture.start(ServeOptions.defaults(0), ServedModel.load(null, file))) {
            for (String path : new String[] {"/v1/models/m/predict", "/v1/models/m/explain", "/v2/models/m/infer"}) {
                try (RawClient c = new RawClient(s)) {
                    c.post(path, 0);
                    String r = c.response(10);
                    assertTrue(r.startsWith("HTTP/1.1 400 "), path + ": " + r);
                    assertTrue(r.contains("{\"error\":") && r.contains("empty"), path + ": " + r);
                }
            }
        }
    }

    /**
     * One byte a second, then nothing at all after the headers: each is cut at the read deadline
     * (3 s here) with a 408, while a well-behaved client keeps getting answers the whole time.
     */
    @Test
    void aSlowOrStalledUploadIsCutAtTheReadDeadlineWhileOthersAreServed() throws Exception {
        ServeOptions o = ServeOptions.defaults(0).withReadTimeout(3000);
        try (InferenceServer s = Fixture.start(o, ServedModel.load(null, file))) {
            GoodClient good = new GoodClient(s);
            good.start();
            try {
                for (boolean trickle : new boolean[] {true, false}) {
                    try (RawClient slow = new RawClient(s)) {
                        slow.post("/v1/models/m/predict", 100_000);
                        int sent = 0;
                        while (!slow.answeredOrClosed() && slow.ms() < 20_000) {
                            if (trickle && slow.send(new byte[] {(byte) png[sent % png.length]})) {
                                sent++;
                            }
                            Thread.sleep(trickle ? 1000 : 50);
                        }
                        String r = slow.response(5);
                        long at = slow.ms();
                        String what = (trickle ? "1 byte a second (" + sent + " sent)" : "no body after the headers");
                        assertTrue(slow.answeredOrClosed(), what + ": still open after 20 s");
                        assertTrue(r.isEmpty() || r.startsWith("HTTP/1.1 408 "), what + ": " + r);
                        assertTrue(r.isEmpty() || r.contains("--read-timeout-ms"), what + ": " + r);
                        assertTrue(at >= 2500 && at <= 9000, what + ": cut after " + at + " ms, the deadline is 3,000");
                    }
                }
            } finally {
                good.finish();
            }
            assertEquals(null, good.wrong.get(), "the well-behaved client got an error");
            assertTrue(good.answered.get() >= 5, "answers to the well-behaved client meanwhile: " + good.answered.get());
        }
        awaitBudgetFree();
    }

    /**
     * A body on its way holds decode memory from the moment its length is known: while one upload
     * declaring 60% of the budget is stalled, a second such upload waits and gets 503 with
     * Retry-After at the request's deadline, a small image still goes through, and the memory is
     * free again once the stalled one is cut.
     */
    @Test
    void declaredBodiesHoldDecodeMemorySoASecondLargeOneIs503() throws Exception {
        DecodeBudget budget = ImageInput.BUDGET;
        long large = budget.capacity() * 6 / 10;
        ServeOptions o = ServeOptions.defaults(0).withLimits(budget.capacity(), 40_000_000, 2000).withReadTimeout(6000);
        try (InferenceServer s = Fixture.start(o, ServedModel.load(null, file));
             RawClient first = new RawClient(s)) {
            first.post("/v1/models/m/predict", large);
            first.send(new byte[] {(byte) 0x89, 'P', 'N', 'G'});
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (budget.used() < large && System.nanoTime() < until) {
                Thread.sleep(10);
            }
            assertTrue(budget.used() >= large, String.format(Locale.ROOT, "the stalled upload's %,d declared bytes"
                    + " are not counted against the decode budget (%,d bytes held)", large, budget.used()));
            try (RawClient second = new RawClient(s)) {
                second.post("/v1/models/m/predict", large);
                String r = second.response(10);
                assertTrue(r.startsWith("HTTP/1.1 503 "), "the second large upload: " + r);
                assertTrue(r.contains("Retry-After: 1"), r);
                assertTrue(r.contains("memory"), r);
                assertTrue(second.ms() >= 1500, "refused at the request's deadline (2,000 ms), after "
                        + second.ms() + " ms");
            }
            HttpResponse<String> small = Fixture.post(s, "/v1/models/m/predict", "image/png", png);
            assertEquals(200, small.statusCode(), "a small image meanwhile: " + small.body());
            String cut = first.response(15);
            assertTrue(cut.isEmpty() || cut.startsWith("HTTP/1.1 408 "), "the stalled upload: " + cut);
        }
        awaitBudgetFree();
    }

    private static void awaitBudgetFree() throws InterruptedException {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (ImageInput.BUDGET.used() > 0 && System.nanoTime() < until) {
            Thread.sleep(10);
        }
        assertEquals(0, ImageInput.BUDGET.used(), "decode memory still held after every request ended");
    }
}
