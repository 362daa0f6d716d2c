package dev.fovea.serve;

import dev.fovea.FoveaException;
import dev.fovea.data.ImageFolder;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Iterator;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;

/**
 * Untrusted image bytes to model pixels: the format is recognised from the first bytes (never
 * from a name or a header), the width and height are read from the image header and checked
 * against a pixel budget before anything is decoded (a 20,000 × 20,000 PNG of a few kilobytes
 * is refused without allocating its raster), and only then is the image decoded and resized as
 * {@link ImageFolder#readRgb(byte[], String, int, int)} does for {@code fovea predict}.
 *
 * <p>Decodes in progress share one {@link DecodeBudget} of half the heap's maximum: each reserves
 * {@value #BYTES_PER_DECODED_PIXEL} bytes per pixel of its image before decoding, so several
 * uploads near {@code --max-pixels} queue instead of exhausting the heap together, while small
 * images keep passing. A decode that cannot reserve by its request's deadline answers 503 with
 * {@code Retry-After}. A pixel budget rather than a semaphore of one permit per core: memory,
 * not cores, is what runs out (two cores would admit two 320 MB decodes, sixty-four cores
 * sixty-four), and a thumbnail should never wait behind a poster.
 * Failures are {@link ApiError}s with the HTTP status to answer.
 */
public final class ImageInput {
    /** The formats javax.imageio reads that the server accepts, by their magic bytes. */
    enum Format {
        PNG("png"), JPEG("jpeg"), GIF("gif"), BMP("bmp");

        final String reader;

        Format(String reader) {
            this.reader = reader;
        }
    }

    /**
     * Peak heap per pixel while one image is decoded: ImageIO's raster (3 or 4 bytes a pixel) and
     * the opaque INT_RGB copy made from it (4) live at once, the first halving adds a quarter.
     */
    static final long BYTES_PER_DECODED_PIXEL = 8;

    /** Half the heap: the rest holds the models, their batch buffers and request bodies. */
    static final DecodeBudget BUDGET = new DecodeBudget(Runtime.getRuntime().maxMemory() / 2);

    /** How long a decode waits for memory when no request deadline was set on this thread. */
    private static final long DEFAULT_WAIT_NANOS = TimeUnit.SECONDS.toNanos(30);

    /** The deadline of the request the current (server) thread is answering, or null. */
    private static final ThreadLocal<long[]> DEADLINE = new ThreadLocal<>();

    static {
        ImageIO.setUseCache(false); // decode in memory: no temp files from client data
    }

    private ImageInput() {
    }

    /** The format the bytes start with, or null. */
    static Format sniff(byte[] b) {
        if (starts(b, 0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A)) {
            return Format.PNG;
        }
        if (starts(b, 0xFF, 0xD8, 0xFF)) {
            return Format.JPEG;
        }
        if (starts(b, 'G', 'I', 'F', '8')) {
            return Format.GIF;
        }
        if (starts(b, 'B', 'M') && b.length >= 26) {
            return Format.BMP;
        }
        return null;
    }

    private static boolean starts(byte[] b, int... magic) {
        if (b.length < magic.length) {
            return false;
        }
        for (int i = 0; i < magic.length; i++) {
            if ((b[i] & 0xFF) != magic[i]) {
                return false;
            }
        }
        return true;
    }

    /**
     * Decodes one uploaded image to RGB bytes (height,width,3).
     *
     * @param where names the image in messages (the part's file name, or "the request body")
     * @param maxPixels the largest width·height decoded
     * @throws ApiError 400 for no bytes at all, 415 for bytes that are no supported image, 413 over the
     *                  pixel budget, 400 for a corrupt or truncated image, 503 (Retry-After) when other decodes
     *                  hold the memory it needs past the request's deadline ({@link #deadline})
     */
    public static byte[] decode(byte[] bytes, String where, long maxPixels, int height, int width) {
        long[] d = DEADLINE.get();
        return decode(bytes, where, maxPixels, height, width, BUDGET,
                d != null ? d[0] : System.nanoTime() + DEFAULT_WAIT_NANOS);
    }

    /**
     * Sets when the request the current thread is answering times out ({@link System#nanoTime()});
     * a decode on this thread waits for memory until then. The server sets it as each request starts.
     */
    public static void deadline(long nanoTime) {
        long[] d = DEADLINE.get();
        if (d == null) {
            DEADLINE.set(new long[] {nanoTime});
        } else {
            d[0] = nanoTime;
        }
    }

    /** As {@link #decode(byte[], String, long, int, int)}, reserving from {@code budget} until {@code deadline}. */
    static byte[] decode(byte[] bytes, String where, long maxPixels, int height, int width, DecodeBudget budget,
                         long deadline) {
        if (bytes.length == 0) {
            throw new ApiError(400, where + " is empty (0 bytes); expected the contents of a JPEG, PNG, BMP or GIF"
                    + " image file");
        }
        Format f = sniff(bytes);
        if (f == null) {
            throw new ApiError(415, where + ": not a JPEG, PNG, BMP or GIF image (its first bytes are "
                    + preview(bytes) + "); send the image file's bytes as they are");
        }
        long[] size = dimensions(bytes, f, where);
        if (size[0] * size[1] > maxPixels) {
            throw new ApiError(413, String.format(Locale.ROOT, "%s: a %s of %d × %d pixels (%,d) exceeds the"
                    + " server's limit of %,d pixels (--max-pixels); send a smaller image", where, f, size[0],
                    size[1], size[0] * size[1], maxPixels));
        }
        long need = size[0] * size[1] * BYTES_PER_DECODED_PIXEL;
        long held = reserve(budget, need, deadline, where, f, size);
        try {
            return ImageFolder.readRgb(bytes, where, height, width);
        } catch (FoveaException e) {
            throw new ApiError(400, e.getMessage() + " (received " + bytes.length + " bytes starting as a " + f + ")");
        } finally {
            budget.release(held);
        }
    }

    private static long reserve(DecodeBudget budget, long need, long deadline, String where, Format f, long[] size) {
        long waitStart = System.nanoTime();
        long held;
        try {
            held = budget.reserve(need, deadline);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ApiError(503, "the server is stopping; retry", 1);
        }
        if (held < 0) {
            throw new ApiError(503, String.format(Locale.ROOT, "%s: decoding this %d × %d %s needs about %,d MB,"
                    + " and images other requests are decoding hold the server's decode memory (%,d MB, half the"
                    + " heap) past this request's deadline (%,d ms waited, --timeout-ms); retry shortly or send a"
                    + " smaller image", where, size[0], size[1], f, mb(need), mb(budget.capacity()),
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - waitStart)), 1);
        }
        return held;
    }

    private static long mb(long bytes) {
        return (bytes + (1 << 20) - 1) >> 20;
    }

    /** {width, height} from the header alone, through the format's ImageIO reader. */
    private static long[] dimensions(byte[] bytes, Format f, String where) {
        Iterator<ImageReader> readers = ImageIO.getImageReadersByFormatName(f.reader);
        if (!readers.hasNext()) {
            throw new IllegalStateException("no javax.imageio reader for " + f);
        }
        ImageReader reader = readers.next();
        try (ImageInputStream in = ImageIO.createImageInputStream(new ByteArrayInputStream(bytes))) {
            reader.setInput(in, true, true);
            long w = reader.getWidth(0);
            long h = reader.getHeight(0);
            if (w < 1 || h < 1) {
                throw new ApiError(400, where + ": the " + f + " header gives a size of " + w + " × " + h
                        + "; expected a positive width and height");
            }
            return new long[] {w, h};
        } catch (IOException | RuntimeException e) {
            if (e instanceof ApiError a) {
                throw a;
            }
            throw new ApiError(400, where + ": starts as a " + f + " but its header cannot be read ("
                    + e.getMessage() + "); the file is corrupt or truncated (" + bytes.length + " bytes received)");
        } finally {
            reader.dispose();
        }
    }

    private static String preview(byte[] b) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < Math.min(8, b.length); i++) {
            sb.append(String.format(Locale.ROOT, "%02x", b[i] & 0xFF)).append(i + 1 < Math.min(8, b.length) ? " " : "");
        }
        return sb.toString();
    }
}
