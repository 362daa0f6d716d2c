package dev.fovea.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Reading the peers' output and the arithmetic of ratios and shares, on canned figures worked out by hand. */
class PeersTest {
    @Test
    void parseKeepsNumericFiguresAndSkipsHeadersAndWords() {
        Map<String, Double> m = Peers.parse(List.of(
                "peer=pytorch-1.13.0a0 threads=2 batch_size=128 bf16=False channels_last=True",
                "train_images_per_second=427.5",
                "  infer_latency_ms_batch1=14.400  ",
                "peer=pytorch-1.13",
                "Warning: something = odd",
                "=3",
                "infer_images_per_second_batch256=NaN",
                "infer_images_per_second_batch256=490"));
        assertEquals(Map.of("train_images_per_second", 427.5, "infer_latency_ms_batch1", 14.4,
                "infer_images_per_second_batch256", 490.0), m);
    }

    @Test
    void parseDropsTheColourCodesMavenWritesBeforeThePeersFirstLine() {
        // run.sh's first line, as ONNX Runtime's peer printed it here: Maven 3.8 emits ESC[0m twice even with -q.
        Map<String, Double> m = Peers.parse(List.of("\u001B[0m\u001B[0minfer_images_per_second_batch256=859.0",
                "\u001B[1;31minfer_latency_ms_batch1=1.261\u001B[m"));
        assertEquals(Map.of("infer_images_per_second_batch256", 859.0, "infer_latency_ms_batch1", 1.261), m);
    }

    @Test
    void medianOfOddAndEvenCounts() {
        assertEquals(2.0, Peers.median(List.of(3.0, 1.0, 2.0)));
        assertEquals(200.0, Peers.median(List.of(300.0, 100.0)));
        assertEquals(2.5, Peers.median(List.of(4.0, 1.0, 2.0, 3.0)));
    }

    @Test
    void ratiosSayFoveaOverPeerForThroughputAndPeerOverFoveaForLatency() {
        Map<String, Double> fovea = Map.of("train_images_per_second_batch128", 600.0,
                "infer_latency_ms_batch1", 2.0, "infer_latency_p99_ms_batch1_1thread", 4.0, "peak_heap_mb", 300.0);
        Map<String, Double> ort = Map.of("train_images_per_second_batch128", 400.0, "infer_latency_ms_batch1", 0.5,
                "infer_latency_p99_ms_batch1_1thread", 1.0, "other", 1.0);
        Map<String, Double> r = Peers.ratios("onnxruntime", fovea, ort);
        assertEquals(Map.of("ratio_train_images_per_second_batch128_fovea_over_onnxruntime", 1.5,
                "ratio_infer_latency_ms_batch1_onnxruntime_over_fovea", 0.25,
                "ratio_infer_latency_p99_ms_batch1_1thread_onnxruntime_over_fovea", 0.25), r);
    }

    @Test
    void sharesUseTrainingOrForwardFlopsAndThePeakOfTheirThreadCount() {
        Map<String, Double> peak = Map.of("peak_gflops_1thread", 200.0, "peak_gflops", 400.0);
        Map<String, Double> s = BenchCommand.shares(Map.of("train_images_per_second_batch128", 1000.0,
                "infer_images_per_second_batch256_1thread", 2000.0, "infer_latency_ms_batch1", 1.0),
                242_675_712L, 81_481_728L, peak);
        assertEquals(2, s.size());
        // 1000 images/s × 0.242675712 GFLOP / 400 GFLOPS; 2000 × 0.081481728 / 200
        assertEquals(0.60668928, s.get("train_share_of_peak_batch128"), 1e-12);
        assertEquals(0.81481728, s.get("infer_share_of_peak_batch256_1thread"), 1e-12);
    }
}
