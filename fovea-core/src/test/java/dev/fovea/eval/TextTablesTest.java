package dev.fovea.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class TextTablesTest {
    @Test
    void classReportIsAlignedWithHandComputedValues() {
        ConfusionMatrix cm = ConfusionMatrix.of(ConfusionMatrixTest.TRUE, ConfusionMatrixTest.PRED,
                List.of("airplane", "b", "cat"));
        // precision 1, 1/3, 3/4; recall 3/4, 1/2, 3/4; F1 6/7, 2/5, 3/4 (see ClassMetricsTest).
        String expected = ""
                + "              precision     recall   f1-score    support\n"
                + "\n"
                + "airplane          1.000      0.750      0.857          4\n"
                + "b                 0.333      0.500      0.400          2\n"
                + "cat               0.750      0.750      0.750          4\n"
                + "\n"
                + "accuracy                                0.700         10\n"
                + "macro avg         0.694      0.667      0.669         10\n"
                + "weighted avg      0.767      0.700      0.723         10\n";
        assertEquals(expected, TextTables.classReport(cm.classMetrics()));
    }

    @Test
    void confusionMatrixColumnsFitNamesAndCounts() {
        int[][] labels = ConfusionMatrixTest.fromCounts(new int[][] {{120, 3, 0}, {0, 7, 1}, {0, 1, 3}});
        ConfusionMatrix cm = ConfusionMatrix.of(labels[0], labels[1], List.of("airplane", "b", "cat"));
        String expected = ""
                + "true \\ predicted  airplane    b  cat\n"
                + "airplane               120    3    0\n"
                + "b                        0    7    1\n"
                + "cat                      0    1    3\n";
        assertEquals(expected, TextTables.confusionMatrix(cm));
    }

    @Test
    void mostConfusedLines() {
        int[][] labels = ConfusionMatrixTest.fromCounts(new int[][] {{4, 2, 1}, {2, 3, 0}, {15, 0, 6}});
        ConfusionMatrix cm = ConfusionMatrix.of(labels[0], labels[1], List.of("cat", "dog", "bird"));
        String expected = ""
                + "bird -> cat  15  (71.4% of bird)\n"
                + "cat -> dog    2  (28.6% of cat)\n";
        assertEquals(expected, TextTables.mostConfused(cm.mostConfused(2)));
    }
}
