package dev.fovea.train;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fovea.loss.SparseCategoricalCrossentropy;
import dev.fovea.metric.Accuracy;
import dev.fovea.nn.Activation;
import dev.fovea.nn.ActivationFunction;
import dev.fovea.nn.BatchNormalization;
import dev.fovea.nn.Conv2D;
import dev.fovea.nn.Dense;
import dev.fovea.nn.Dropout;
import dev.fovea.nn.Flatten;
import dev.fovea.nn.InferencePlan;
import dev.fovea.nn.Input;
import dev.fovea.nn.MaxPooling2D;
import dev.fovea.nn.Model;
import dev.fovea.nn.Padding;
import dev.fovea.nn.SymbolicTensor;
import dev.fovea.optim.Adam;
import dev.fovea.optim.SGD;
import dev.fovea.tensor.Parallel;
import dev.fovea.tensor.Rng;
import dev.fovea.tensor.Tensor;
import java.lang.management.ManagementFactory;
import org.junit.jupiter.api.Test;

/**
 * A training step allocates nothing once its buffers exist (DESIGN.md: "no allocation in the hot
 * loop"), and neither does an inference plan's forward: measured with the JVM's per-thread
 * allocation counters over every thread (the caller and the pool's workers), after a warm-up long
 * enough for C2 to compile the vector kernels (code the JIT has not compiled yet boxes its vectors
 * on the heap, which is a warm-up cost, not a step's). The model uses every layer kind and kernel
 * route of the presets at a small size: the direct and Winograd convolutions (forward, data and
 * weight gradients), GELU, ReLU, BatchNormalization, max pooling, dropout, flatten and dense.
 * Before this test, a step of the tutorial CNN allocated about 17.6 KB (a job record per parallel
 * call, capturing lambdas, shapes, parameter lists) and one of the fast presets about 33 MB at
 * batch 8 (GELU's exponential was boxed in steady state).
 */
class AllocationFreeStepTest {
    /** Bytes per step tolerated: the counters' own reads and rare JIT-side effects, far below one step's buffers. */
    private static final long SLACK_PER_STEP = 16;

    private static Model model() {
        SymbolicTensor in = Input.of(12, 12, 3);
        SymbolicTensor x = new Conv2D(16, 3, Padding.SAME, ActivationFunction.RELU).apply(in);
        x = new BatchNormalization().apply(x);
        x = new Conv2D(Conv2D.Config.of(24, 3).padding(Padding.SAME).useBias(false)).apply(x);
        x = new MaxPooling2D(2).apply(x);
        x = new BatchNormalization().apply(x);
        x = new Activation(ActivationFunction.GELU).apply(x);
        x = new Conv2D(24, 3, Padding.SAME, ActivationFunction.GELU).apply(x);
        x = new Flatten().apply(x);
        x = new Dropout(0.2f).apply(x);
        x = new Dense(32, ActivationFunction.RELU).apply(x);
        return Model.of(in, new Dense(10).apply(x));
    }

    private static Batch batch(int n) {
        Rng r = new Rng(3);
        Tensor x = Tensor.zeros(n, 12, 12, 3);
        for (int i = 0; i < x.size(); i++) {
            x.data()[i] = r.nextFloat() * 2f - 1f;
        }
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            labels[i] = i % 10;
        }
        return new Batch(x, labels);
    }

    /** Bytes allocated by all live threads while {@code work} runs. */
    private static long allocated(Runnable work) {
        com.sun.management.ThreadMXBean tm = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long[] ids = tm.getAllThreadIds();
        long[] before = tm.getThreadAllocatedBytes(ids);
        work.run();
        long[] after = tm.getThreadAllocatedBytes(ids);
        long total = 0;
        for (int i = 0; i < ids.length; i++) {
            if (before[i] >= 0 && after[i] >= 0) {
                total += after[i] - before[i];
            }
        }
        return total;
    }

    /**
     * Runs {@code window} until it allocates at most {@code slack} bytes, at most 150 times (the
     * JIT compiles the kernels in the first few dozen; a regression allocates in every window),
     * and returns the last window's bytes.
     */
    private static long untilSteady(Runnable window, long slack) {
        long bytes = Long.MAX_VALUE;
        for (int round = 0; round < 150 && bytes > slack; round++) {
            bytes = allocated(window);
        }
        return bytes;
    }

    @Test
    void aTrainingStepAllocatesNothingAtOneAndTwoThreads() {
        int threads = Parallel.threads();
        try {
            for (int t : new int[]{1, 2}) {
                Parallel.setThreads(t);
                for (boolean adam : new boolean[]{true, false}) {
                    Model m = model();
                    Trainer trainer = new Trainer(m, adam ? new Adam() : SGD.absoluteDecay(new dev.fovea.optim.Constant(0.1),
                            0.1, 0.85, true, 5e-4), new SparseCategoricalCrossentropy(true, 0.2f,
                            dev.fovea.loss.Reduction.SUM), new Accuracy());
                    Batch b = batch(6);
                    int steps = 200;
                    long bytes = untilSteady(() -> {
                        for (int i = 0; i < steps; i++) {
                            trainer.trainStep(b);
                        }
                    }, SLACK_PER_STEP * steps);
                    assertTrue(bytes <= SLACK_PER_STEP * steps, (adam ? "Adam" : "SGD") + " at " + t + " thread(s): "
                            + steps + " steps allocated " + bytes + " bytes (" + bytes / steps + " per step)");
                }
            }
        } finally {
            Parallel.setThreads(threads);
        }
    }

    @Test
    void anInferencePlansForwardAllocatesNothing() {
        InferencePlan plan = InferencePlan.of(model());
        Tensor x = batch(4).x();
        int calls = 200;
        long bytes = untilSteady(() -> {
            for (int i = 0; i < calls; i++) {
                plan.forward(x);
            }
        }, SLACK_PER_STEP * calls);
        assertTrue(bytes <= SLACK_PER_STEP * calls, calls + " forwards allocated " + bytes + " bytes");
    }
}
