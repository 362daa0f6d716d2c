package dev.fovea.cli;

import dev.fovea.run.Check;
import dev.fovea.serve.InferenceServer;
import dev.fovea.serve.ServeOptions;
import dev.fovea.interop.ModelFiles;
import dev.fovea.interop.Preprocessing;
import dev.fovea.serve.ServedModel;
import dev.fovea.serve.WebPage;
import dev.fovea.tensor.Parallel;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code fovea serve --model [NAME=]PATH...}: the models behind HTTP ({@link InferenceServer}) with
 * the web page ({@link WebPage}), until Ctrl-C. Options are checked and every model loaded before the port is opened, so a
 * typo fails at once with exit code 2.
 */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = "Serves trained models over HTTP: a web page at /, the Open Inference Protocol (KServe v2) under"
                + " /v2, image uploads and Grad-CAM explanations under /v1, Prometheus metrics at /metrics. Stops on"
                + " Ctrl-C.")
final class ServeCommand implements Callable<Integer> {
    /** Route-safe model names: they appear in URLs. */
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");

    @Spec
    CommandSpec spec;

    @Mixin
    PreprocessingOptions preprocessing = new PreprocessingOptions();

    @Option(names = "--model", required = true, paramLabel = "[NAME=]PATH",
            description = "A model file (.safetensors; or a Keras .keras or .h5 with --rescale or --normalize) or a"
                    + " run folder; repeat for several models. NAME is the model's name"
                    + " in URLs (default: the file name without .safetensors, or the run folder's name).")
    List<String> models;

    @Option(names = "--port", paramLabel = "PORT", defaultValue = "8080",
            description = "TCP port; 0 picks a free one. Default: ${DEFAULT-VALUE}.")
    int port;

    @Option(names = "--host", paramLabel = "HOST", defaultValue = "127.0.0.1",
            description = "Address to listen on; 0.0.0.0 for every interface. Default: ${DEFAULT-VALUE}.")
    String host;

    @Option(names = "--max-batch", paramLabel = "N", defaultValue = "64",
            description = "Most images in one forward pass. Default: ${DEFAULT-VALUE}.")
    int maxBatch;

    @Option(names = "--max-delay-ms", paramLabel = "MS", defaultValue = "5",
            description = "How long a request waits for others to share its forward pass. Default: ${DEFAULT-VALUE}.")
    int maxDelay;

    @Option(names = "--threads", paramLabel = "N",
            description = "Threads of the compute pool (default: FOVEA_THREADS, else every core).")
    Integer threads;

    @Option(names = "--queue", paramLabel = "N", defaultValue = "256",
            description = "Requests waiting per model before the server answers 503. Default: ${DEFAULT-VALUE}.")
    int queue;

    @Option(names = "--max-body-mb", paramLabel = "MB", defaultValue = "20",
            description = "Largest request body, in MiB (413 above). Default: ${DEFAULT-VALUE}.")
    int maxBodyMb;

    @Option(names = "--max-pixels", paramLabel = "N", defaultValue = "40000000",
            description = "Largest image, width × height, checked from its header before decoding (413 above)."
                    + " Default: ${DEFAULT-VALUE}.")
    long maxPixels;

    @Option(names = "--timeout-ms", paramLabel = "MS", defaultValue = "30000",
            description = "Longest wait for a model's answer (504 after). Default: ${DEFAULT-VALUE}.")
    long timeoutMs;

    @Option(names = "--read-timeout-ms", paramLabel = "MS", defaultValue = "30000",
            description = "Longest time for a request's body to arrive, from the request's start (408 after, so a"
                    + " client sending a byte at a time cannot hold the server). Default: ${DEFAULT-VALUE}.")
    long readTimeoutMs;

    @Override
    public Integer call() throws InterruptedException {
        ServeOptions options = options();
        Map<String, Path> named = modelPaths(models);
        Preprocessing pre = preprocessing.get();
        List<Path> imported = named.values().stream().filter(ModelFiles::needsPreprocessing).toList();
        if (pre != null && imported.isEmpty()) {
            throw new UserError(pre.text() + " is for .keras and .h5 model files, and none is served; a Fovea model"
                    + " file records its own preprocessing: drop the option");
        }
        if (pre == null && !imported.isEmpty()) {
            ModelFiles.load(imported.get(0), null); // the one-line error saying which option to pass
        }
        if (threads != null) {
            Parallel.setThreads(threads);
        }
        // Reading the model files overlaps setting up the HTTP server: each is about half the start-up time.
        CompletableFuture<List<ServedModel>> loading = CompletableFuture.supplyAsync(() -> {
            List<ServedModel> l = new ArrayList<>();
            for (Map.Entry<String, Path> e : named.entrySet()) {
                Path p = e.getValue();
                // Keras files take --rescale/--normalize; Fovea files keep the preprocessing they record.
                l.add(ModelFiles.needsPreprocessing(p) ? ServedModel.of(e.getKey(), p, ModelFiles.load(p, pre))
                        : ServedModel.load(e.getKey(), p));
            }
            return l;
        });
        InferenceServer server;
        try {
            server = InferenceServer.start(options, loading, List.of(new WebPage()), System.err);
        } catch (RuntimeException e) {
            if (!(root(e) instanceof java.io.IOException) || e instanceof java.io.UncheckedIOException
                    || e instanceof dev.fovea.FoveaException) {
                throw e;
            }
            throw new UserError("cannot listen on " + host + ":" + port + " (" + root(e) + "); pick another"
                    + " --port (0 picks a free one) or stop the program using it");
        }
        List<ServedModel> loaded = loading.join();
        CountDownLatch stop = new CountDownLatch(1);
        Interrupts.onCtrlC("\nCtrl-C: stopping the server (press again to quit at once)", stop::countDown);
        PrintWriter out = spec.commandLine().getOut();
        out.println("fovea serve: listening on " + server.url() + String.format(Locale.ROOT,
                " (ready %.2f s after the JVM started)", ManagementFactory.getRuntimeMXBean().getUptime() / 1000.0));
        for (ServedModel m : loaded) {
            out.printf(Locale.ROOT, "  %s  %s  %d×%d×%d, %d classes  POST %s/v1/models/%s/predict%n", m.name(),
                    m.file().getFileName(), m.height(), m.width(), m.channels(), m.classes(), server.url(), m.name());
        }
        out.println("web page at " + server.url() + "/, metrics at " + server.url() + "/metrics; Ctrl-C stops");
        out.flush();
        try {
            stop.await();
        } finally {
            server.close();
            Interrupts.clear();
        }
        out.println("fovea serve: stopped");
        out.flush();
        return 0;
    }

    private ServeOptions options() {
        Check.between("--port", port, 0, 65535, "TCP port; 0 picks a free one");
        Check.between("--max-batch", maxBatch, 1, 4096, "images per forward pass");
        Check.between("--max-delay-ms", maxDelay, 0, 10_000, "milliseconds a batch waits to fill");
        Check.positive("--threads", threads, "compute threads");
        Check.between("--queue", queue, 1, 1_000_000, "waiting requests per model");
        Check.between("--max-body-mb", maxBodyMb, 1, 2047, "MiB per request body");
        if (maxPixels < 1) {
            throw new UserError("--max-pixels " + maxPixels + ": expected a whole number ≥ 1 (width × height of"
                    + " the largest image), received " + maxPixels);
        }
        if (timeoutMs < 1) {
            throw new UserError("--timeout-ms " + timeoutMs + ": expected a whole number ≥ 1 (milliseconds), received "
                    + timeoutMs);
        }
        if (readTimeoutMs < 1) {
            throw new UserError("--read-timeout-ms " + readTimeoutMs + ": expected a whole number ≥ 1 (milliseconds),"
                    + " received " + readTimeoutMs);
        }
        if (host.isBlank()) {
            throw new UserError("--host is empty; expected an address such as 127.0.0.1 or 0.0.0.0");
        }
        return new ServeOptions(host, port, maxBatch, maxDelay, queue, (long) maxBodyMb << 20, maxPixels, timeoutMs,
                readTimeoutMs);
    }

    /** NAME=PATH or PATH, each checked: a route-safe unique name and an existing file or run folder. */
    static Map<String, Path> modelPaths(List<String> specs) {
        Map<String, Path> named = new LinkedHashMap<>();
        for (String s : specs) {
            int eq = s.indexOf('=');
            String name = null;
            String path = s;
            if (eq > 0 && !Files.exists(Path.of(s))) {
                name = s.substring(0, eq);
                path = s.substring(eq + 1);
                if (!NAME.matcher(name).matches()) {
                    throw new UserError("--model " + s + ": the name '" + name + "' is not usable in URLs; expected"
                            + " letters, digits, '.', '_' or '-', starting with a letter or digit");
                }
            }
            Path p = Path.of(path);
            if (!Files.exists(p)) {
                throw new UserError("--model " + s + ": no such file or folder " + path + "; pass a model file"
                        + " written by 'fovea train' or its run folder");
            }
            if (Files.isDirectory(p) && !Files.isRegularFile(p.resolve(ServedModel.RUN_MODEL))) {
                throw new UserError("--model " + s + ": the folder has no " + ServedModel.RUN_MODEL
                        + "; pass a model file or a run folder written by 'fovea train --out DIR'");
            }
            if (name == null) {
                name = ServedModel.defaultName(p);
                if (!NAME.matcher(name).matches()) {
                    throw new UserError("--model " + s + ": the name '" + name + "' taken from the file is not usable"
                            + " in URLs; name it with --model NAME=" + path);
                }
            }
            if (named.containsKey(name)) {
                throw new UserError("--model " + s + ": a second model named '" + name + "' (the first is "
                        + named.get(name) + "); give each a name with --model NAME=PATH");
            }
            named.put(name, p);
        }
        return named;
    }

    private static Throwable root(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t;
    }
}
