package dev.fovea.tensor;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The float32 FMA peak a Java kernel can reach on this machine: independent Vector API FMA
 * chains held in registers, on every thread at once. It is the ceiling the kernels are measured
 * against ({@code fovea bench}), the Java counterpart of {@code shared/peers/fp32_peak.c}, and it
 * follows the machine (the preferred vector width is 512 bits on AVX-512 cores, 256 on AVX2
 * ones). Not a kernel: it computes nothing anybody reads but its checksum.
 */
public final class FmaPeak {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    /** FMAs per chain between clock reads: long enough that reading the clock costs nothing. */
    private static final int ROUNDS = 4096;
    /** Independent accumulators: enough to cover FMA latency × FMA units (4 × 2 on current cores). */
    static final int CHAINS = 12;

    private FmaPeak() {
    }

    /** The measurement: GFLOPS over all threads, and the lanes of the vectors used. */
    public record Result(double gflops, int threads, int lanes) {
    }

    /**
     * Runs {@code threads} threads together, each timing its FMA chains for about
     * {@code millis} after a warm-up of the same length, and returns the FLOPs of all threads over
     * the wall time of the slowest.
     */
    public static Result measure(int threads, long millis) {
        if (threads < 1 || millis < 1) {
            throw new IllegalArgumentException("threads and millis must be positive: " + threads + ", " + millis);
        }
        long[] flops = new long[threads];
        long[] nanos = new long[threads];
        Thread[] workers = new Thread[threads];
        java.util.concurrent.CyclicBarrier start = new java.util.concurrent.CyclicBarrier(threads);
        for (int t = 0; t < threads; t++) {
            int id = t;
            workers[t] = new Thread(() -> {
                chains(millis * 1_000_000L); // warm-up: C2 compiles the loop
                try {
                    start.await();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
                long t0 = System.nanoTime();
                long fmas = chains(millis * 1_000_000L);
                nanos[id] = System.nanoTime() - t0;
                flops[id] = fmas * 2L * S.length();
            }, "fovea-peak-" + t);
            workers[t].start();
        }
        long total = 0;
        long slowest = 1;
        for (int t = 0; t < threads; t++) {
            try {
                workers[t].join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while measuring the FMA peak", e);
            }
            total += flops[t];
            slowest = Math.max(slowest, nanos[t]);
        }
        return new Result(total / (double) slowest, threads, S.length());
    }

    /** Vector FMAs done in about {@code budget} nanoseconds (a multiple of CHAINS × ROUNDS). */
    static long chains(long budget) {
        float[] state = new float[CHAINS * S.length()];
        for (int i = 0; i < state.length; i++) {
            state[i] = 0.1f * (1 + i % CHAINS);
        }
        long done = 0;
        long end = System.nanoTime() + budget;
        do {
            burst(state);
            done += (long) CHAINS * ROUNDS;
        } while (System.nanoTime() < end);
        float sink = 0;
        for (float v : state) {
            sink += v;
        }
        // The checksum keeps the chains alive: C2 drops a loop whose results nobody reads.
        return Float.isNaN(sink) ? done + 1 : done;
    }

    /**
     * ROUNDS FMAs on each of the CHAINS accumulators kept in {@code state}. A short method called
     * again and again, so C2 compiles it whole: a long-running loop compiled on stack (OSR)
     * kept its vectors boxed on the heap and ran at a few GFLOPS. Each accumulator is loaded into
     * a local of its own (VECTOR-API.md: no shared zero(), no vectors passed to methods).
     */
    private static void burst(float[] state) {
        int l = S.length();
        FloatVector b = FloatVector.broadcast(S, 0.999999f);
        FloatVector c = FloatVector.broadcast(S, 1e-7f);
        FloatVector a0 = FloatVector.fromArray(S, state, 0);
        FloatVector a1 = FloatVector.fromArray(S, state, l);
        FloatVector a2 = FloatVector.fromArray(S, state, 2 * l);
        FloatVector a3 = FloatVector.fromArray(S, state, 3 * l);
        FloatVector a4 = FloatVector.fromArray(S, state, 4 * l);
        FloatVector a5 = FloatVector.fromArray(S, state, 5 * l);
        FloatVector a6 = FloatVector.fromArray(S, state, 6 * l);
        FloatVector a7 = FloatVector.fromArray(S, state, 7 * l);
        FloatVector a8 = FloatVector.fromArray(S, state, 8 * l);
        FloatVector a9 = FloatVector.fromArray(S, state, 9 * l);
        FloatVector a10 = FloatVector.fromArray(S, state, 10 * l);
        FloatVector a11 = FloatVector.fromArray(S, state, 11 * l);
        for (int r = 0; r < ROUNDS; r++) {
            a0 = a0.fma(b, c);
            a1 = a1.fma(b, c);
            a2 = a2.fma(b, c);
            a3 = a3.fma(b, c);
            a4 = a4.fma(b, c);
            a5 = a5.fma(b, c);
            a6 = a6.fma(b, c);
            a7 = a7.fma(b, c);
            a8 = a8.fma(b, c);
            a9 = a9.fma(b, c);
            a10 = a10.fma(b, c);
            a11 = a11.fma(b, c);
        }
        a0.intoArray(state, 0);
        a1.intoArray(state, l);
        a2.intoArray(state, 2 * l);
        a3.intoArray(state, 3 * l);
        a4.intoArray(state, 4 * l);
        a5.intoArray(state, 5 * l);
        a6.intoArray(state, 6 * l);
        a7.intoArray(state, 7 * l);
        a8.intoArray(state, 8 * l);
        a9.intoArray(state, 9 * l);
        a10.intoArray(state, 10 * l);
        a11.intoArray(state, 11 * l);
    }
}
