package dev.fovea.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fovea.FoveaException;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ConfusionMatrixTest {
    static final List<String> ABC = List.of("a", "b", "c");
    // Hand-tallied: rows (true) a = [3,1,0], b = [0,1,1], c = [0,1,3]; 7 of 10 correct.
    static final int[] TRUE = {0, 0, 0, 1, 1, 2, 2, 2, 2, 0};
    static final int[] PRED = {0, 1, 0, 1, 2, 2, 2, 1, 2, 0};

    @Test
    void countsAccuracyAndRowNormalization() {
        ConfusionMatrix cm = ConfusionMatrix.of(TRUE, PRED, ABC);
        assertArrayEquals(new long[][] {{3, 1, 0}, {0, 1, 1}, {0, 1, 3}}, cm.counts());
        assertEquals(10, cm.total());
        assertEquals(0.7, cm.accuracy(), 1e-15);
        assertEquals(4, cm.support(0));
        assertEquals(3, cm.predictedCount(1));
        double[][] n = cm.rowNormalized();
        assertArrayEquals(new double[] {0.75, 0.25, 0}, n[0], 1e-15);
        assertArrayEquals(new double[] {0, 0.5, 0.5}, n[1], 1e-15);
        assertArrayEquals(new double[] {0, 0.25, 0.75}, n[2], 1e-15);
    }

    @Test
    void absentClassHasZeroRowNotNaN() {
        ConfusionMatrix cm = ConfusionMatrix.of(TRUE, PRED, List.of("a", "b", "c", "d"));
        assertArrayEquals(new double[] {0, 0, 0, 0}, cm.rowNormalized()[3], 0);
    }

    @Test
    void mostConfusedSortsByCountThenClassOrder() {
        // Off-diagonal counts: (c,a) = 5, (a,b) = 2, (b,a) = 2, (a,c) = 1; (b,c) = 0 is left out.
        int[][] cells = {{4, 2, 1}, {2, 3, 0}, {5, 0, 6}};
        int[][] labels = fromCounts(cells);
        ConfusionMatrix cm = ConfusionMatrix.of(labels[0], labels[1], ABC);
        List<ConfusedPair> all = cm.mostConfused(10);
        assertEquals(4, all.size());
        assertEquals(new ConfusedPair(2, 0, "c", "a", 5, 5.0 / 11), all.get(0));
        assertEquals(new ConfusedPair(0, 1, "a", "b", 2, 2.0 / 7), all.get(1));
        assertEquals(new ConfusedPair(1, 0, "b", "a", 2, 2.0 / 5), all.get(2));
        assertEquals(new ConfusedPair(0, 2, "a", "c", 1, 1.0 / 7), all.get(3));
        assertEquals(all.subList(0, 2), cm.mostConfused(2));
        assertEquals(List.of(), cm.mostConfused(0));
    }

    @Test
    void rejectsMismatchedLengthsAndOutOfRangeLabels() {
        FoveaException e = assertThrows(FoveaException.class,
                () -> ConfusionMatrix.of(new int[] {0, 1}, new int[] {0}, ABC));
        assertTrue(e.getMessage().contains("1 predictions for 2 labels"), e.getMessage());
        e = assertThrows(FoveaException.class, () -> ConfusionMatrix.of(new int[] {0, 3}, new int[] {0, 1}, ABC));
        assertTrue(e.getMessage().contains("true label of example 1 is 3, expected a value in [0, 3)"),
                e.getMessage());
        e = assertThrows(FoveaException.class, () -> ConfusionMatrix.of(new int[0], new int[0], ABC));
        assertTrue(e.getMessage().contains("empty"), e.getMessage());
    }

    @Test
    void randomLabelsAgreeWithDirectTally() {
        Random r = new Random(11);
        int n = 500, k = 7;
        int[] t = new int[n];
        int[] p = new int[n];
        for (int i = 0; i < n; i++) {
            t[i] = r.nextInt(k);
            p[i] = r.nextInt(3) == 0 ? r.nextInt(k) : t[i];
        }
        ConfusionMatrix cm = ConfusionMatrix.of(t, p, List.of("0", "1", "2", "3", "4", "5", "6"));
        int correct = 0;
        for (int i = 0; i < n; i++) {
            correct += t[i] == p[i] ? 1 : 0;
        }
        assertEquals((double) correct / n, cm.accuracy(), 1e-15);
        long sum = 0;
        for (long[] row : cm.counts()) {
            for (long v : row) {
                sum += v;
            }
        }
        assertEquals(n, sum);
    }

    /** Label arrays realizing a given count matrix (rows true, columns predicted). */
    static int[][] fromCounts(int[][] cells) {
        int n = 0;
        for (int[] row : cells) {
            for (int v : row) {
                n += v;
            }
        }
        int[] t = new int[n];
        int[] p = new int[n];
        int i = 0;
        for (int a = 0; a < cells.length; a++) {
            for (int b = 0; b < cells.length; b++) {
                for (int j = 0; j < cells[a][b]; j++, i++) {
                    t[i] = a;
                    p[i] = b;
                }
            }
        }
        return new int[][] {t, p};
    }
}
