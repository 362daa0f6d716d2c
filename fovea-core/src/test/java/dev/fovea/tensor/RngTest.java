package dev.fovea.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class RngTest {
    @Test
    void sameSeedSameSequenceAndRestorableState() {
        Rng a = new Rng(42);
        Rng b = new Rng(42);
        for (int i = 0; i < 10; i++) {
            assertEquals(a.nextLong(), b.nextLong());
        }
        long saved = a.state();
        long next = a.nextLong();
        b.setState(saved);
        assertEquals(next, b.nextLong());
    }

    @Test
    void splitStreamsDifferAndDoNotAdvanceParent() {
        Rng r = new Rng(7);
        long before = r.state();
        Rng s1 = r.split(1);
        Rng s2 = r.split(2);
        assertEquals(before, r.state());
        assertNotEquals(s1.nextLong(), s2.nextLong());
    }

    @Test
    void nextIntIsUniformEnough() {
        Rng r = new Rng(1);
        int[] counts = new int[10];
        int n = 100_000;
        for (int i = 0; i < n; i++) {
            counts[r.nextInt(10)]++;
        }
        for (int c : counts) {
            // 5 sigma of a binomial(1e5, 0.1) is about 474
            assertTrue(Math.abs(c - n / 10) < 500, "count " + c);
        }
        double sum = 0;
        for (int i = 0; i < n; i++) {
            float f = r.nextFloat();
            assertTrue(f >= 0f && f < 1f);
            sum += f;
        }
        assertEquals(0.5, sum / n, 0.005);
    }
}
