package dev.fovea.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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

    private static final List<String> CIFAR = List.of("airplane", "automobile", "bird", "cat", "deer", "dog", "frog",
            "horse", "ship", "truck");

    /** A confusion matrix of {@code k} classes with up to 4-digit counts (CIFAR-10's 1,000 test images a class). */
    private static ConfusionMatrix big(List<String> names) {
        int k = names.size();
        int[][] cells = new int[k][k];
        for (int t = 0; t < k; t++) {
            for (int p = 0; p < k; p++) {
                cells[t][p] = t == p ? 1000 : (t * 7 + p * 3) % 40;
            }
        }
        int[][] labels = ConfusionMatrixTest.fromCounts(cells);
        return ConfusionMatrix.of(labels[0], labels[1], names);
    }

    private static int widest(String table) {
        return table.lines().mapToInt(String::length).max().orElse(0);
    }

    /**
     * Issue 20, defect 4: CIFAR-10's matrix was 86 columns wide with its full names as headers,
     * so every row folded in an 80-column terminal. At 80 the long names are shortened to their
     * first letters, with a legend; rows keep the full names.
     */
    @Test
    void cifarsConfusionMatrixFitsEightyColumnsWithALegend() {
        ConfusionMatrix cm = big(CIFAR);
        assertTrue(widest(TextTables.confusionMatrix(cm)) > 80, "the full names do not fit");
        String t = TextTables.confusionMatrix(cm, 80);
        assertTrue(widest(t) <= 80, t);
        List<String> lines = t.lines().toList();
        assertEquals("true \\ predicted  airpl  autom  bird   cat  deer   dog  frog  horse  ship  truck", lines.get(0));
        assertTrue(lines.get(2).startsWith("automobile            "), t);
        assertEquals("columns: airpl = airplane, autom = automobile", lines.get(lines.size() - 1));
        assertEquals(TextTables.confusionMatrix(cm), TextTables.confusionMatrix(cm, 120), "a wide terminal: full names");
    }

    /** Names that stay alike when shortened are numbered instead; too many classes come in column blocks. */
    @Test
    void alikeOrManyClassesAreNumberedAndSplitIntoBlocks() {
        List<String> alike = new java.util.ArrayList<>();
        for (int c = 0; c < 10; c++) {
            alike.add("category_number_" + c);
        }
        String t = TextTables.confusionMatrix(big(alike), 80);
        assertTrue(widest(t) <= 80, t);
        assertTrue(t.lines().toList().get(1).startsWith("0 category_number_0"), t);
        assertTrue(t.endsWith("(columns are numbered as the rows)\n"), t);

        List<String> many = new java.util.ArrayList<>();
        for (int c = 0; c < 40; c++) {
            many.add("class" + c);
        }
        String b = TextTables.confusionMatrix(big(many), 80);
        assertTrue(widest(b) <= 80, b);
        assertTrue(b.startsWith("predicted classes 0 to "), b);
        assertTrue(b.contains("\npredicted classes "), b);
    }

    @Test
    void aClassReportWithLongNamesFitsWithALegend() {
        List<String> names = List.of("a very long class name for a report", "another very long class name", "c");
        int[][] labels = ConfusionMatrixTest.fromCounts(new int[][] {{5, 1, 0}, {0, 4, 1}, {1, 0, 3}});
        ConfusionMatrix cm = ConfusionMatrix.of(labels[0], labels[1], names);
        assertTrue(widest(TextTables.classReport(cm.classMetrics())) > 60);
        String r = TextTables.classReport(cm.classMetrics(), 60);
        assertTrue(widest(r) <= 60, r);
        assertTrue(r.contains("\na very long clas      0.833"), r);
        assertTrue(r.endsWith("classes: a very long clas = a very long class name for a\n"
                + "         report, another very lon = another very long class\n         name\n"), r);
    }
}
