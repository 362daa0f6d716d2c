package dev.fovea.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Issue 20, defect 4: the summary table fits a terminal. Keras's minimum column widths made every
 * preset's table 87 columns wide, so each row folded in an 80-column terminal.
 */
class SummaryWidthTest {
    private static int widest(String table) {
        return table.lines().mapToInt(l -> l.codePointCount(0, l.length())).max().orElse(0);
    }

    @Test
    void everyPresetFitsEightyColumns() {
        for (String preset : Presets.names()) {
            Model m = Presets.create(preset, 32, 32, 3, 10);
            String table = Summary.of(m, 80);
            assertTrue(widest(table) <= 80, preset + ": " + widest(table) + " columns\n" + table);
            assertTrue(table.contains("batch_normalization_5 (BatchNormalization)"), preset + ": cells unbroken\n" + table);
            assertEquals(Summary.of(m).lines().filter(l -> l.startsWith("│")).count(),
                    table.lines().filter(l -> l.startsWith("│")).count(), preset + ": one line per layer at 80");
            // Without a width, Keras's layout as before.
            assertTrue(widest(Summary.of(m)) > 80, preset);
        }
    }

    /** In a narrower terminal the layer cells break at spaces, each row's lines kept together. */
    @Test
    void aNarrowTerminalBreaksCellsAtSpaces() {
        Model m = Presets.create("tutorial-cnn", 32, 32, 3, 10);
        String table = Summary.of(m, 60);
        assertTrue(widest(table) <= 60, table);
        List<String> lines = table.lines().toList();
        int at = lines.indexOf(lines.stream().filter(l -> l.startsWith("│ batch_normalization_5 ")).findFirst()
                .orElseThrow(() -> new AssertionError(table)));
        assertTrue(lines.get(at + 1).startsWith("│ (BatchNormalization) "), table);
        assertTrue(table.contains("Total params: "), table);
    }
}
