package dev.fovea.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fovea.FoveaException;
import java.util.List;
import org.junit.jupiter.api.Test;

class MisclassifiedTest {
    // Five examples, three classes; rows are probabilities.
    static final float[] PROBS = {
        0.7f, 0.2f, 0.1f,   // 0: predicts 0, true 0 (right)
        0.1f, 0.3f, 0.6f,   // 1: predicts 2, true 1 (wrong, 0.6)
        0.9f, 0.05f, 0.05f, // 2: predicts 0, true 2 (wrong, 0.9)
        0.4f, 0.4f, 0.2f,   // 3: tie between 0 and 1 -> 0, true 1 (wrong, 0.4)
        0.2f, 0.2f, 0.6f,   // 4: predicts 2, true 0 (wrong, 0.6, ties with example 1)
    };
    static final int[] TRUE = {0, 1, 2, 1, 0};

    @Test
    void argmaxTakesFirstOnTies() {
        assertArrayEquals(new int[] {0, 2, 0, 0, 2}, Misclassified.argmax(PROBS, 3));
    }

    @Test
    void mostConfidentMistakesFirstTiesInExampleOrder() {
        int[] pred = Misclassified.argmax(PROBS, 3);
        List<Misclassified.Example> top = Misclassified.mostConfident(TRUE, pred, PROBS, 3, 10);
        assertEquals(List.of(
                new Misclassified.Example(2, 2, 0, 0.9f),
                new Misclassified.Example(1, 1, 2, 0.6f),
                new Misclassified.Example(4, 0, 2, 0.6f),
                new Misclassified.Example(3, 1, 0, 0.4f)), top);
        assertArrayEquals(new int[] {2, 1}, Misclassified.mostConfidentIndices(TRUE, pred, PROBS, 3, 2));
    }

    @Test
    void rejectsProbabilitiesOfWrongShape() {
        FoveaException e = assertThrows(FoveaException.class,
                () -> Misclassified.mostConfident(TRUE, TRUE, new float[7], 3, 1));
        assertTrue(e.getMessage().contains("received 7 values, not a multiple of 3"), e.getMessage());
        e = assertThrows(FoveaException.class,
                () -> Misclassified.mostConfident(new int[4], TRUE, PROBS, 3, 1));
        assertTrue(e.getMessage().contains("received 4 true and 5 predicted"), e.getMessage());
    }
}
