package dev.fovea.bench;

import dev.fovea.kernel.conv.Convolution;
import dev.fovea.kernel.window.WindowGeometry;
import dev.fovea.tensor.Parallel;
import dev.fovea.tensor.Rng;
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
 * JMH benchmark of the three convolution passes of {@link Convolution} — forward, backward-data,
 * backward-weights — on the {@link ConvShapes} at 1 and 2 threads, called with the arguments
 * {@code nn.Conv2D} passes for that layer (its {@link WindowGeometry}, bias or none, the fused
 * ReLU output or none, its workspace). Every buffer is allocated in the trial's setup, so a
 * measured call allocates nothing of ours. backward-weights accumulates into dkernel and dbias
 * call after call (the trainer zeroes them once per step); the sums stay finite and the work is
 * the same. JMH reports ms/op; {@link GflopsReport} turns that into GFLOPS with
 * {@link ConvShape#flops()} and sets it against the FMA peak. Run alone with
 * {@code java --add-modules jdk.incubator.vector -jar fovea-bench/target/fovea-benchmarks.jar ConvBench}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
public class ConvBench {
    /** A name from {@link ConvShapes#ALL}, in the same order (ConvShapesTest holds them equal). */
    @Param({
        "tutorial1-b128", "tutorial2-b128", "tutorial3-b128", "tutorial4-b128", "tutorial5-b128", "tutorial6-b128",
        "tutorial1-b32", "tutorial2-b32", "tutorial3-b32", "tutorial4-b32", "tutorial5-b32", "tutorial6-b32",
        "wide-64to256-b128", "wide-256to256-b128",
        "fast-whiten-b1024", "fast-g1a-b1024", "fast-g1b-b1024", "fast-g2a-b1024", "fast-g2b-b1024",
        "fast-g3a-b1024", "fast-g3b-b1024",
        "fast-small-g1a-b1024", "fast-small-g1b-b1024", "fast-small-g2a-b1024", "fast-small-g2b-b1024",
        "fast-small-g3a-b1024", "fast-small-g3b-b1024"})
    public String shape;

    /** The pool size set before the trial; results are bit-identical at either, times are not. */
    @Param({"1", "2"})
    public int threads;

    private WindowGeometry g;
    private int n;
    private int c;
    private int f;
    private float[] x;
    private float[] kernel;
    private float[] bias;
    private float[] y;
    private float[] relu;
    private float[] dy;
    private float[] dx;
    private float[] dkernel;
    private float[] dbias;
    private float[] work;

    @Setup(Level.Trial)
    public void setup() {
        setup(ConvShapes.byName(shape), threads);
    }

    /** The trial's setup for any shape: tests use it with shapes too small for the table. */
    void setup(ConvShape s, int threadCount) {
        Parallel.setThreads(threadCount);
        g = s.geometry();
        n = s.n();
        c = s.c();
        f = s.f();
        int in = Math.multiplyExact(n * g.h() * g.w(), c);
        int out = Math.multiplyExact(n * g.oh() * g.ow(), f);
        x = random(in, 1, 1f);
        // Glorot-uniform like Conv2D.build, so y and dx stay of order one.
        kernel = random(s.k() * s.k() * c * f, 2, (float) Math.sqrt(6.0 / (s.k() * s.k() * (c + f))));
        bias = s.bias() ? random(f, 3, 0.1f) : null;
        dbias = s.bias() ? new float[f] : null;
        y = new float[out];
        relu = s.relu() ? new float[out] : null;
        dy = random(out, 4, 1e-2f);
        dx = new float[in];
        dkernel = new float[kernel.length];
        work = new float[Convolution.workspaceSize(g, n, c)];
    }

    /** y = conv(x) + bias (and relu = max(y, 0) for layers that fuse it); returns y. */
    @Benchmark
    public float[] forward() {
        Convolution.forward(x, kernel, bias, y, relu, work, g, n, c, f);
        return y;
    }

    /** dx = the forward's adjoint of dy; returns dx. */
    @Benchmark
    public float[] backwardData() {
        Convolution.backwardData(dy, kernel, dx, work, g, n, c, f);
        return dx;
    }

    /** dkernel += colsᵀ·dy (and dbias += Σ dy); returns dkernel. */
    @Benchmark
    public float[] backwardWeights() {
        Convolution.backwardWeights(x, dy, dkernel, dbias, work, g, n, c, f);
        return dkernel;
    }

    // Package-private views for the tests, which check each pass against the scalar twin.
    float[] x() {
        return x;
    }

    float[] kernel() {
        return kernel;
    }

    float[] bias() {
        return bias;
    }

    float[] relu() {
        return relu;
    }

    float[] dy() {
        return dy;
    }

    float[] dbias() {
        return dbias;
    }

    /** Uniform in [−scale, scale), seeded, so every trial sees the same data. */
    static float[] random(int size, long seed, float scale) {
        Rng r = new Rng(seed);
        float[] a = new float[size];
        for (int i = 0; i < size; i++) {
            a[i] = (r.nextFloat() * 2f - 1f) * scale;
        }
        return a;
    }
}
