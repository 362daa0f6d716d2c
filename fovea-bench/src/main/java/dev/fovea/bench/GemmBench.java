package dev.fovea.bench;

import dev.fovea.kernel.gemm.Gemm;
import dev.fovea.tensor.Parallel;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * JMH benchmark of {@link Gemm#gemm} (C = A·B, row-major, no transposes) on {@link GemmShapes}
 * at 1 and 2 threads. GFLOPS = 2·m·n·k / (seconds per op) / 1e9: JMH reports ms/op, and
 * {@link GflopsReport} runs this benchmark and does the division for every shape. Run alone with
 * {@code java --add-modules jdk.incubator.vector -jar fovea-bench/target/fovea-benchmarks.jar GemmBench}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
public class GemmBench {
    /** Index into {@link GemmShapes#SHAPES}. */
    @Param({"0", "1", "2", "3", "4", "5", "6"})
    public int shape;

    @Param({"1", "2"})
    public int threads;

    private float[] a;
    private float[] b;
    private float[] c;
    private int m;
    private int n;
    private int k;

    @Setup(Level.Trial)
    public void setup() {
        Object[] s = GemmShapes.SHAPES[shape];
        m = (Integer) s[0];
        n = (Integer) s[1];
        k = (Integer) s[2];
        a = GemmGflops.random(m * k, 1);
        b = GemmGflops.random(k * n, 2);
        c = new float[m * n];
        Parallel.setThreads(threads);
    }

    /** Returns c, which JMH consumes (and a test can call this without a Blackhole). */
    @Benchmark
    public float[] gemm() {
        Gemm.gemm(a, 0, k, false, b, 0, n, false, c, 0, n, m, n, k, false);
        return c;
    }

    // Package-private views for the test that checks the product.
    float[] a() {
        return a;
    }

    float[] b() {
        return b;
    }
}
