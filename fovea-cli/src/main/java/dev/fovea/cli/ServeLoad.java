package dev.fovea.cli;

import dev.fovea.data.Cifar10;
import dev.fovea.data.Dataset;
import dev.fovea.data.Splits;
import dev.fovea.io.ModelFile;
import dev.fovea.run.Check;
import dev.fovea.serve.ServedModel;
import dev.fovea.tensor.Parallel;
import dev.fovea.tensor.Rng;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * {@code fovea bench --serve}: checks the options, resolves the model and the images, measures
 * the model's batch-256 throughput and batch-1 latency without HTTP ({@link BenchFigures}), then
 * runs {@link ServeBench} at each client count and prints {@code NAME=VALUE} lines and a table.
 * Exit code 1 when any request failed (the first failure is printed), else 0.
 */
final class ServeLoad {
    /** Options that mean nothing without --serve. */
    static final List<String> SERVE_ONLY = List.of("--clients", "--seconds", "--warmup-seconds", "--max-batch",
            "--max-delay-ms", "--route", "--data");
    /** Distinct request bodies the clients cycle through. */
    static final int IMAGES = 256;
    private static final int MAX_CLIENTS = 1024;

    private final BenchCommand c;

    ServeLoad(BenchCommand c) {
        this.c = c;
    }

    /** Validates every option before any work: the same words as every other command ({@link Check}). */
    void check() {
        if (c.peakOnly || c.profile || c.peer != null) {
            throw new UserError("--serve measures the server alone; drop --peak, --profile and --peer, or drop --serve");
        }
        Set<Integer> seen = new HashSet<>();
        for (Integer n : c.clients) {
            Check.between("--clients", n, 1, MAX_CLIENTS, "concurrent client threads");
            if (!seen.add(n)) {
                throw new UserError("--clients " + joined(c.clients) + ": " + n + " is given twice; expected each"
                        + " client count once, e.g. --clients 1,8,64");
            }
        }
        Check.between("--seconds", c.seconds, 1, 3600, "measured seconds per client count");
        Check.range("--warmup-seconds", c.warmupSeconds, 0, 600, true, "untimed seconds before each measurement");
        Check.between("--max-batch", c.maxBatch, 1, 4096, "images per forward pass");
        Check.between("--max-delay-ms", c.maxDelay, 0, 10_000, "milliseconds a batch waits to fill");
        Check.positive("--infer-batch-size", c.inferBatch, "images per inference batch");
        Check.positive("--infer-batches", c.inferBatches, "timed inference batches");
        Check.positive("--calls", c.calls, "timed batch-1 calls");
        if (c.data != null && !Files.exists(c.data)) {
            throw new UserError("--data " + c.data + ": no such file or folder; expected the CIFAR-10 binary archive,"
                    + " e.g. ../shared/datasets/cifar-10-binary.tar.gz");
        }
        if (c.data != null && !Cifar10.recognizes(c.data)) {
            throw new UserError("--data " + c.data + ": not CIFAR-10 binary data; expected cifar-10-binary.tar.gz,"
                    + " its folder or a .bin batch");
        }
    }

    private static String joined(List<Integer> l) {
        return String.join(",", l.stream().map(String::valueOf).toList());
    }

    /** The served model: a preset with fresh weights, or a model file or run folder. */
    ServedModel model() {
        String spec = c.model == null ? "tutorial-cnn" : c.model;
        if (Models.isPreset(spec)) {
            return ServedModel.of(spec, Path.of(spec + ".safetensors"),
                    new ModelFile.Loaded(BenchCommand.preset(spec), ModelFile.Info.of(List.of())));
        }
        if (!Files.exists(Path.of(spec))) {
            throw new UserError("--model " + spec + ": neither a preset (" + String.join(", ",
                    dev.fovea.nn.Presets.names()) + ") nor an existing model file; check the spelling or the path");
        }
        Map.Entry<String, Path> named = ServeCommand.modelPaths(List.of(spec)).entrySet().iterator().next();
        return ServedModel.load(named.getKey(), named.getValue());
    }

    /** {@link #IMAGES} images as the clients send them: CIFAR-10 test images, or seeded random pixels. */
    private byte[] images(ServedModel m, int[] hwc) {
        if (c.data != null) {
            if (c.route == ServeBench.Route.infer && (m.height() != 32 || m.width() != 32 || m.channels() != 3)) {
                throw new UserError("--data sends CIFAR-10's 32×32×3 images, but model " + m.name() + " takes "
                        + m.height() + "×" + m.width() + "×" + m.channels() + " tensors on the infer route; drop"
                        + " --data (random images of the model's shape) or use --route predict (the server resizes)");
            }
            Splits s = Cifar10.load(c.data);
            Dataset d = s.test() != null ? s.test() : s.train();
            int n = Math.min(IMAGES, d.size());
            return Arrays.copyOf(d.images(), n * d.imageBytes());
        }
        byte[] px = new byte[IMAGES * hwc[0] * hwc[1] * hwc[2]];
        new Random(3).nextBytes(px);
        return px;
    }

    int run(PrintWriter out, PrintWriter err) throws InterruptedException {
        check();
        ServedModel m = model();
        if (c.route == ServeBench.Route.predict && m.channels() != 3) {
            throw new UserError("--route predict sends RGB images, but model " + m.name() + " takes " + m.channels()
                    + " channels; use --route infer");
        }
        // The predict route's images are CIFAR-sized photos the server resizes; infer sends the model's own shape.
        int[] hwc = c.route == ServeBench.Route.predict ? new int[] {32, 32, 3}
                : new int[] {m.height(), m.width(), m.channels()};
        byte[] px = images(m, hwc);
        int n = px.length / (hwc[0] * hwc[1] * hwc[2]);
        out.printf(Locale.ROOT, "fovea=%s java=%s threads=%d cores=%d model=%s route=%s%n", TrainCommand.version(),
                System.getProperty("java.version"), Parallel.threads(), Runtime.getRuntime().availableProcessors(),
                m.name(), c.route);
        out.println(BenchCommand.jdkFields());
        out.printf(Locale.ROOT, "images=%s clients=%s seconds=%d max_batch=%d max_delay_ms=%d%n",
                c.data != null ? "cifar10-test" : "random", joined(c.clients), c.seconds, c.maxBatch, c.maxDelay);
        out.println("# clients and the server share this machine's cores: the figures are of both together");
        out.flush();
        // Before the server starts: from then on the model belongs to the batcher's thread.
        Map<String, Double> direct = BenchFigures.inference(m.model(), new Rng(2), c.inferBatch, c.inferBatches,
                c.calls, "");
        BenchCommand.print(out, "", direct);
        out.flush();
        Map<Integer, ServeBench.Level> levels = new LinkedHashMap<>();
        long errors = 0;
        try (ServeBench b = ServeBench.start(m, c.maxBatch, c.maxDelay, c.route, px, n, hwc[0], hwc[1], hwc[2])) {
            for (int clients : c.clients) {
                ServeBench.Level l = b.run(clients, c.warmupSeconds, c.seconds);
                levels.put(clients, l);
                errors += l.errors();
                figures(l).forEach((k, v) -> out.println(k + "=" + (k.endsWith("_requests") || k.endsWith("_batches")
                        || k.endsWith("_errors") ? Long.toString(v.longValue()) : BenchCommand.format(v))));
                out.flush();
            }
            table(out, levels, direct);
            if (errors > 0) {
                err.println("fovea bench --serve: " + errors + " requests failed; the first: " + b.firstError());
                err.flush();
                return 1;
            }
        }
        return 0;
    }

    /** {@code serve_cN_…} figures of one client count. */
    static Map<String, Double> figures(ServeBench.Level l) {
        String p = "serve_c" + l.clients() + "_";
        Map<String, Double> f = new LinkedHashMap<>();
        f.put(p + "requests", (double) l.requests());
        f.put(p + "requests_per_s", l.requestsPerSecond());
        f.put(p + "images_per_s", l.imagesPerSecond());
        f.put(p + "latency_p50_ms", l.p50Ms());
        f.put(p + "latency_p99_ms", l.p99Ms());
        f.put(p + "mean_batch", l.meanBatch());
        f.put(p + "batches", (double) l.batches());
        f.put(p + "errors", (double) l.errors());
        return f;
    }

    private void table(PrintWriter out, Map<Integer, ServeBench.Level> levels, Map<String, Double> direct) {
        out.println();
        out.printf(Locale.ROOT, "%8s %12s %10s %9s %9s %11s %7s%n", "clients", "requests/s", "images/s", "p50 ms",
                "p99 ms", "mean batch", "errors");
        for (ServeBench.Level l : levels.values()) {
            out.printf(Locale.ROOT, "%8d %12.1f %10.1f %9.3f %9.3f %11.2f %7d%n", l.clients(), l.requestsPerSecond(),
                    l.imagesPerSecond(), l.p50Ms(), l.p99Ms(), l.meanBatch(), l.errors());
        }
        out.printf(Locale.ROOT, "without HTTP, same model and run: batch-%d inference %.1f images/s, batch-1 forward"
                        + " %.3f ms (median)%n", c.inferBatch, direct.get("infer_images_per_second_batch" + c.inferBatch),
                direct.get("infer_latency_ms_batch1"));
        out.flush();
    }
}
