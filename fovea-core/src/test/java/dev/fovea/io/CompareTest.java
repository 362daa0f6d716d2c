package dev.fovea.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class CompareTest {
    @Test
    void absoluteBoundaryAtZero() {
        // b = 0: the bound is exactly 1e-4. The float nearest 1e-4 lies just below it.
        float tol = 1e-4f;
        assertTrue((double) tol <= 1e-4);
        assertTrue(Compare.close(tol, 0f));
        assertTrue(Compare.close(-tol, 0f));
        assertFalse(Compare.close(Math.nextUp(tol), 0f));
        assertFalse(Compare.close(-Math.nextUp(tol), 0f));
    }

    @Test
    void relativeBoundaryAtLargeValues() {
        // b = 1000: bound 1e-4 + 1 = 1.0001; float spacing near 1001 is 2^-13 ≈ 1.22e-4.
        assertTrue(Compare.close(1001f, 1000f));
        assertTrue(Compare.close(999f, 1000f));
        assertTrue(Compare.close(-1001f, -1000f), "the rule uses |b|");
        assertFalse(Compare.close(Math.nextUp(Math.nextUp(1001f)), 1000f), "1.000244 > 1.0001");
        assertFalse(Compare.close(1001f, 999.5f));
        // Relative to the expected value, not the actual: a=1000, b=1 fails although a is large.
        assertFalse(Compare.close(1000f, 1f));
    }

    @Test
    void resultReportsMaxErrorAndWorstElement() {
        float[] expected = {0f, 1000f, 1f, -2f};
        float[] actual = {5e-5f, 1000.5f, 1.0005f, -2f};
        Compare.Result r = Compare.floats(actual, expected);
        assertTrue(r.passed(), r.describe());
        assertEquals(0, r.failures());
        assertEquals(0.5, r.maxAbsError(), 1e-9);
        // 5e-5/1e-4 = 0.5 and 0.5/1.0001 ≈ 0.49995: index 2's 5e-4/1.1e-3 ≈ 0.4545 is smaller.
        assertEquals(0, r.worstIndex());
        assertTrue(r.describe().startsWith("passed: 4 elements, max |a-b| 0.500"), r.describe());

        actual[2] = 1.01f;
        r = Compare.floats(actual, expected);
        assertFalse(r.passed());
        assertEquals(1, r.failures());
        assertEquals(2, r.worstIndex(), "furthest outside its own tolerance, though not the largest |a-b|");
        assertEquals(0.5, r.maxAbsError(), 1e-9);
        assertEquals(1.01f, r.worstActual());
        assertEquals(1f, r.worstExpected());
        assertTrue(r.describe().contains("1 of 4 elements outside"), r.describe());
    }

    @Test
    void nanAndLengthMismatchFail() {
        Compare.Result nan = Compare.floats(new float[] {1f, Float.NaN, 3f}, new float[] {1f, 2f, 3f});
        assertFalse(nan.passed());
        assertEquals(1, nan.failures());
        assertTrue(Double.isNaN(nan.maxAbsError()));
        assertEquals(1, nan.worstIndex());
        Compare.Result both = Compare.floats(new float[] {Float.NaN}, new float[] {Float.NaN});
        assertFalse(both.passed(), "NaN never passes, even against NaN");
        Compare.Result len = Compare.floats(new float[3], new float[4]);
        assertFalse(len.passed());
        assertEquals("FAILED: length 3, expected 4", len.describe());
        Compare.Result empty = Compare.floats(new float[0], new float[0]);
        assertTrue(empty.passed());
        assertEquals(-1, empty.worstIndex());
    }
}
