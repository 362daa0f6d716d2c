package dev.fovea.serve;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The server's Prometheus metrics, in a registry of its own (so two servers in one JVM, as in
 * tests, never share counts): requests by route template, method and status, request latency,
 * images per forward pass and queue depth per model. Exposed by {@link #scrape()} in the text
 * format 0.0.4.
 */
public final class ServerMetrics {
    /** Batch-size buckets: powers of two up to the largest sensible --max-batch. */
    private static final double[] BATCH_BOUNDS = {1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024};
    private static final double[] LATENCY_BOUNDS = {.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30};

    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final Counter requests;
    private final Histogram latency;
    private final Histogram batchSize;
    private final PrometheusTextFormatWriter writer = PrometheusTextFormatWriter.create();

    private final List<Batcher> batchers = new CopyOnWriteArrayList<>();

    public ServerMetrics() {
        requests = Counter.builder().name("fovea_http_requests_total")
                .help("HTTP requests answered, by route template, method and status code")
                .labelNames("route", "method", "status").register(registry);
        latency = Histogram.builder().name("fovea_http_request_duration_seconds")
                .help("Time from receiving a request to answering it, by route template")
                .labelNames("route").classicOnly().classicUpperBounds(LATENCY_BOUNDS).register(registry);
        batchSize = Histogram.builder().name("fovea_batch_size")
                .help("Images per forward pass formed by dynamic batching, by model")
                .labelNames("model").classicOnly().classicUpperBounds(BATCH_BOUNDS).register(registry);
        GaugeWithCallback.builder().name("fovea_queue_depth")
                .help("Requests (or parts of split requests) waiting for a model's inference thread")
                .labelNames("model")
                .callback(cb -> {
                    for (Batcher b : batchers) {
                        cb.call(b.queueDepth(), b.model().name());
                    }
                }).register(registry);
    }

    /** Reports {@code b}'s queue depth from now on. */
    public void watch(Batcher b) {
        batchers.add(b);
    }

    /** Counts one answered request. */
    public void request(String route, String method, int status, double seconds) {
        requests.labelValues(route, method, Integer.toString(status)).inc();
        latency.labelValues(route).observe(seconds);
    }

    /** Records one forward pass of {@code images} for {@code model}; called on its worker thread. */
    public void batch(String model, int images) {
        batchSize.labelValues(model).observe(images);
    }

    /** Every metric in the Prometheus text format. */
    public byte[] scrape() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            writer.write(out, registry.scrape());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    public String contentType() {
        return writer.getContentType();
    }
}
