package dev.fovea.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The peers {@code fovea bench --peer DIR} measures Fovea against, run as separate processes from
 * a folder laid out as {@code shared/peers}: {@code pytorch_bench.py} (PyTorch, once per training
 * batch size) and {@code onnxruntime/run.sh} (ONNX Runtime's Java API, at Fovea's thread count and
 * at one thread). Their {@code NAME=VALUE} lines are parsed, renamed to Fovea's names for the same
 * figure, and collected over every run (before and after Fovea's), so the figure compared is
 * the median of the runs. A peer that cannot run is reported in one line with how to install it,
 * and skipped from then on; nothing here fails the command.
 */
final class Peers {
    static final String PYTORCH = "pytorch";
    static final String ORT = "onnxruntime";
    private static final java.util.regex.Pattern ANSI = java.util.regex.Pattern.compile("\u001B\\[[0-9;]*[A-Za-z]");
    static final String TORCH_INSTALL = "apt-get install -y python3-torch libopenblas0-pthread";

    private final Path dir;
    private final List<Integer> trainBatches;
    private final int steps;
    private final int threads;
    private final PrintWriter out;
    /** peer → Fovea figure name → the values of each run, in run order. */
    private final Map<String, Map<String, List<Double>>> values = new LinkedHashMap<>();
    private final Set<String> unavailable = new HashSet<>();

    Peers(Path dir, List<Integer> trainBatches, int steps, int threads, PrintWriter out) {
        this.dir = dir;
        this.trainBatches = trainBatches;
        this.steps = steps;
        this.threads = threads;
        this.out = out;
        values.put(PYTORCH, new LinkedHashMap<>());
        values.put(ORT, new LinkedHashMap<>());
    }

    /** One round of every peer: call it right before Fovea's measurements and again right after. */
    void runAll() {
        Path torch = dir.resolve("pytorch_bench.py");
        // Debian's python3-torch lives beside /usr/bin/python3; a pyenv shim earlier on PATH lacks it.
        String python = Files.isExecutable(Path.of("/usr/bin/python3")) ? "/usr/bin/python3" : "python3";
        String torchHint = "to install it: " + TORCH_INSTALL;
        for (int b : trainBatches) {
            run(PYTORCH, torch, List.of(python, torch.toString(), "--batch-size", String.valueOf(b), "--steps",
                    String.valueOf(steps), "--threads", String.valueOf(threads)),
                    Map.of("train_images_per_second", "train_images_per_second_batch" + b), "", torchHint);
        }
        Path ort = dir.resolve("onnxruntime").resolve("run.sh");
        String ortHint = "it needs python3-torch to export the model (" + TORCH_INSTALL
                + ") and Maven with access to Maven Central";
        Map<String, String> ortNames = Map.of("infer_latency_ms_batch1_p99", "infer_latency_p99_ms_batch1");
        run(ORT, ort, List.of("bash", ort.toString(), String.valueOf(threads)), ortNames, "", ortHint);
        run(ORT, ort, List.of("bash", ort.toString(), "1"), ortNames, "_1thread", ortHint);
    }

    /** Each figure's median over the runs so far, per peer; a peer that never ran has none. */
    Map<String, Map<String, Double>> medians() {
        Map<String, Map<String, Double>> m = new LinkedHashMap<>();
        values.forEach((peer, figures) -> {
            Map<String, Double> med = new LinkedHashMap<>();
            figures.forEach((k, v) -> med.put(k, median(v)));
            m.put(peer, med);
        });
        return m;
    }

    private void run(String peer, Path script, List<String> command, Map<String, String> rename, String suffix,
                     String hint) {
        if (unavailable.contains(peer)) {
            return;
        }
        if (!Files.isRegularFile(script)) {
            notRun(peer, "no script at " + script.toAbsolutePath(), hint);
            return;
        }
        List<String> lines = new ArrayList<>();
        int code;
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            p.getOutputStream().close();
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line = r.readLine(); line != null; line = r.readLine()) {
                    lines.add(line);
                }
            }
            code = p.waitFor();
        } catch (IOException e) {
            notRun(peer, "cannot start " + command.get(0) + ": " + e.getMessage(), hint);
            return;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            notRun(peer, "interrupted", hint);
            return;
        }
        Map<String, Double> figures = parse(lines);
        if (code != 0 || figures.isEmpty()) {
            String last = lines.stream().map(l -> ANSI.matcher(l).replaceAll("").strip())
                    .filter(s -> !s.isEmpty()).reduce((a, b) -> b).orElse("no output");
            notRun(peer, "exit " + code + (figures.isEmpty() ? ", no NAME=VALUE figures" : "") + ": " + last, hint);
            return;
        }
        String label = String.join(" ", command.subList(1, command.size()));
        for (String line : lines) {
            out.println("peer " + peer + " (" + label + "): " + ANSI.matcher(line).replaceAll(""));
        }
        out.flush();
        figures.forEach((k, v) -> values.get(peer)
                .computeIfAbsent(rename.getOrDefault(k, k) + suffix, x -> new ArrayList<>()).add(v));
    }

    private void notRun(String peer, String why, String hint) {
        unavailable.add(peer);
        out.println("peer " + peer + ": not run (" + why + "); " + hint);
        out.flush();
    }

    /**
     * The {@code NAME=VALUE} lines whose value is a number. Lines with spaces (the peers' header
     * {@code peer=pytorch-1.13 threads=2 …}) and non-numeric values are descriptions, not figures.
     * Terminal colour codes are dropped first: Maven 3.8 writes {@code ESC[0m} before
     * {@code run.sh}'s first line even with {@code -q}.
     */
    static Map<String, Double> parse(List<String> lines) {
        Map<String, Double> m = new LinkedHashMap<>();
        for (String raw : lines) {
            String line = ANSI.matcher(raw).replaceAll("").strip();
            int eq = line.indexOf('=');
            if (eq <= 0 || line.chars().anyMatch(Character::isWhitespace)) {
                continue;
            }
            try {
                double v = Double.parseDouble(line.substring(eq + 1));
                if (Double.isFinite(v)) {
                    m.put(line.substring(0, eq), v);
                }
            } catch (NumberFormatException notAFigure) {
                // e.g. peer=pytorch-1.13
            }
        }
        return m;
    }

    /** The middle value, or the mean of the two middle ones for an even count. */
    static double median(List<Double> v) {
        if (v.isEmpty()) {
            throw new IllegalArgumentException("median of no values");
        }
        double[] s = v.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        int n = s.length;
        return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
    }

    /**
     * Fovea against one peer, for every figure both have: throughputs as Fovea/peer
     * ({@code ratio_NAME_fovea_over_PEER}), latencies as peer/Fovea
     * ({@code ratio_NAME_PEER_over_fovea}), so that above 1 always means Fovea is better.
     */
    static Map<String, Double> ratios(String peer, Map<String, Double> fovea, Map<String, Double> theirs) {
        Map<String, Double> m = new LinkedHashMap<>();
        fovea.forEach((k, ours) -> {
            Double t = theirs.get(k);
            if (t == null || t <= 0 || ours <= 0) {
                return;
            }
            if (k.contains("latency")) {
                m.put("ratio_" + k + "_" + peer + "_over_fovea", t / ours);
            } else {
                m.put("ratio_" + k + "_fovea_over_" + peer, ours / t);
            }
        });
        return m;
    }
}
