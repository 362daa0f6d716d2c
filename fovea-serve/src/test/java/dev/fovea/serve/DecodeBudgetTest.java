package dev.fovea.serve;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fovea.data.ImageFolder;
import dev.fovea.nn.ActivationFunction;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The decode memory cap: while a large decode holds the budget, a second large one waits and is
 * refused with 503 and Retry-After at its deadline (or proceeds once the first releases), and
 * small images keep being decoded. "A decode in progress" is a reservation held by the test,
 * so nothing depends on how long a real decode takes.
 */
class DecodeBudgetTest {
    private static final int LARGE = 1000;
    /** Bytes a LARGE × LARGE decode reserves: 8 MB. */
    private static final long LARGE_BYTES = (long) LARGE * LARGE * ImageInput.BYTES_PER_DECODED_PIXEL;

    @TempDir
    Path dir;

    /** A w × h PNG of one colour: a few kilobytes, however large. */
    private static byte[] flat(int w, int h) {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setColor(new Color(200, 40, 90));
        g.fillRect(0, 0, w, h);
        g.dispose();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            ImageIO.write(img, "png", out);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        return out.toByteArray();
    }

    private static long in(long millis) {
        return System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
    }

    @Test
    void aSecondLargeDecodeIsRefusedAtItsDeadlineWhileSmallOnesPass() throws InterruptedException {
        DecodeBudget budget = new DecodeBudget(LARGE_BYTES + (1 << 20)); // one large image and 1 MiB more
        byte[] large = flat(LARGE, LARGE);
        byte[] small = Fixture.encoded(40, 30, "png", 3);
        long first = budget.reserve(LARGE_BYTES, in(1000));
        assertEquals(LARGE_BYTES, first);

        ApiError e = assertThrows(ApiError.class, () -> ImageInput.decode(large, "part 'b.png'", 40_000_000, 32, 32,
                budget, in(100)));
        assertEquals(503, e.status(), e.getMessage());
        assertEquals(1, e.retryAfterSeconds());
        assertTrue(e.getMessage().startsWith("part 'b.png': decoding this 1000 × 1000 PNG needs about 8 MB"),
                e.getMessage());

        // 40 × 30 × 8 = 9,600 bytes fit beside the held 8 MB.
        byte[] rgb = ImageInput.decode(small, "small", 40_000_000, 32, 32, budget, in(100));
        assertArrayEquals(ImageFolder.readRgb(small, "small", 32, 32), rgb);
        assertEquals(LARGE_BYTES, budget.used(), "the refused and the finished decode hold nothing");
        budget.release(first);
        assertEquals(0, budget.used());
    }

    @Test
    void aWaitingLargeDecodeProceedsOnceTheFirstReleases() throws Exception {
        DecodeBudget budget = new DecodeBudget(LARGE_BYTES + (1 << 20));
        byte[] large = flat(LARGE, LARGE);
        long first = budget.reserve(LARGE_BYTES, in(1000));
        CompletableFuture<byte[]> second = CompletableFuture.supplyAsync(() -> ImageInput.decode(large, "second",
                40_000_000, 32, 32, budget, in(20_000)));
        Thread.sleep(200);
        assertTrue(!second.isDone(), "the second large decode must wait while the first holds the budget");
        budget.release(first);
        assertArrayEquals(ImageFolder.readRgb(large, "x", 32, 32), second.get(20, TimeUnit.SECONDS));
        assertEquals(0, budget.used());
    }

    @Test
    void anImageLargerThanTheWholeBudgetIsDecodedAlone() throws InterruptedException {
        DecodeBudget budget = new DecodeBudget(1 << 20);
        byte[] large = flat(LARGE, LARGE);
        assertArrayEquals(ImageFolder.readRgb(large, "x", 32, 32),
                ImageInput.decode(large, "alone", 40_000_000, 32, 32, budget, in(100)));
        long held = budget.reserve(1, in(1000));
        assertThrows(ApiError.class, () -> ImageInput.decode(large, "alone", 40_000_000, 32, 32, budget, in(100)),
                "with any other decode in progress, it waits for all the budget");
        budget.release(held);
    }

    /** Through HTTP: the server's shared budget held, a large upload is 503 at --timeout-ms, a small one 200. */
    @Test
    void theServerAnswers503ForALargeUploadWhileTheBudgetIsHeldAndKeepsServingSmallOnes() throws Exception {
        Path file = Fixture.modelFile(dir, "m.safetensors", ActivationFunction.SOFTMAX, 4);
        ServeOptions o = ServeOptions.defaults(0).withLimits(20L << 20, 40_000_000, 300);
        DecodeBudget shared = ImageInput.BUDGET;
        byte[] large = flat(LARGE, LARGE);
        byte[] small = Fixture.encoded(40, 30, "png", 5);
        try (InferenceServer s = Fixture.start(o, ServedModel.load(null, file))) {
            // A first pass, without the 300 ms deadline, warms the model: on a busy machine the JIT alone
            // made the small image below late (504).
            s.batcher("m").submit(Fixture.predictInput(small), 1).get(60, TimeUnit.SECONDS);
            long held = shared.reserve(shared.capacity() - (1 << 20), in(5000));
            assertTrue(held > 0, "the test could not take the server's decode budget");
            try {
                long t0 = System.nanoTime();
                HttpResponse<String> r = Fixture.post(s, "/v1/models/m/predict", "image/png", large);
                assertEquals(503, r.statusCode(), r.body());
                assertEquals("1", r.headers().firstValue("Retry-After").orElse(null));
                assertTrue(Fixture.json(r).get("error").asText().contains("decode memory"), r.body());
                assertTrue(System.nanoTime() - t0 >= TimeUnit.MILLISECONDS.toNanos(250),
                        "refused at the request's deadline, not at once");
                HttpResponse<String> ok = Fixture.post(s, "/v1/models/m/predict", "image/png", small);
                assertEquals(200, ok.statusCode(), ok.body());
            } finally {
                shared.release(held);
            }
            assertEquals(200, Fixture.post(s, "/v1/models/m/predict", "image/png", large).statusCode());
            // The body's share is given back when the exchange completes, a moment after the client has the answer.
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (shared.used() > 0 && System.nanoTime() < until) {
                Thread.sleep(5);
            }
            assertEquals(0, shared.used());
        }
    }
}
