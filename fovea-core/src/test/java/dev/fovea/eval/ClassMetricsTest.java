package dev.fovea.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ClassMetricsTest {
    @Test
    void handComputedThreeClassExample() {
        // Counts a = [3,1,0], b = [0,1,1], c = [0,1,3]; predicted totals a 3, b 3, c 4.
        ClassMetrics m = ConfusionMatrix.of(ConfusionMatrixTest.TRUE, ConfusionMatrixTest.PRED,
                ConfusionMatrixTest.ABC).classMetrics();
        assertEquals(1.0, m.precision(0), 1e-15);
        assertEquals(1.0 / 3, m.precision(1), 1e-15);
        assertEquals(0.75, m.precision(2), 1e-15);
        assertEquals(0.75, m.recall(0), 1e-15);
        assertEquals(0.5, m.recall(1), 1e-15);
        assertEquals(0.75, m.recall(2), 1e-15);
        assertEquals(6.0 / 7, m.f1(0), 1e-15);
        assertEquals(0.4, m.f1(1), 1e-15);
        assertEquals(0.75, m.f1(2), 1e-15);
        assertEquals(4, m.support(0));
        assertEquals(2, m.support(1));
        assertEquals(0.7, m.accuracy(), 1e-15);

        ClassMetrics.Average macro = m.macroAverage();
        assertEquals(25.0 / 36, macro.precision(), 1e-15);
        assertEquals(2.0 / 3, macro.recall(), 1e-15);
        assertEquals(281.0 / 420, macro.f1(), 1e-15);
        assertEquals(10, macro.support());
        ClassMetrics.Average weighted = m.weightedAverage();
        assertEquals(23.0 / 30, weighted.precision(), 1e-15);
        assertEquals(0.7, weighted.recall(), 1e-15);
        assertEquals(253.0 / 350, weighted.f1(), 1e-15);
    }

    @Test
    void neverPredictedAndAbsentClassesScoreZeroAndCountInMacro() {
        // Class b is present but never predicted; class d is neither present nor predicted.
        int[] t = {0, 1, 1, 2};
        int[] p = {0, 0, 2, 2};
        ClassMetrics m = ConfusionMatrix.of(t, p, List.of("a", "b", "c", "d")).classMetrics();
        assertEquals(0.0, m.precision(1));
        assertEquals(0.0, m.recall(1));
        assertEquals(0.0, m.f1(1));
        assertEquals(0.0, m.precision(3));
        assertEquals(0.0, m.recall(3));
        assertEquals(0, m.support(3));
        // a: p 1/2, r 1; c: p 1/2, r 1 -> macro precision (0.5 + 0 + 0.5 + 0) / 4.
        assertEquals(0.25, m.macroAverage().precision(), 1e-15);
        assertEquals(0.5, m.macroAverage().recall(), 1e-15);
        // Weighted by support 1, 2, 1, 0 over 4 examples.
        assertEquals((0.5 + 0.5) / 4, m.weightedAverage().precision(), 1e-15);
    }

    @Test
    void f1MatchesTwoTpOverTwoTpPlusFpPlusFnOnRandomLabels() {
        // Independent route: count TP, FP, FN straight from the label arrays and use
        // F1 = 2TP / (2TP + FP + FN), which never goes through precision and recall.
        Random r = new Random(3);
        int n = 400, k = 5;
        int[] t = new int[n];
        int[] p = new int[n];
        for (int i = 0; i < n; i++) {
            t[i] = r.nextInt(k);
            p[i] = r.nextBoolean() ? t[i] : r.nextInt(k);
        }
        ClassMetrics m = ConfusionMatrix.of(t, p, List.of("v", "w", "x", "y", "z")).classMetrics();
        double weightedRecall = 0;
        for (int c = 0; c < k; c++) {
            int tp = 0, fp = 0, fn = 0;
            for (int i = 0; i < n; i++) {
                if (p[i] == c && t[i] == c) {
                    tp++;
                } else if (p[i] == c) {
                    fp++;
                } else if (t[i] == c) {
                    fn++;
                }
            }
            assertEquals(2.0 * tp / (2.0 * tp + fp + fn), m.f1(c), 1e-12, "class " + c);
            assertEquals((double) tp / (tp + fp), m.precision(c), 1e-12);
            weightedRecall += (double) tp / n;
        }
        // Support-weighted recall is the accuracy.
        assertEquals(m.accuracy(), m.weightedAverage().recall(), 1e-12);
        assertEquals(weightedRecall, m.accuracy(), 1e-12);
    }
}
