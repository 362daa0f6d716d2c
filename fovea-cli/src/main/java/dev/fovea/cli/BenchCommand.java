package dev.fovea.cli;

import dev.fovea.loss.SparseCategoricalCrossentropy;
import dev.fovea.nn.ActivationFunction;
import dev.fovea.nn.Model;
import dev.fovea.nn.Presets;
import dev.fovea.optim.Adam;
import dev.fovea.tensor.Parallel;
import dev.fovea.tensor.Rng;
import dev.fovea.tensor.Tensor;
import dev.fovea.train.Batch;
import dev.fovea.train.Trainer;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code fovea bench}: the same figures as the PyTorch peer script (shared/peers/pytorch_bench.py)
 * for the tutorial CNN on random data — training images/s (Adam, batch N), inference images/s at
 * batch 256 and single-image latency — and, with {@code --peer}, runs the peer in the same
 * session and prints the ratios. Timings are noisy: compare ratios from one run.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = {"Measures training and inference speed of the tutorial CNN.",
                "Prints NAME=VALUE lines as the PyTorch peer script does; --peer runs that script too",
                "and prints Fovea/PyTorch ratios."})
final class BenchCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--batch-size", paramLabel = "N", defaultValue = "128", description = "Training batch size (default: ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(names = "--steps", paramLabel = "N", defaultValue = "30", description = "Timed training steps (default: ${DEFAULT-VALUE}).")
    int steps;

    @Option(names = "--peer", paramLabel = "SCRIPT", arity = "0..1", fallbackValue = "../shared/peers/pytorch_bench.py",
            description = "Also run the PyTorch peer script (default path: ${FALLBACK-VALUE}).")
    Path peer;

    @Override
    public Integer call() throws Exception {
        Check.positive("--batch-size", batchSize, "images per training step");
        Check.positive("--steps", steps, "timed training steps");
        PrintWriter out = spec.commandLine().getOut();
        Map<String, Double> ours = measure(out);
        out.flush();
        if (peer != null) {
            if (!Files.exists(peer)) {
                throw new UserError("--peer " + peer + ": no such script; pass the path of shared/peers/pytorch_bench.py");
            }
            Map<String, Double> theirs = runPeer(out);
            out.println("ratios (fovea / pytorch; above 1 means Fovea is faster):");
            for (String k : List.of("train_images_per_second", "infer_images_per_second_batch256")) {
                if (theirs.containsKey(k)) {
                    out.printf(Locale.ROOT, "  %s: %.2f%n", k, ours.get(k) / theirs.get(k));
                }
            }
            if (theirs.containsKey("infer_latency_ms_batch1")) {
                out.printf(Locale.ROOT, "  infer_latency_batch1 (pytorch ms / fovea ms): %.2f%n",
                        theirs.get("infer_latency_ms_batch1") / ours.get("infer_latency_ms_batch1"));
            }
        }
        out.flush();
        return 0;
    }

    private Map<String, Double> measure(PrintWriter out) {
        Model model = Presets.tutorialCnn(32, 32, 3, 10, 0.2f, ActivationFunction.SOFTMAX);
        model.initialize(0);
        Trainer trainer = new Trainer(model, new Adam(), new SparseCategoricalCrossentropy());
        Rng rng = new Rng(0);
        Tensor x = random(rng, batchSize);
        int[] labels = new int[batchSize];
        for (int i = 0; i < batchSize; i++) {
            labels[i] = rng.nextInt(10);
        }
        Batch b = new Batch(x, labels);
        int warmup = 5;
        for (int i = 0; i < warmup; i++) {
            trainer.trainStep(b);
        }
        long t0 = System.nanoTime();
        for (int i = 0; i < steps; i++) {
            trainer.trainStep(b);
        }
        double train = steps * (double) batchSize / ((System.nanoTime() - t0) / 1e9);

        Tensor xb = random(rng, 256);
        for (int i = 0; i < 3; i++) {
            model.forward(xb, false);
        }
        int n = 10;
        t0 = System.nanoTime();
        for (int i = 0; i < n; i++) {
            model.forward(xb, false);
        }
        double infer = n * 256.0 / ((System.nanoTime() - t0) / 1e9);
        Tensor one = random(rng, 1);
        for (int i = 0; i < 50; i++) {
            model.forward(one, false);
        }
        n = 200;
        t0 = System.nanoTime();
        for (int i = 0; i < n; i++) {
            model.forward(one, false);
        }
        double latency = (System.nanoTime() - t0) / 1e6 / n;
        out.printf(Locale.ROOT, "fovea=%s java=%s threads=%d batch_size=%d%n", TrainCommand.version(),
                System.getProperty("java.version"), Parallel.threads(), batchSize);
        out.printf(Locale.ROOT, "train_images_per_second=%.1f%n", train);
        out.printf(Locale.ROOT, "infer_images_per_second_batch256=%.1f%n", infer);
        out.printf(Locale.ROOT, "infer_latency_ms_batch1=%.3f%n", latency);
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("train_images_per_second", train);
        m.put("infer_images_per_second_batch256", infer);
        m.put("infer_latency_ms_batch1", latency);
        return m;
    }

    private static Tensor random(Rng rng, int n) {
        Tensor t = Tensor.zeros(n, 32, 32, 3);
        for (int i = 0; i < t.size(); i++) {
            t.data()[i] = rng.nextFloat();
        }
        return t;
    }

    private Map<String, Double> runPeer(PrintWriter out) throws Exception {
        // Debian's python3-torch lives beside /usr/bin/python3; a pyenv shim earlier on PATH lacks it.
        String python = Files.isExecutable(Path.of("/usr/bin/python3")) ? "/usr/bin/python3" : "python3";
        ProcessBuilder pb = new ProcessBuilder(python, peer.toString(), "--batch-size", String.valueOf(batchSize),
                "--steps", String.valueOf(steps));
        pb.redirectErrorStream(true);
        Process p = pb.start();
        Map<String, Double> m = new LinkedHashMap<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line = r.readLine(); line != null; line = r.readLine()) {
                out.println("peer: " + line);
                int eq = line.indexOf('=');
                if (eq > 0 && !line.contains(" ")) {
                    try {
                        m.put(line.substring(0, eq), Double.parseDouble(line.substring(eq + 1)));
                    } catch (NumberFormatException ignored) {
                        // a non-numeric field such as peer=pytorch-1.13
                    }
                }
            }
        }
        if (p.waitFor() != 0 || m.isEmpty()) {
            throw new UserError("the peer script failed (exit " + p.exitValue() + "); install PyTorch with"
                    + " 'apt-get install -y python3-torch' and try again");
        }
        return m;
    }
}
