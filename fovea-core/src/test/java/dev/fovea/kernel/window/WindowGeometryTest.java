package dev.fovea.kernel.window;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * The window record against hand-computed geometry: Keras's valid/same/full at strides 1–3 on
 * odd sizes, TensorFlow's SAME split (the odd pad after), the per-position clip helpers and the
 * rejected geometries. Expected values are worked out in the comments, not taken from the code.
 */
class WindowGeometryTest {
    private static void assertGeometry(WindowGeometry g, int oh, int ow, int padTop, int padLeft, int padBottom,
                                       int padRight) {
        String what = g.toString();
        assertEquals(oh, g.oh(), "oh of " + what);
        assertEquals(ow, g.ow(), "ow of " + what);
        assertEquals(padTop, g.padTop(), "padTop of " + what);
        assertEquals(padLeft, g.padLeft(), "padLeft of " + what);
        assertEquals(padBottom, g.padBottom(), "padBottom of " + what);
        assertEquals(padRight, g.padRight(), "padRight of " + what);
    }

    @Test
    void sameFollowsTensorFlowsSplit() {
        // 7×5, 3×3, stride 2: out ceil(7/2)=4 × ceil(5/2)=3; pad rows (4−1)·2+3−7 = 2 → 1 + 1,
        // pad columns (3−1)·2+3−5 = 2 → 1 + 1.
        assertGeometry(WindowGeometry.same(7, 5, 3, 3, 2, 2), 4, 3, 1, 1, 1, 1);
        // 6×6, 3×3, stride 2: out 3×3; pad (3−1)·2+3−6 = 1, all of it after (TensorFlow).
        assertGeometry(WindowGeometry.same(6, 6, 3, 3, 2, 2), 3, 3, 0, 0, 1, 1);
        // 5×4, 4×2, stride 1: out 5×4; rows 4−1 = 3 → 1 before, 2 after; columns 2−1 = 1 → 0 + 1.
        assertGeometry(WindowGeometry.same(5, 4, 4, 2, 1, 1), 5, 4, 1, 0, 2, 1);
        // 7×8, 3×2, stride 3: out ceil(7/3)=3 × ceil(8/3)=3; rows 2·3+3−7 = 2 → 1 + 1;
        // columns 2·3+2−8 = 0.
        assertGeometry(WindowGeometry.same(7, 8, 3, 2, 3, 3), 3, 3, 1, 0, 1, 0);
        // 5×5, 3×3, stride 1: the usual "same" conv, one zero on every side.
        assertGeometry(WindowGeometry.same(5, 5, 3, 3, 1, 1), 5, 5, 1, 1, 1, 1);
    }

    @Test
    void validPadsNothingAndDropsWhatNoWindowReaches() {
        // 7×5, 3×3, stride 1: 5×3.
        assertGeometry(WindowGeometry.valid(7, 5, 3, 3, 1, 1), 5, 3, 0, 0, 0, 0);
        // 7×5, 3×3, stride 2: floor(4/2)+1 = 3 × floor(2/2)+1 = 2; both reach the last row/column.
        assertGeometry(WindowGeometry.valid(7, 5, 3, 3, 2, 2), 3, 2, 0, 0, 0, 0);
        // 7×7, 2×2, stride 3: windows start at 0 and 3 (rows 0–4): out 2, rows 5 and 6 unread.
        assertGeometry(WindowGeometry.valid(7, 7, 2, 2, 3, 3), 2, 2, 0, 0, -2, -2);
        assertEquals(0, WindowGeometry.validOut(2, 3, 1), "a window larger than the input has no output");
    }

    @Test
    void fullPadsKernelMinusOneOnEverySide() {
        // 7×5, 3×3, stride 1: 7+3−1 = 9 × 5+3−1 = 7, two zeros on every side.
        assertGeometry(WindowGeometry.full(7, 5, 3, 3, 1, 1), 9, 7, 2, 2, 2, 2);
        // Stride 2: floor((7+1)/2)+1 = 5 × floor((5+1)/2)+1 = 4; starts −2..6 and −2..4 end on the pad.
        assertGeometry(WindowGeometry.full(7, 5, 3, 3, 2, 2), 5, 4, 2, 2, 2, 2);
        // 5×5, 2×2, stride 3: floor(5/3)+1 = 2; starts −1 and 2 cover −1..3, input row 4 unread.
        assertGeometry(WindowGeometry.full(5, 5, 2, 2, 3, 3), 2, 2, 1, 1, -1, -1);
    }

    @Test
    void clipHelpersGiveTheKernelRangeInsideTheInput() {
        WindowGeometry g = WindowGeometry.same(7, 5, 3, 3, 2, 2); // pads 1 before, 1 after
        // Output row 0 starts at input row −1: kernel row 0 is padding, rows 1 and 2 read rows 0, 1.
        assertEquals(-1, g.rowStart(0));
        assertEquals(1, g.kyBegin(0));
        assertEquals(3, g.kyEnd(0));
        // Output row 1 starts at row 1: the whole kernel is inside.
        assertEquals(1, g.rowStart(1));
        assertEquals(0, g.kyBegin(1));
        assertEquals(3, g.kyEnd(1));
        // Output row 3 starts at row 5: rows 5, 6 inside, row 7 is the bottom pad.
        assertEquals(5, g.rowStart(3));
        assertEquals(0, g.kyBegin(3));
        assertEquals(2, g.kyEnd(3));
        // Columns: output 0 starts at −1 (kernel columns 1–2), output 2 at 3 (columns 3, 4; 5 is pad).
        assertEquals(-1, g.colStart(0));
        assertEquals(1, g.kxBegin(0));
        assertEquals(3, g.kxEnd(0));
        assertEquals(3, g.colStart(2));
        assertEquals(0, g.kxBegin(2));
        assertEquals(2, g.kxEnd(2));
    }

    @Test
    void globalWindowCoversTheImageOnce() {
        WindowGeometry g = WindowGeometry.global(4, 6);
        assertEquals(new WindowGeometry(4, 6, 4, 6, 4, 6, 0, 0, 1, 1), g);
        assertEquals(0, g.kyBegin(0));
        assertEquals(4, g.kyEnd(0));
        assertEquals(6, g.kxEnd(0));
    }

    @Test
    void pointwiseOnlyForUnpaddedOneByOneStrideOne() {
        assertTrue(WindowGeometry.valid(5, 4, 1, 1, 1, 1).pointwise());
        assertTrue(WindowGeometry.same(5, 4, 1, 1, 1, 1).pointwise());
        assertFalse(WindowGeometry.valid(5, 4, 1, 1, 2, 1).pointwise());
        assertFalse(WindowGeometry.same(5, 4, 3, 3, 1, 1).pointwise());
    }

    @Test
    void stride1AdjointReadsDyWithTheComplementaryPads() {
        // valid 7×5, 3×3 → 5×3; its input gradient is a full convolution of dy: pads 2, output 7×5.
        assertEquals(new WindowGeometry(5, 3, 3, 3, 1, 1, 2, 2, 7, 5),
                WindowGeometry.valid(7, 5, 3, 3, 1, 1).stride1Adjoint());
        // same 5×4 with 4×2 (pads 1/2 rows, 0/1 columns) → pads 4−1−1 = 2 and 2−1−0 = 1.
        assertEquals(new WindowGeometry(5, 4, 4, 2, 1, 1, 2, 1, 5, 4),
                WindowGeometry.same(5, 4, 4, 2, 1, 1).stride1Adjoint());
        assertThrows(IllegalStateException.class, () -> WindowGeometry.same(7, 5, 3, 3, 2, 1).stride1Adjoint());
    }

    @Test
    void rejectsWindowsThatLeaveThePaddedInput() {
        // 4 rows, kernel 3, stride 1: only 2 outputs fit; a 5th would start at row 4.
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new WindowGeometry(4, 4, 3, 3, 1, 1, 0, 0, 5, 2));
        assertTrue(e.getMessage().contains("last window"), e.getMessage());
        // A pad as large as the kernel leaves the first window entirely in padding.
        e = assertThrows(IllegalArgumentException.class, () -> new WindowGeometry(4, 4, 3, 3, 1, 1, 3, 0, 4, 2));
        assertTrue(e.getMessage().contains("before-pads"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new WindowGeometry(4, 0, 3, 3, 1, 1, 0, 0, 2, 1));
        assertTrue(e.getMessage().contains("positive"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> WindowGeometry.valid(2, 5, 3, 3, 1, 1));
    }
}
