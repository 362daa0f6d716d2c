package dev.fovea.metric;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fovea.FoveaException;
import dev.fovea.tensor.Shape;
import dev.fovea.tensor.Tensor;
import org.junit.jupiter.api.Test;

class MetricTest {
    private static Tensor rows(int k, float... v) {
        return new Tensor(Shape.of(v.length / k, k), v);
    }

    @Test
    void accuracyCountsArgmaxWithFirstMaxOnTiesAcrossBatches() {
        Accuracy acc = new Accuracy();
        assertEquals(0.0, acc.result());
        // argmax 1 (right), tie between 0 and 2 → 0 (right), argmax 2 (wrong: label 0)
        acc.update(rows(3, 0.1f, 0.7f, 0.2f, 0.4f, 0.2f, 0.4f, 0.1f, 0.2f, 0.7f), new int[] {1, 0, 0});
        assertEquals(2.0 / 3, acc.result(), 1e-15);
        // tie resolved to 0, label 2 → wrong
        acc.update(rows(3, 0.5f, 0.0f, 0.5f), new int[] {2});
        assertEquals(2.0 / 4, acc.result(), 1e-15);
        acc.reset();
        acc.update(rows(2, -1f, 3f), new int[] {1});
        assertEquals(1.0, acc.result());
        assertEquals("accuracy", acc.name());
    }

    @Test
    void topKCountsLabelsAmongTheKHighestWithTensorFlowTies() {
        TopKAccuracy top2 = new TopKAccuracy(2);
        // scores 0.1 0.5 0.3 0.1: label 2 is 2nd (in), label 0 is tied last (out)
        top2.update(rows(4, 0.1f, 0.5f, 0.3f, 0.1f, 0.1f, 0.5f, 0.3f, 0.1f), new int[] {2, 0});
        assertEquals(0.5, top2.result());
        // three-way tie for first: every tied label is in the top 2 (fewer than 2 strictly higher)
        top2.update(rows(4, 0.3f, 0.3f, 0.3f, 0.1f), new int[] {2});
        assertEquals(2.0 / 3, top2.result(), 1e-15);
        assertEquals("sparse_top_k_categorical_accuracy", top2.name());

        TopKAccuracy top1 = new TopKAccuracy(1, "top1_accuracy");
        top1.update(rows(3, 0.4f, 0.2f, 0.4f), new int[] {2});
        assertEquals(1.0, top1.result());   // Accuracy would say 0 here (first max wins)
        top1.update(rows(3, Float.NaN, 0.2f, 0.4f), new int[] {0});
        assertEquals(0.5, top1.result());
        top1.reset();
        assertEquals(0.0, top1.result());
        assertEquals("top1_accuracy", top1.name());
    }

    @Test
    void topKWithKAtLeastClassesIsAlwaysRight() {
        TopKAccuracy top5 = new TopKAccuracy(5);
        top5.update(rows(3, 0.9f, 0.05f, 0.05f, 0f, 1f, 0f), new int[] {2, 0});
        assertEquals(1.0, top5.result());
    }

    @Test
    void rejectsOutOfRangeLabels() {
        FoveaException e = assertThrows(FoveaException.class,
                () -> new Accuracy().update(rows(2, 0f, 1f), new int[] {-1}));
        assertEquals("accuracy: label -1 at batch index 0 is outside [0, 2); "
                + "check that the model's output units match the number of classes", e.getMessage());
    }

    @Test
    void aRestoredStateContinuesTheCountExactly() {
        // 3 of 4 right in the first batch, 1 of 2 in the second: 4/6 over both.
        TopKAccuracy first = new TopKAccuracy(1);
        first.update(rows(2, 1f, 0f, 0f, 1f, 1f, 0f, 0f, 1f), new int[] {0, 1, 0, 0});
        assertArrayEquals(new double[] {3, 4}, first.state());
        TopKAccuracy resumed = new TopKAccuracy(1);
        resumed.restore(first.state());
        resumed.update(rows(2, 1f, 0f, 0f, 1f), new int[] {1, 1});
        assertEquals(4.0 / 6, resumed.result());
        FoveaException e = assertThrows(FoveaException.class, () -> new Accuracy().restore(new double[] {5, 2}));
        assertTrue(e.getMessage().startsWith("accuracy: expects a saved state of 2 whole counts"), e.getMessage());
    }
}
