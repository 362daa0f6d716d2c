package dev.fovea.cli;

import dev.fovea.tensor.FmaPeak;
import dev.fovea.loss.SparseCategoricalCrossentropy;
import dev.fovea.nn.ActivationFunction;
import dev.fovea.nn.InferencePlan;
import dev.fovea.nn.Model;
import dev.fovea.nn.Presets;
import dev.fovea.optim.Adam;
import dev.fovea.tensor.Parallel;
import dev.fovea.tensor.Rng;
import dev.fovea.tensor.Tensor;
import dev.fovea.train.Batch;
import dev.fovea.train.Trainer;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Fovea's own figures for {@code fovea bench}, named as {@code shared/peers/pytorch_bench.py}
 * names them where the figure is the same, on the tutorial CNN with random inputs (as the peer
 * script does): the Vector API's FMA peak, training images/s, inference images/s and batch-1
 * latency at all threads and at one, and the heap's peak use. Each figure is a wall-clock
 * measurement of this run only; compare ratios from one run, never figures across runs.
 * Thread counts change through {@link Parallel#setThreads} and are restored.
 */
final class BenchFigures {
    /** Untimed training steps before the timed ones: JIT compilation and first-step buffer allocation. */
    static final int WARMUP_STEPS = 5;

    /**
     * @param trainBatches training batch sizes, one figure each
     * @param steps        timed training steps per batch size
     * @param inferBatch   inference batch size
     * @param inferBatches timed inference batches
     * @param calls        timed batch-1 calls per thread count
     * @param peakMillis   duration of each FMA peak measurement (after a warm-up as long)
     */
    record Settings(List<Integer> trainBatches, int steps, int inferBatch, int inferBatches, int calls,
                    long peakMillis) {
    }

    private BenchFigures() {
    }

    static Model tutorialCnn() {
        Model m = Presets.tutorialCnn(32, 32, 3, 10, 0.2f, ActivationFunction.SOFTMAX);
        m.initialize(0);
        return m;
    }

    /**
     * {@code peak_gflops_1thread} and {@code peak_gflops} (every thread of Fovea's pool), each the
     * best of two measurements: a peak is a maximum, and a first measurement can end before C2 has
     * compiled the FMA loop on a busy machine (a run here read 0.16 GFLOPS at 200 ms).
     */
    static Map<String, Double> peak(long millis) {
        Map<String, Double> m = new LinkedHashMap<>();
        for (int threads : new int[]{1, Parallel.threads()}) {
            double best = Math.max(FmaPeak.measure(threads, millis).gflops(), FmaPeak.measure(threads, millis).gflops());
            m.put(threads == 1 ? "peak_gflops_1thread" : "peak_gflops", best);
        }
        return m;
    }

    /** Forgets the heap pools' peaks so far, so {@link #peakHeapMb()} covers what follows. */
    static void resetPeakHeap() {
        for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
            if (p.getType() == MemoryType.HEAP && p.isValid()) {
                p.resetPeakUsage();
            }
        }
    }

    /**
     * MiB: the sum of every heap pool's peak use since {@link #resetPeakHeap()}. The pools peak at
     * different moments (eden before a collection, old generation after), so the sum bounds the
     * true peak from above; it is the figure the JVM offers without sampling.
     */
    static double peakHeapMb() {
        long bytes = 0;
        for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
            if (p.getType() == MemoryType.HEAP && p.isValid()) {
                bytes += p.getPeakUsage().getUsed();
            }
        }
        return bytes / (1024.0 * 1024.0);
    }

    /** Training, inference and latency figures in print order (peak and heap not included). */
    static Map<String, Double> measure(Settings s) {
        Map<String, Double> m = new LinkedHashMap<>();
        for (int batch : s.trainBatches()) {
            m.put("train_images_per_second_batch" + batch, train(batch, s.steps()));
        }
        Model model = tutorialCnn();
        Rng rng = new Rng(2);
        int all = Parallel.threads();
        try {
            m.putAll(inference(model, rng, s.inferBatch(), s.inferBatches(), s.calls(), ""));
            Parallel.setThreads(1);
            m.putAll(inference(model, rng, s.inferBatch(), s.inferBatches(), s.calls(), "_1thread"));
        } finally {
            Parallel.setThreads(all);
        }
        return m;
    }

    /**
     * {@code infer_images_per_second_batchN}, {@code infer_latency_ms_batch1} and
     * {@code infer_latency_p99_ms_batch1}, each name ending in {@code suffix}, of {@code model}
     * on random inputs of its own shape, at the pool's current thread count.
     */
    static Map<String, Double> inference(Model model, Rng rng, int batch, int batches, int calls, String suffix) {
        Map<String, Double> m = new LinkedHashMap<>();
        int[] shape = model.inputShape().dims();
        // What predict, evaluate, serve and Spark run: the model prepared once for inference.
        InferencePlan plan = InferencePlan.of(model);
        m.put("infer_images_per_second_batch" + batch + suffix, infer(plan, random(rng, batch, shape), batches));
        double[] lat = latency(plan, random(rng, 1, shape), calls);
        m.put("infer_latency_ms_batch1" + suffix, lat[0]);
        m.put("infer_latency_p99_ms_batch1" + suffix, lat[1]);
        return m;
    }

    /** Images/s of Adam training steps on one fixed random batch, as the peer script times them. */
    private static double train(int batch, int steps) {
        Trainer trainer = new Trainer(tutorialCnn(), new Adam(), new SparseCategoricalCrossentropy());
        Rng rng = new Rng(1);
        int[] labels = new int[batch];
        for (int i = 0; i < batch; i++) {
            labels[i] = rng.nextInt(10);
        }
        Batch b = new Batch(random(rng, batch), labels);
        for (int i = 0; i < WARMUP_STEPS; i++) {
            trainer.trainStep(b);
        }
        long t0 = System.nanoTime();
        for (int i = 0; i < steps; i++) {
            trainer.trainStep(b);
        }
        return steps * (double) batch / ((System.nanoTime() - t0) / 1e9);
    }

    private static double infer(InferencePlan plan, Tensor x, int batches) {
        for (int i = 0; i < 3; i++) {
            plan.forward(x);
        }
        long t0 = System.nanoTime();
        for (int i = 0; i < batches; i++) {
            plan.forward(x);
        }
        return batches * (double) x.shape().dim(0) / ((System.nanoTime() - t0) / 1e9);
    }

    /** {median, 99th percentile} in ms of {@code calls} single-image forwards, each timed alone. */
    private static double[] latency(InferencePlan plan, Tensor one, int calls) {
        for (int i = 0; i < 50; i++) {
            plan.forward(one);
        }
        long[] t = new long[calls];
        for (int i = 0; i < calls; i++) {
            long t0 = System.nanoTime();
            plan.forward(one);
            t[i] = System.nanoTime() - t0;
        }
        return new double[]{percentile(t, 50) / 1e6, percentile(t, 99) / 1e6};
    }

    /** Nearest-rank percentile: the smallest value with at least p% of the values at or below it. */
    static long percentile(long[] values, double p) {
        long[] s = values.clone();
        Arrays.sort(s);
        int rank = (int) Math.ceil(p / 100.0 * s.length);
        return s[Math.max(0, rank - 1)];
    }

    static Tensor random(Rng rng, int n) {
        return random(rng, n, new int[] {32, 32, 3});
    }

    /** {@code n} images of {@code shape} (H,W,C), uniform in [0, 1). */
    static Tensor random(Rng rng, int n, int[] shape) {
        Tensor t = Tensor.zeros(n, shape[0], shape[1], shape[2]);
        float[] d = t.data();
        for (int i = 0; i < d.length; i++) {
            d[i] = rng.nextFloat();
        }
        return t;
    }
}
