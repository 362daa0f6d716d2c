package dev.fovea.cli;

import dev.fovea.run.Check;
import dev.fovea.tensor.Parallel;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code fovea bench}: the measuring instrument of the tutorial CNN's speed. Prints, as
 * {@code NAME=VALUE} lines named like {@code shared/peers/pytorch_bench.py}'s, the Vector API's
 * FMA peak ({@code --peak}: only that), training and inference throughput, batch-1 latency, the
 * heap's peak and each throughput's share of the peak ({@link BenchFigures}, FLOPs from
 * {@link Flops}); {@code --profile} adds where one training step's time goes
 * ({@link StepProfiler}); {@code --peer} runs the peers right before and after ({@link Peers})
 * and prints the ratios. Wall-clock figures of one run: compare ratios, never figures across runs.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = {"Measures training and inference speed of the tutorial CNN against the machine's FMA peak.",
                "Prints NAME=VALUE lines as shared/peers/pytorch_bench.py does; --profile adds a per-layer table;",
                "--peer runs PyTorch and ONNX Runtime before and after and prints Fovea/peer ratios.",
                "--serve instead measures the HTTP server under load: concurrent clients each sending single images"
                        + " to a server started in this JVM. Clients and server share the machine's cores, so the"
                        + " figures are of both together."})
final class BenchCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--batch-size", paramLabel = "N", split = ",", defaultValue = "128,32",
            description = "Training batch sizes, comma-separated (default: ${DEFAULT-VALUE}); --profile uses the first.")
    List<Integer> batchSizes;

    @Option(names = "--steps", paramLabel = "N", defaultValue = "30",
            description = "Timed training steps per batch size, and profiled steps (default: ${DEFAULT-VALUE}).")
    int steps;

    @Option(names = "--infer-batch-size", paramLabel = "N", defaultValue = "256",
            description = "Inference batch size (default: ${DEFAULT-VALUE}).")
    int inferBatch;

    @Option(names = "--infer-batches", paramLabel = "N", defaultValue = "10",
            description = "Timed inference batches per thread count (default: ${DEFAULT-VALUE}).")
    int inferBatches;

    @Option(names = "--calls", paramLabel = "N", defaultValue = "200",
            description = "Timed batch-1 calls per thread count for the latency median and 99th percentile (default: ${DEFAULT-VALUE}).")
    int calls;

    @Option(names = "--peak-ms", paramLabel = "MS", defaultValue = "1000",
            description = "Duration of each FMA peak measurement, after a warm-up as long (default: ${DEFAULT-VALUE}).")
    int peakMillis;

    @Option(names = "--peak", description = "Print only the FMA peak, at 1 thread and at all.")
    boolean peakOnly;

    @Option(names = "--profile", description = "Add a table of where one training step's time goes, layer by layer.")
    boolean profile;

    @Option(names = "--model", paramLabel = "PRESET|FILE",
            description = "Preset that --profile times (default: tutorial-cnn); the NAME=VALUE figures are always the"
                    + " tutorial CNN's, the model the peers run. With --serve: the model served, a preset (fresh"
                    + " weights: speed does not depend on them) or a model file.")
    String model;

    @Option(names = "--serve", description = "Measure the inference server under load instead (see --clients).")
    boolean serve;

    @Option(names = "--clients", paramLabel = "N", split = ",", defaultValue = "1,8,64",
            description = "With --serve: concurrent clients, comma-separated, one measurement each; every client is a"
                    + " thread with one HTTP/1.1 connection sending one image per request (default: ${DEFAULT-VALUE}).")
    List<Integer> clients;

    @Option(names = "--seconds", paramLabel = "S", defaultValue = "10",
            description = "With --serve: measured seconds per client count (default: ${DEFAULT-VALUE}).")
    int seconds;

    @Option(names = "--warmup-seconds", paramLabel = "S", defaultValue = "1",
            description = "With --serve: untimed seconds before each measurement (default: ${DEFAULT-VALUE}).")
    double warmupSeconds;

    @Option(names = "--max-batch", paramLabel = "N", defaultValue = "64",
            description = "With --serve: the server's --max-batch (default: ${DEFAULT-VALUE}).")
    int maxBatch;

    @Option(names = "--max-delay-ms", paramLabel = "MS", defaultValue = "5",
            description = "With --serve: the server's --max-delay-ms (default: ${DEFAULT-VALUE}).")
    int maxDelay;

    @Option(names = "--route", paramLabel = "ROUTE", defaultValue = "infer",
            description = "With --serve: infer (POST /v2/models/NAME/infer, a UINT8 [1,H,W,C] JSON tensor) or predict"
                    + " (POST /v1/models/NAME/predict, PNG bytes) (default: ${DEFAULT-VALUE}).")
    ServeBench.Route route;

    @Option(names = "--data", paramLabel = "PATH",
            description = "With --serve: send CIFAR-10 test images from this archive or folder"
                    + " (e.g. ../shared/datasets/cifar-10-binary.tar.gz) instead of random pixels.")
    Path data;

    @Option(names = "--peer", paramLabel = "DIR", arity = "0..1", fallbackValue = "../shared/peers",
            description = "Also run the peers in DIR (pytorch_bench.py, onnxruntime/run.sh) before and after"
                    + " and print Fovea/peer ratios (default DIR: ${FALLBACK-VALUE}).")
    Path peer;

    @Override
    public Integer call() throws InterruptedException {
        if (serve) {
            return new ServeLoad(this).run(Console.lines(spec.commandLine().getOut(), Console.outIsTerminal()),
                    Console.lines(spec.commandLine().getErr(), Console.errIsTerminal()));
        }
        for (String o : ServeLoad.SERVE_ONLY) {
            if (spec.commandLine().getParseResult().hasMatchedOption(o)) {
                throw new UserError(o + " configures the load benchmark; add --serve, or drop " + o);
            }
        }
        for (Integer b : batchSizes) {
            Check.positive("--batch-size", b, "images per training step");
        }
        Check.positive("--steps", steps, "timed training steps");
        Check.positive("--infer-batch-size", inferBatch, "images per inference batch");
        Check.positive("--infer-batches", inferBatches, "timed inference batches");
        Check.positive("--calls", calls, "timed batch-1 calls");
        Check.positive("--peak-ms", peakMillis, "milliseconds per peak measurement");
        if (peakOnly && (profile || peer != null)) {
            throw new UserError("--peak prints the FMA peak only; drop --profile and --peer, or drop --peak");
        }
        if (peer != null && Files.isRegularFile(peer)) {
            Path folder = peer.toAbsolutePath().getParent();
            throw new UserError("--peer " + peer + ": expected the folder of the peers (pytorch_bench.py,"
                    + " onnxruntime/run.sh), received a file; pass --peer " + (folder == null ? "." : folder));
        }
        // NAME=VALUE lines have no spaces, so only the comments and headers are ever broken.
        PrintWriter out = Console.lines(spec.commandLine().getOut(), Console.outIsTerminal());
        int threads = Parallel.threads();
        out.printf(Locale.ROOT, "fovea=%s java=%s threads=%d batch_sizes=%s%n", TrainCommand.version(),
                System.getProperty("java.version"), threads, batchSizes);
        out.println(jdkFields());
        Peers peers = peer == null ? null : new Peers(peer, batchSizes, steps, threads, out);
        if (peers != null) {
            peers.runAll();
        }
        BenchFigures.resetPeakHeap();
        Map<String, Double> peak = BenchFigures.peak(peakMillis);
        print(out, "", peak);
        if (peakOnly) {
            out.flush();
            return 0;
        }
        Map<String, Double> ours = BenchFigures.measure(new BenchFigures.Settings(batchSizes, steps, inferBatch,
                inferBatches, calls, peakMillis));
        print(out, "", ours);
        var flops = Flops.of(BenchFigures.tutorialCnn());
        long train = Flops.training(flops);
        long forward = Flops.forward(flops);
        out.printf(Locale.ROOT, "gflop_per_image_forward=%.4f%ngflop_per_image_training=%.4f%n", forward / 1e9, train / 1e9);
        print(out, "", shares(ours, train, forward, peak));
        if (profile) {
            StepProfiler.Profile p = StepProfiler.run(profiled(), batchSizes.get(0), steps, BenchFigures.WARMUP_STEPS);
            StepProfiler.print(p, threads, out);
        }
        print(out, "", Map.of("peak_heap_mb", BenchFigures.peakHeapMb()));
        out.flush();
        if (peers != null) {
            peers.runAll();
            peers.medians().forEach((name, theirs) -> {
                if (theirs.isEmpty()) {
                    return;
                }
                out.println("# " + name + ": median of its runs before and after Fovea's");
                print(out, name + "_", theirs);
                print(out, name + "_", shares(theirs, train, forward, peak));
                out.println("# Fovea against " + name + " (above 1: Fovea is better; latency ratios are " + name
                        + " ms / Fovea ms)");
                print(out, "", Peers.ratios(name, ours, theirs));
            });
        }
        out.flush();
        return 0;
    }

    /** The model {@code --profile} times: the tutorial CNN, or the {@code --model} preset for CIFAR-10's shape. */
    private dev.fovea.nn.Model profiled() {
        if (model != null && !Models.isPreset(model)) {
            throw new UserError("--model " + model + ": not a preset; expected one of "
                    + String.join(", ", dev.fovea.nn.Presets.names()));
        }
        return preset(model == null ? "tutorial-cnn" : model);
    }

    /** A preset for CIFAR-10's shape with fresh weights: the tutorial CNN exactly as the figures time it. */
    static dev.fovea.nn.Model preset(String name) {
        if (name.equals("tutorial-cnn")) {
            return BenchFigures.tutorialCnn();
        }
        dev.fovea.nn.Model m = dev.fovea.nn.Presets.create(name, 32, 32, 3, 10);
        m.initialize(1);
        return m;
    }

    /**
     * The JDK and the kernels' vector shape as two lines of a benchmark header's NAME=VALUE fields,
     * the vendor quoted (it may hold spaces): {@code java_vendor="Eclipse Adoptium" vector_bits=512
     * tiles=8x3}, then a comment {@code # java_home: /usr/lib/jvm/...} (a NAME=VALUE line without
     * spaces would read as a figure). Lines of their own, so each stays within 80 columns.
     */
    static String jdkFields() {
        return "java_vendor=\"" + dev.fovea.train.Provenance.javaVendor() + "\" vector_bits="
                + dev.fovea.train.Provenance.vectorBits() + " tiles=" + dev.fovea.kernel.Vectors.tileSet()
                + System.lineSeparator() + "# java_home: " + System.getProperty("java.home");
    }

    /**
     * Each throughput ({@code …images_per_second…}) as a share of the FMA peak at its thread count:
     * images/s × FLOPs per image (training or forward, by the figure's name) / peak FLOPS;
     * named with {@code share_of_peak} in place of {@code images_per_second}.
     */

    static Map<String, Double> shares(Map<String, Double> figures, long trainFlops, long forwardFlops,
                                      Map<String, Double> peak) {
        Map<String, Double> m = new LinkedHashMap<>();
        figures.forEach((k, v) -> {
            if (!k.contains("images_per_second")) {
                return;
            }
            long f = k.startsWith("train") ? trainFlops : forwardFlops;
            double p = peak.get(k.endsWith("_1thread") ? "peak_gflops_1thread" : "peak_gflops");
            m.put(k.replace("images_per_second", "share_of_peak"), v * f / (p * 1e9));
        });
        return m;
    }

    static void print(PrintWriter out, String prefix, Map<String, Double> figures) {
        figures.forEach((k, v) -> out.printf(Locale.ROOT, "%s%s=%s%n", prefix, k, format(v)));
    }

    /** Three decimals (ms to the microsecond, shares and ratios to 0.1%) unless the figure is ≥ 100. */
    static String format(double v) {
        return String.format(Locale.ROOT, Math.abs(v) >= 100 ? "%.1f" : "%.3f", v);
    }
}
