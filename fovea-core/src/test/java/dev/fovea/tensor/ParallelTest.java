package dev.fovea.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

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
}
