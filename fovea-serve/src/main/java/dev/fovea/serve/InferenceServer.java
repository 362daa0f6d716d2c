package dev.fovea.serve;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fovea.nn.Model;
import io.javalin.Javalin;
import io.javalin.config.JavalinConfig;
import io.javalin.config.SizeUnit;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

/**
 * The HTTP server: one {@link Batcher} per model, the Open Inference Protocol routes
 * ({@link OpenInferenceRoutes}), the convenience routes ({@link ConvenienceRoutes}), metrics and
 * the access log, on Javalin (Jetty 12). Every failure is answered as {@code {"error": "..."}}
 * with a JSON content type; no stack trace reaches a client.
 *
 * <p>Other features add routes and static resources through {@link Extension}s given to
 * {@link #start}, and reach a model exclusively through {@link #runExclusive}.
 * Lifecycle: {@link #start} (listening when it returns) → {@link #close}.
 */
public final class InferenceServer implements AutoCloseable {
    /** Adds routes or static files to the server before it starts (the web page); Grad-CAM is built in ({@code ExplainRoute}). */
    public interface Extension {
        /** Called once, with the server's models ready; register on {@code config.routes}, {@code config.staticFiles}. */
        void configure(JavalinConfig config, InferenceServer server);
    }

    static final ObjectMapper JSON = new ObjectMapper();
    private static final String BYTES = "fovea.bytes";
    private static final String STARTED = "fovea.started";

    private final ServeOptions options;
    private final Map<String, Batcher> batchers = new LinkedHashMap<>();
    private final ServerMetrics metrics = new ServerMetrics();
    private final PrintStream log;
    private Javalin app;

    private InferenceServer(ServeOptions options, PrintStream log) {
        this.options = options;
        this.log = log;
    }

    /**
     * Starts a batcher per model and the HTTP server; returns once it listens.
     *
     * @param log receives the access log, one line per request
     */
    public static InferenceServer start(ServeOptions options, List<ServedModel> models, List<Extension> extensions,
                                        PrintStream log) {
        return start(options, CompletableFuture.completedFuture(models), extensions, log);
    }

    /**
     * As {@link #start(ServeOptions, List, List, PrintStream)} with the models still loading:
     * the HTTP server is set up meanwhile (about half of the start-up time each), and extensions
     * are configured once the models are there. A model that fails to load fails the start with
     * its own exception.
     */
    public static InferenceServer start(ServeOptions options, CompletableFuture<List<ServedModel>> models,
                                        List<Extension> extensions, PrintStream log) {
        InferenceServer s = new InferenceServer(options, log);
        try {
            s.app = Javalin.create(config -> s.configure(config, models, extensions)).start(options.host(),
                    options.port());
            return s;
        } catch (RuntimeException e) {
            s.close();
            throw e;
        }
    }

    private void attach(List<ServedModel> models) {
        for (ServedModel m : models) {
            if (batchers.containsKey(m.name())) {
                throw new IllegalArgumentException("two models are named " + m.name());
            }
            Batcher b = new Batcher(m, options.maxBatch(), options.maxDelayMillis(), options.queue(),
                    n -> metrics.batch(m.name(), n));
            b.waitOnlyForArrivals(); // every classifying route announces its request (Batcher.arrive)
            batchers.put(m.name(), b);
            metrics.watch(b);
        }
    }

    private static List<ServedModel> await(CompletableFuture<List<ServedModel>> models) {
        try {
            return models.join();
        } catch (java.util.concurrent.CompletionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw e;
        }
    }

    private void configure(JavalinConfig config, CompletableFuture<List<ServedModel>> models,
                           List<Extension> extensions) {
        config.startup.showJavalinBanner = false;
        config.startup.showOldJavalinVersionWarning = false;
        config.http.maxRequestSize = options.maxBodyBytes();
        config.http.prefer405over404 = true;
        config.jetty.multipartConfig.maxTotalRequestSize(options.maxBodyBytes(), SizeUnit.BYTES);
        config.jetty.multipartConfig.maxFileSize(options.maxBodyBytes(), SizeUnit.BYTES);
        config.jetty.multipartConfig.maxInMemoryFileSize((int) Math.min(Integer.MAX_VALUE, options.maxBodyBytes()),
                SizeUnit.BYTES);
        // Bodies hold decode memory and must arrive by --read-timeout-ms (BodyGuard); Javalin
        // attaches its servlet handler behind it.
        config.jetty.modifyServer(server -> server.insertHandler(new BodyGuard(ImageInput.BUDGET, options)));
        config.routes.before(ctx -> {
            long started = System.nanoTime();
            ctx.attribute(STARTED, started);
            ImageInput.deadline(started + TimeUnit.MILLISECONDS.toNanos(options.timeoutMillis()));
            long declared = ctx.req().getContentLengthLong();
            if (declared > options.maxBodyBytes()) {
                throw new ApiError(413, String.format(Locale.ROOT, "request body of %,d bytes exceeds the server's"
                        + " limit of %,d bytes (--max-body-mb); send fewer or smaller images per request",
                        declared, options.maxBodyBytes()));
            }
            if (ctx.attribute(BodyGuard.REFUSED) instanceof String refused) {
                throw new ApiError(503, refused, 1);
            }
        });
        config.routes.exception(ApiError.class, (e, ctx) -> error(ctx, e.status(), e.getMessage(), e.retryAfterSeconds()));
        config.routes.exception(HttpResponseException.class, (e, ctx) -> error(ctx, e.getStatus(),
                javalinMessage(ctx, e), 0));
        config.routes.exception(Exception.class, (e, ctx) -> {
            BodyGuard.BodyTimeout late = cause(e, BodyGuard.BodyTimeout.class);
            if (late != null) {
                error(ctx, 408, late.getMessage(), 0);
                return;
            }
            log.println("internal error on " + ctx.method() + " " + ctx.path() + ": " + e);
            e.printStackTrace(log);
            error(ctx, 500, "internal error while answering " + ctx.method() + " " + ctx.path()
                    + " (" + e.getClass().getSimpleName() + "); the server log has the details", 0);
        });
        config.requestLogger.http((ctx, ms) -> accessLog(ctx, ms));
        new OpenInferenceRoutes(this).register(config.routes);
        new ConvenienceRoutes(this).register(config.routes);
        new ExplainRoute(this).register(config.routes);
        config.routes.get("/metrics", ctx -> {
            byte[] body = metrics.scrape();
            ctx.attribute(BYTES, body.length);
            ctx.contentType(metrics.contentType()).result(body);
        });
        attach(await(models));
        for (Extension e : extensions) {
            e.configure(config, this);
        }
    }

    /** The first throwable of type {@code type} in {@code e}'s cause chain, or null. */
    private static <T extends Throwable> T cause(Throwable e, Class<T> type) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (type.isInstance(t)) {
                return type.cast(t);
            }
        }
        return null;
    }

    /** Javalin's own refusals (no route, wrong method, body too large) in the server's words. */
    private String javalinMessage(Context ctx, HttpResponseException e) {
        return switch (e.getStatus()) {
            case 404 -> "no route " + ctx.method() + " " + ctx.path() + "; routes are under /v2 (Open Inference"
                    + " Protocol), /v1/models and /metrics";
            case 405 -> "method " + ctx.method() + " is not allowed on " + ctx.path() + "; use "
                    + (ctx.path().endsWith("/infer") || ctx.path().endsWith("/predict")
                    || ctx.path().endsWith("/explain") ? "POST" : "GET");
            case 413 -> String.format(Locale.ROOT, "request body exceeds the server's limit of %,d bytes"
                    + " (--max-body-mb); send fewer or smaller images per request", options.maxBodyBytes());
            default -> e.getMessage() + " (" + ctx.method() + " " + ctx.path() + ")";
        };
    }

    /** Answers {@code {"error": message}}. */
    static void error(Context ctx, int status, String message, int retryAfter) {
        if (retryAfter > 0) {
            ctx.header("Retry-After", Integer.toString(retryAfter));
        }
        json(ctx, status, Map.of("error", message));
    }

    /** Answers {@code body} as JSON. */
    static void json(Context ctx, int status, Object body) {
        byte[] bytes;
        try {
            bytes = JSON.writeValueAsBytes(body);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write a response as JSON", e);
        }
        ctx.attribute(BYTES, bytes.length);
        ctx.status(status).contentType("application/json").result(bytes);
    }

    private void accessLog(Context ctx, Float ms) {
        String route;
        try {
            route = ctx.endpoint().path;
        } catch (RuntimeException e) {
            route = "*";
        }
        Object bytes = ctx.attribute(BYTES);
        if (bytes == null) {
            String h = ctx.res().getHeader("Content-Length");
            bytes = h == null ? "-" : h;
        }
        int status = ctx.status().getCode();
        metrics.request(route, ctx.method().name(), status, ms / 1000.0);
        log.printf(Locale.ROOT, "%s %s %d %.1fms %s%n", ctx.method(), ctx.path(), status, ms, bytes);
    }

    /** The batcher of model {@code name}, or a 404 that lists the served models. */
    public Batcher batcher(String name) {
        Batcher b = batchers.get(name);
        if (b == null) {
            throw new ApiError(404, "unknown model '" + name + "'; this server serves " + String.join(", ",
                    batchers.keySet()));
        }
        return b;
    }

    /** Every model's batcher, in the order given to {@link #start}. */
    public Map<String, Batcher> batchers() {
        return Collections.unmodifiableMap(batchers);
    }

    /**
     * Class probabilities of {@code n} preprocessed images through the model's batcher, waiting
     * at most the request timeout.
     *
     * @param x (n,H,W,C); not modified
     * @return (n,K)
     * @throws ApiError 503 with Retry-After when the queue is full, 504 on timeout
     */
    public float[] classify(Batcher b, float[] x, int n) {
        return await(b, () -> b.submit(x, n));
    }

    /** As {@link #classify(Batcher, float[], int)}, ending the request's {@link Batcher.Arrival}. */
    public float[] classify(Batcher b, Batcher.Arrival arrival, float[] x, int n) {
        return await(b, () -> arrival.submit(x, n));
    }

    /**
     * Runs {@code job} on model {@code name}'s inference thread, alone with the model (its
     * buffers are not shared with a concurrent batch), waiting at most the request timeout.
     */
    public <T> T runExclusive(String name, Function<Model, T> job) {
        Batcher b = batcher(name);
        return await(b, () -> b.run(job));
    }

    private <T> T await(Batcher b, java.util.function.Supplier<CompletableFuture<T>> submit) {
        CompletableFuture<T> f;
        try {
            f = submit.get();
        } catch (Batcher.QueueFullException e) {
            throw new ApiError(503, e.getMessage(), 1);
        }
        try {
            return f.get(options.timeoutMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            f.cancel(false); // a queued request that nobody waits for is skipped by the worker
            throw new ApiError(504, String.format(Locale.ROOT, "model %s did not answer within %,d ms (--timeout-ms);"
                    + " %d requests are queued; retry later or with fewer images", b.model().name(),
                    options.timeoutMillis(), b.queueDepth()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ApiError(503, "the server is stopping", 1);
        } catch (CancellationException e) {
            throw new ApiError(503, "the request was cancelled; retry", 1);
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof ApiError a) {
                throw a;
            }
            if (c instanceof RuntimeException r) {
                throw r;
            }
            throw new IllegalStateException(c);
        }
    }

    public ServeOptions options() {
        return options;
    }

    public ServerMetrics metrics() {
        return metrics;
    }

    /** The port listened on (the free one picked for port 0). */
    public int port() {
        return app.port();
    }

    /** {@code http://host:port}. */
    public String url() {
        String h = options.host().contains(":") ? "[" + options.host() + "]" : options.host();
        return "http://" + h + ":" + port();
    }

    /** Models' names in order. */
    public List<String> modelNames() {
        return new ArrayList<>(batchers.keySet());
    }

    /** Stops listening, then each model's worker; requests still queued fail. */
    @Override
    public void close() {
        if (app != null) {
            app.stop();
        }
        for (Batcher b : batchers.values()) {
            b.close();
        }
    }
}
