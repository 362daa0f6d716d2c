package dev.fovea.kernel.conv;

import dev.fovea.kernel.gemm.generated.GemmKernels;
import dev.fovea.kernel.window.WindowGeometry;

import dev.fovea.tensor.Parallel;
import dev.fovea.tensor.Rng;
import java.util.Arrays;
import java.util.Locale;

/**
 * A/B timing of the 3×3 same forward convolution: A = {@link Convolution#forward} by the implicit-GEMM route (the GEMM routes
 * Convolution takes without Winograd), B = {@link Winograd#forward}, on the tutorial CNN's six
 * convolutions ({@code Conv2D(f, 3, SAME, RELU)}: bias on, ReLU fused) and a few narrower ones,
 * at batch 128, 32 and 1. The
 * evidence behind {@code Tunables.WINOGRAD_MIN_CHANNELS}. A plain main, not JMH: A and B alternate
 * within one process, round after round (the order swapped every round), so load from other
 * processes on a shared machine falls on both alike; it prints per-call medians and ranges and the
 * A/B ratio of each round (&gt; 1: Winograd faster). Package {@code dev.fovea.kernel} for the two
 * package-private entry points; test scope, so it is neither a test nor shipped.
 *
 * <p>Run (after {@code mvn -pl fovea-core,fovea-bench -am test-compile}), FOVEA_THREADS to choose
 * the threads: {@code java --add-modules jdk.incubator.vector -cp
 * fovea-core/target/classes:fovea-bench/target/test-classes dev.fovea.kernel.WinogradAB [rounds]}
 */
public final class WinogradAB {
    private WinogradAB() {
    }

    /**
     * Input size, channels, filters: the tutorial CNN's six convolutions, then narrower ones that
     * locate the channel and filter thresholds.
     */
    private static final int[][] SHAPES = {{32, 3, 32}, {32, 32, 32}, {16, 32, 64}, {16, 64, 64}, {8, 64, 128},
        {8, 128, 128}, {32, 8, 32}, {32, 16, 16}, {32, 16, 32}, {32, 32, 16}, {32, 32, 8}};

    /** Batches to time: 128, 32 and 1, or only {@code -Dab.batch=N}. */
    private static final int[] BATCHES = Integer.getInteger("ab.batch", 0) > 0
            ? new int[]{Integer.getInteger("ab.batch", 0)} : new int[]{128, 32, 1};

    public static void main(String[] args) {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 9;
        System.out.printf(Locale.ROOT, "threads=%d vector=%d floats rounds=%d%n", Parallel.threads(),
                GemmKernels.VL, rounds);
        System.out.println("shape               batch  A gemm ms (median, range)   B winograd ms (median, range)"
                + "   A/B (median, range)");
        for (int batch : BATCHES) {
            for (int[] s : SHAPES) {
                run(batch, s[0], s[1], s[2], rounds);
            }
        }
    }

    private static void run(int n, int hw, int c, int f, int rounds) {
        WindowGeometry g = WindowGeometry.same(hw, hw, 3, 3, 1, 1);
        Rng r = new Rng(1);
        float[] x = random(r, n * hw * hw * c);
        float[] k = random(r, 9 * c * f);
        float[] bias = random(r, f);
        float[] y = new float[n * hw * hw * f];
        float[] relu = new float[y.length];
        float[] work = new float[Convolution.workspaceSize(g, n, c)];
        Runnable a = () -> Convolution.forward(Convolution.Route.IMPLICIT_GEMM, x, k, bias, y, relu, work, g, n, c, f);
        Runnable b = () -> Winograd.forward(x, k, bias, y, relu, g, n, c, f);
        // Warm up both for about a second each (JIT), and size a sample at about 50 ms.
        double perCall = Math.min(warm(a), warm(b));
        int reps = (int) Math.max(1, Math.round(50.0 / perCall));
        double[] ta = new double[rounds];
        double[] tb = new double[rounds];
        double[] ratio = new double[rounds];
        for (int i = 0; i < rounds; i++) {
            if (i % 2 == 0) {
                ta[i] = time(a, reps);
                tb[i] = time(b, reps);
            } else {
                tb[i] = time(b, reps);
                ta[i] = time(a, reps);
            }
            ratio[i] = ta[i] / tb[i];
        }
        System.out.printf(Locale.ROOT, "%2dx%-2dx%-3d->%-4d %6d  %8.3f [%.3f-%.3f]        %8.3f [%.3f-%.3f]"
                        + "            %.2f [%.2f-%.2f]%n",
                hw, hw, c, f, n, median(ta), min(ta), max(ta), median(tb), min(tb), max(tb), median(ratio),
                min(ratio), max(ratio));
    }

    private static double warm(Runnable body) {
        long end = System.nanoTime() + 1_000_000_000L;
        int calls = 0;
        long t0 = System.nanoTime();
        while (System.nanoTime() < end || calls < 3) {
            body.run();
            calls++;
        }
        return (System.nanoTime() - t0) / 1e6 / calls;
    }

    /** Milliseconds per call over reps calls. */
    private static double time(Runnable body, int reps) {
        long t0 = System.nanoTime();
        for (int i = 0; i < reps; i++) {
            body.run();
        }
        return (System.nanoTime() - t0) / 1e6 / reps;
    }

    private static float[] random(Rng r, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = r.nextFloat() * 2f - 1f;
        }
        return v;
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    private static double min(double[] v) {
        return Arrays.stream(v).min().orElse(Double.NaN);
    }

    private static double max(double[] v) {
        return Arrays.stream(v).max().orElse(Double.NaN);
    }
}
