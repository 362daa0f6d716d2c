package dev.fovea.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fovea.tensor.Parallel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code fovea bench} in-process with tiny step counts: which figures it prints and that they are
 * consistent with each other and with the FLOP counts; never how fast anything is.
 */
class BenchCommandTest {
    /** The options that keep a run to seconds: batches of 4 and 2, one timed step, few calls. */
    private static final String[] TINY = {"bench", "--batch-size", "4,2", "--steps", "1", "--infer-batch-size", "3",
            "--infer-batches", "1", "--calls", "5", "--peak-ms", "20"};
    private static final double TRAIN_FLOPS = 242_675_712;
    private static final double FORWARD_FLOPS = 81_481_728;
    private static CliRun profiled;
    private static int threadsBefore;

    @BeforeAll
    static void runOnceWithProfile() {
        threadsBefore = Parallel.threads();
        profiled = CliRun.of(with("--profile"));
    }

    private static String[] with(String... extra) {
        List<String> a = new ArrayList<>(List.of(TINY));
        a.addAll(List.of(extra));
        return a.toArray(String[]::new);
    }

    /** NAME=VALUE lines without spaces, read independently of the code under test. */
    private static Map<String, Double> figures(String out) {
        Map<String, Double> m = new LinkedHashMap<>();
        for (String line : out.split("\\R")) {
            int eq = line.indexOf('=');
            if (eq > 0 && !line.contains(" ") && !line.startsWith("fovea=")) {
                m.put(line.substring(0, eq), Double.valueOf(line.substring(eq + 1)));
            }
        }
        return m;
    }

    /** Half the last printed digit: figures print 3 decimals below 100 and 1 from 100 up. */
    private static double rounding(double printed) {
        return Math.abs(printed) >= 100 ? 0.05 : 0.0005;
    }

    /**
     * {@code actual} (printed) equals {@code expected}, a product or quotient of the printed
     * {@code inputs}, within what rounding those figures to their printed digits can move it.
     */
    private static void near(double expected, double actual, String what, double... inputs) {
        double rel = 1e-9;
        for (double in : inputs) {
            rel += rounding(in) / Math.abs(in);
        }
        assertEquals(expected, actual, Math.abs(expected) * rel * 1.01 + rounding(actual), what);
    }

    @Test
    void everyFigureIsPrintedAsAPositiveNumber() {
        assertEquals(0, profiled.code(), profiled.err());
        Map<String, Double> f = figures(profiled.out());
        Set<String> expected = new TreeSet<>(List.of("peak_gflops_1thread", "peak_gflops",
                "train_images_per_second_batch4", "train_images_per_second_batch2",
                "infer_images_per_second_batch3", "infer_images_per_second_batch3_1thread",
                "infer_latency_ms_batch1", "infer_latency_p99_ms_batch1",
                "infer_latency_ms_batch1_1thread", "infer_latency_p99_ms_batch1_1thread",
                "gflop_per_image_forward", "gflop_per_image_training",
                "train_share_of_peak_batch4", "train_share_of_peak_batch2",
                "infer_share_of_peak_batch3", "infer_share_of_peak_batch3_1thread", "peak_heap_mb"));
        assertEquals(expected, new TreeSet<>(f.keySet()), profiled.out());
        f.forEach((k, v) -> assertTrue(v > 0, k + "=" + v));
        // A 99th percentile is never below the median of the same calls.
        assertTrue(f.get("infer_latency_p99_ms_batch1") >= f.get("infer_latency_ms_batch1"));
        assertTrue(f.get("infer_latency_p99_ms_batch1_1thread") >= f.get("infer_latency_ms_batch1_1thread"));
        assertEquals(0.0815, f.get("gflop_per_image_forward"));
        assertEquals(0.2427, f.get("gflop_per_image_training"));
        // share = images/s × FLOPs per training image / peak FLOPS, from the printed figures
        near(f.get("train_images_per_second_batch4") * TRAIN_FLOPS / (f.get("peak_gflops") * 1e9),
                f.get("train_share_of_peak_batch4"), "share at batch 4",
                f.get("train_images_per_second_batch4"), f.get("peak_gflops"));
        near(f.get("infer_images_per_second_batch3_1thread") * FORWARD_FLOPS / (f.get("peak_gflops_1thread") * 1e9),
                f.get("infer_share_of_peak_batch3_1thread"), "inference share at 1 thread",
                f.get("infer_images_per_second_batch3_1thread"), f.get("peak_gflops_1thread"));
        assertEquals(threadsBefore, Parallel.threads(), "the thread count is restored");
    }

    @Test
    void profileRowsAddUpToTheMeasuredStep() {
        List<String[]> rows = new ArrayList<>();
        double sum = Double.NaN;
        double unaccounted = Double.NaN;
        double total = Double.NaN;
        boolean inTable = false;
        for (String line : profiled.out().split("\\R")) {
            String[] c = line.trim().split(" {2,}");
            if (line.startsWith("piece")) {
                inTable = true;
            } else if (line.startsWith("sum of the rows")) {
                sum = Double.parseDouble(c[1]);
            } else if (line.startsWith("unaccounted")) {
                unaccounted = Double.parseDouble(c[2]);
            } else if (line.startsWith("measured step")) {
                total = Double.parseDouble(c[1]);
                inTable = false;
            } else if (inTable && sum != sum) {
                rows.add(line.trim().split(" +"));
            }
        }
        for (String line : profiled.out().split("\\R")) {
            assertTrue(line.length() <= 80, "issue 20, defect 4: " + line.length() + " columns: " + line);
        }
        List<String> names = rows.stream().map(r -> r[0]).toList();
        assertEquals(List.of("data", "zero", "conv2d", "batch_normalization"), names.subList(0, 4), profiled.out());
        assertTrue(names.containsAll(List.of("conv2d_5", "dense", "dense_1", "loss", "optimizer")), names.toString());
        assertEquals(2 + 20 + 2, rows.size(), "data, zero, the model's 20 layers, loss, optimizer");
        double rowSum = 0;
        for (String[] r : rows) {
            int n = r.length;
            // columns from the right: share, GFLOPS bwd and fwd, ms all, bwd and fwd
            double ms = Double.parseDouble(r[n - 4]);
            if (!r[n - 6].equals("-")) {
                assertEquals(Double.parseDouble(r[n - 6]) + Double.parseDouble(r[n - 5]), ms, 0.0015, r[0] + " fwd + bwd");
            }
            rowSum += ms;
        }
        assertEquals(rowSum, sum, 0.0005 * (rows.size() + 1), "sum of the printed rows");
        assertEquals(total, sum + unaccounted, 0.0015, "rows + remainder = measured step");
        assertTrue(unaccounted > -0.0015, "the rows are disjoint parts of the step: " + unaccounted);
        // conv2d_1's forward: 18,874,368 FLOPs per image × 4 images over its forward ms
        String[] c1 = rows.get(names.indexOf("conv2d_1"));
        double fwdMs = Double.parseDouble(c1[c1.length - 6]);
        double gflops = 18_874_368.0 * 4 / (fwdMs * 1e6);
        // the table prints GFLOPS to 0.1 and ms to 0.001
        assertEquals(gflops, Double.parseDouble(c1[c1.length - 3]), gflops * 0.0005 / fwdMs * 1.01 + 0.05,
                "conv2d_1 forward GFLOPS");
    }

    @Test
    void aPeerScriptInsteadOfItsFolderIsRefusedBeforeMeasuring(@TempDir Path dir) throws Exception {
        // The old form, --peer ../shared/peers/pytorch_bench.py, now names the folder of both peers.
        Path script = Files.writeString(dir.resolve("pytorch_bench.py"), "print('train_images_per_second=1')\n");
        CliRun r = CliRun.of("bench", "--peer", script.toString());
        assertEquals(2, r.code(), r.out());
        assertTrue(r.err().contains("--peer " + script + ": expected the folder of the peers (pytorch_bench.py,"
                + " onnxruntime/run.sh), received a file; pass --peer " + dir), r.err());
        assertFalse(r.out().contains("peak_gflops"), r.out());
    }

    @Test
    void peakPrintsOnlyThePeakAfterAHeaderSayingWhichJdkRan() {
        CliRun r = CliRun.of("bench", "--peak", "--peak-ms", "10");
        assertEquals(0, r.code(), r.err());
        assertEquals(Set.of("peak_gflops_1thread", "peak_gflops"), figures(r.out()).keySet(), r.out());
        List<String> lines = r.out().lines().toList();
        String header = lines.get(0);
        assertTrue(header.startsWith("fovea=") && header.contains(" java=" + System.getProperty("java.version") + " "),
                header);
        assertEquals("java_vendor=\"" + System.getProperty("java.vendor") + "\" vector_bits="
                + dev.fovea.kernel.Vectors.S.vectorBitSize() + " tiles=" + dev.fovea.kernel.Vectors.tileSet(),
                lines.get(1));
        assertEquals("# java_home: " + System.getProperty("java.home"), lines.get(2));
    }

    @Test
    void peerRatiosComeFromThePeersOwnFigures(@TempDir Path dir) throws Exception {
        // Each run prints 100 × (its run number for that batch size): 100 before Fovea, 200 after → median 150.
        Files.writeString(dir.resolve("pytorch_bench.py"), String.join("\n",
                "import sys, pathlib",
                "b = sys.argv[sys.argv.index('--batch-size') + 1]",
                "c = pathlib.Path(__file__).with_name('count' + b)",
                "n = int(c.read_text()) + 1 if c.exists() else 1",
                "c.write_text(str(n))",
                "print('peer=fake threads=2 batch_size=' + b)",
                "print('train_images_per_second=%d' % (100 * n))",
                "print('infer_latency_ms_batch1=20.0')", ""));
        Files.createDirectories(dir.resolve("onnxruntime"));
        // ONNX Runtime: latency 0.25 ms, p99 0.5 ms at 1 thread; 0.75 and 1.5 at more.
        Files.writeString(dir.resolve("onnxruntime/run.sh"), String.join("\n",
                "if [ \"$1\" = 1 ]; then echo infer_latency_ms_batch1=0.25; echo infer_latency_ms_batch1_p99=0.5",
                "else echo infer_latency_ms_batch1=0.75; echo infer_latency_ms_batch1_p99=1.5; fi",
                "echo infer_images_per_second_batch3=1000", ""));
        CliRun r = CliRun.of(with("--peer", dir.toString()));
        assertEquals(0, r.code(), r.err() + r.out());
        Map<String, Double> f = figures(r.out());
        int t = Parallel.threads();
        assertEquals(150.0, f.get("pytorch_train_images_per_second_batch4"), r.out());
        assertEquals(150.0, f.get("pytorch_train_images_per_second_batch2"));
        assertEquals(20.0, f.get("pytorch_infer_latency_ms_batch1"));
        assertEquals(t == 1 ? 0.25 : 0.75, f.get("onnxruntime_infer_latency_ms_batch1"));
        assertEquals(t == 1 ? 0.5 : 1.5, f.get("onnxruntime_infer_latency_p99_ms_batch1"));
        assertEquals(0.25, f.get("onnxruntime_infer_latency_ms_batch1_1thread"));
        assertEquals(0.5, f.get("onnxruntime_infer_latency_p99_ms_batch1_1thread"));
        double train = f.get("train_images_per_second_batch4");
        near(train / 150, f.get("ratio_train_images_per_second_batch4_fovea_over_pytorch"), "train ratio", train);
        double latency = f.get("infer_latency_ms_batch1");
        near(20.0 / latency, f.get("ratio_infer_latency_ms_batch1_pytorch_over_fovea"), "latency ratio", latency);
        double p99 = f.get("infer_latency_p99_ms_batch1_1thread");
        near(0.5 / p99, f.get("ratio_infer_latency_p99_ms_batch1_1thread_onnxruntime_over_fovea"),
                "p99 ratio at 1 thread", p99);
        double infer = f.get("infer_images_per_second_batch3");
        near(infer / 1000, f.get("ratio_infer_images_per_second_batch3_fovea_over_onnxruntime"), "ORT throughput ratio",
                infer);
        double peak = f.get("peak_gflops");
        near(150 * TRAIN_FLOPS / (peak * 1e9), f.get("pytorch_train_share_of_peak_batch4"), "peer share", peak);
        near(1000 * FORWARD_FLOPS / (peak * 1e9), f.get("onnxruntime_infer_share_of_peak_batch3"), "ORT share", peak);
        assertTrue(r.out().contains("peer pytorch (") && r.out().contains("--batch-size 4 --steps 1 --threads " + t), r.out());
    }

    @Test
    void aMissingPeerIsOneLineWithTheInstallHintAndTheRestStillRuns(@TempDir Path dir) throws Exception {
        // PyTorch present but failing as Debian's python3 does without python3-torch; no ONNX Runtime script at all.
        Files.writeString(dir.resolve("pytorch_bench.py"), "import torch_that_is_not_installed\n");
        CliRun r = CliRun.of(with("--peer", dir.toString()));
        assertEquals(0, r.code(), r.err() + r.out());
        List<String> torch = r.out().lines().filter(l -> l.startsWith("peer pytorch")).toList();
        assertEquals(1, torch.size(), r.out());
        assertTrue(torch.get(0).contains("ModuleNotFoundError: No module named 'torch_that_is_not_installed'"), torch.get(0));
        assertTrue(torch.get(0).endsWith("to install it: apt-get install -y python3-torch libopenblas0-pthread"), torch.get(0));
        List<String> ort = r.out().lines().filter(l -> l.startsWith("peer onnxruntime")).toList();
        assertEquals(1, ort.size(), r.out());
        assertTrue(ort.get(0).contains("no script at " + dir.resolve("onnxruntime/run.sh").toAbsolutePath()), ort.get(0));
        Map<String, Double> f = figures(r.out());
        assertTrue(f.containsKey("train_images_per_second_batch4") && f.containsKey("peak_heap_mb"), r.out());
        assertFalse(f.keySet().stream().anyMatch(k -> k.startsWith("ratio_")), r.out());
    }
}
