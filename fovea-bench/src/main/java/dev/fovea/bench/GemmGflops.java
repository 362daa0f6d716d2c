package dev.fovea.bench;

import dev.fovea.kernel.gemm.Gemm;
import dev.fovea.tensor.Parallel;
import dev.fovea.tensor.Rng;

/**
 * A quick, non-JMH GFLOPS printout of {@link Gemm#gemm} on {@link GemmShapes} at 1 and 2
 * threads: a few warm-up calls, then the best of a few timed calls. Rough by design (no forks,
 * no statistics); use {@link GemmBench} for figures worth quoting. Run with
 * {@code java --add-modules jdk.incubator.vector -cp <core and bench classes> dev.fovea.bench.GemmGflops}.
 */
public final class GemmGflops {
    private GemmGflops() {
    }

    static float[] random(int n, long seed) {
        Rng r = new Rng(seed);
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = r.nextFloat() * 2f - 1f;
        }
        return a;
    }

    public static void main(String[] args) {
        int reps = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        for (int threads : new int[]{1, 2}) {
            Parallel.setThreads(threads);
            for (Object[] s : GemmShapes.SHAPES) {
                int m = (Integer) s[0];
                int n = (Integer) s[1];
                int k = (Integer) s[2];
                float[] a = random(m * k, 1);
                float[] b = random(k * n, 2);
                float[] c = new float[m * n];
                double flops = 2.0 * m * n * k;
                // Warm up until the JIT has compiled the kernels (about a GFLOP of work).
                for (int i = 0; i < Math.max(3, (int) (3e9 / flops)); i++) {
                    Gemm.gemm(a, 0, k, false, b, 0, n, false, c, 0, n, m, n, k, false);
                }
                long best = Long.MAX_VALUE;
                for (int i = 0; i < reps; i++) {
                    long t0 = System.nanoTime();
                    Gemm.gemm(a, 0, k, false, b, 0, n, false, c, 0, n, m, n, k, false);
                    best = Math.min(best, System.nanoTime() - t0);
                }
                System.out.printf("threads=%d %-20s m=%7d n=%5d k=%5d  %7.1f GFLOPS  (%.2f ms)%n",
                        threads, s[3], m, n, k, flops / best, best / 1e6);
            }
        }
    }
}
