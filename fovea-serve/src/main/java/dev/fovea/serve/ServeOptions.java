package dev.fovea.serve;

/**
 * How a server listens and what it accepts; {@code fovea serve}'s options. Values are checked
 * by the caller (the CLI says which option is wrong); the record only rejects impossible ones.
 *
 * @param port 0 picks a free port
 * @param maxBatch most images in one forward pass
 * @param maxDelayMillis how long the first request of a batch waits for others
 * @param queue queued requests per model before 503
 * @param maxBodyBytes largest request body before 413
 * @param maxPixels largest decoded width·height of one image before 413
 * @param timeoutMillis longest wait for an answer (and for decode memory) before 504 (503)
 * @param readTimeoutMillis longest time for a request's body to arrive, from the request's start, before 408
 */
public record ServeOptions(String host, int port, int maxBatch, int maxDelayMillis, int queue, long maxBodyBytes,
                           long maxPixels, long timeoutMillis, long readTimeoutMillis) {
    public ServeOptions {
        if (port < 0 || port > 65535 || maxBatch < 1 || maxDelayMillis < 0 || queue < 1 || maxBodyBytes < 1
                || maxPixels < 1 || timeoutMillis < 1 || readTimeoutMillis < 1) {
            throw new IllegalArgumentException("invalid serve options " + this);
        }
    }

    /** The CLI's defaults on 127.0.0.1 and the given port. */
    public static ServeOptions defaults(int port) {
        return new ServeOptions("127.0.0.1", port, 64, 5, 256, 20L << 20, 40_000_000L, 30_000, 30_000);
    }

    public ServeOptions withQueue(int q) {
        return new ServeOptions(host, port, maxBatch, maxDelayMillis, q, maxBodyBytes, maxPixels, timeoutMillis,
                readTimeoutMillis);
    }

    public ServeOptions withLimits(long body, long pixels, long timeout) {
        return new ServeOptions(host, port, maxBatch, maxDelayMillis, queue, body, pixels, timeout, readTimeoutMillis);
    }

    public ServeOptions withBatching(int batch, int delayMillis) {
        return new ServeOptions(host, port, batch, delayMillis, queue, maxBodyBytes, maxPixels, timeoutMillis,
                readTimeoutMillis);
    }

    public ServeOptions withReadTimeout(long millis) {
        return new ServeOptions(host, port, maxBatch, maxDelayMillis, queue, maxBodyBytes, maxPixels, timeoutMillis,
                millis);
    }
}
