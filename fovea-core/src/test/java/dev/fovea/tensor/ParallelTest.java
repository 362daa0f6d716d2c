package dev.fovea.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ParallelTest {
    @AfterEach
    void restore() {
        Parallel.setThreads(Parallel.defaultThreads());
    }

    @Test
    void everyTaskRunsExactlyOnceAtAnyThreadCount() {
        for (int threads : new int[]{1, 2, 3}) {
            Parallel.setThreads(threads);
            int[] hits = new int[1000];
            Parallel.forEach(hits.length, i -> hits[i]++);
            int[] ones = new int[1000];
            java.util.Arrays.fill(ones, 1);
            assertArrayEquals(ones, hits, "threads=" + threads);
        }
    }

    /**
     * The pool reuses one job record: many short jobs in a row, where a worker often wakes after
     * the caller has finished a job alone and started the next, must still run each task of each
     * job exactly once, with that job's own arguments.
     */
    @Test
    void backToBackShortJobsEachRunEveryTaskOnceWithTheirOwnArguments() {
        Parallel.setThreads(3);
        java.util.Random r = new java.util.Random(5);
        int[][] hits = new int[20000][];
        for (int j = 0; j < hits.length; j++) {
            hits[j] = new int[1 + r.nextInt(6)];
            Parallel.forEach(hits[j].length, hits[j], (h, i) -> h[i]++);
        }
        for (int j = 0; j < hits.length; j++) {
            for (int i = 0; i < hits[j].length; i++) {
                assertEquals(1, hits[j][i], "job " + j + " task " + i);
            }
        }
    }

    @Test
    void aCallAllocatesNothing() {
        Parallel.setThreads(2);
        int[] counts = new int[64];
        Parallel.Kernel<int[]> body = (c, i) -> c[i]++;
        for (int i = 0; i < 20000; i++) {
            Parallel.forEach(counts.length, counts, body);
        }
        com.sun.management.ThreadMXBean tm = (com.sun.management.ThreadMXBean)
                java.lang.management.ManagementFactory.getThreadMXBean();
        long[] ids = tm.getAllThreadIds();
        long[] before = tm.getThreadAllocatedBytes(ids);
        for (int i = 0; i < 1000; i++) {
            Parallel.forEach(counts.length, counts, body);
        }
        long[] after = tm.getThreadAllocatedBytes(ids);
        long total = 0;
        for (int i = 0; i < ids.length; i++) {
            total += Math.max(0, after[i] - before[i]);
        }
        // The measurement itself (two long arrays) is the only allocation allowed.
        assertTrue(total < 2048, "1000 calls allocated " + total + " bytes");
    }

    @Test
    void nestedCallsRunInline() {
        Parallel.setThreads(2);
        AtomicInteger count = new AtomicInteger();
        Parallel.forEach(8, i -> Parallel.forEach(8, j -> count.incrementAndGet()));
        assertEquals(64, count.get());
    }

    @Test
    void aFailingTaskIsRethrownToTheCaller() {
        Parallel.setThreads(2);
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> Parallel.forEach(10, i -> {
                    if (i == 7) {
                        throw new IllegalStateException("task 7");
                    }
                }));
        assertEquals("task 7", e.getMessage());
        int[] hits = new int[5];
        Parallel.forEach(5, i -> hits[i] = 1);
        assertArrayEquals(new int[]{1, 1, 1, 1, 1}, hits);
    }

    /** Prints the pool size a fresh JVM chooses (run by the test below with FOVEA_THREADS set). */
    static final class Probe {
        public static void main(String[] args) {
            System.out.print(Parallel.threads());
        }
    }

    /** FOVEA_THREADS above the core count is capped, with one warning saying so. */
    @Test
    void moreThreadsThanCoresAreCappedWithOneWarning() throws Exception {
        ProcessBuilder pb = new ProcessBuilder(java.nio.file.Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "-cp", System.getProperty("java.class.path"), Probe.class.getName());
        pb.environment().put("FOVEA_THREADS", "1000");
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        String err = new String(p.getErrorStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), err);
        int cores = Runtime.getRuntime().availableProcessors();
        assertEquals(String.valueOf(cores), out.trim(), err);
        assertEquals(1, err.split("FOVEA_THREADS=1000 is more than the " + cores + " available cores", -1).length - 1,
                err);
        java.util.List<String> warnings = new java.util.ArrayList<>();
        assertEquals(1, Parallel.threadsFrom("1", cores, warnings::add));
        assertEquals(cores, Parallel.threadsFrom("0", cores, warnings::add));
        assertEquals(cores, Parallel.threadsFrom(null, cores, warnings::add));
        assertEquals(1, warnings.size(), warnings.toString());
    }
}
