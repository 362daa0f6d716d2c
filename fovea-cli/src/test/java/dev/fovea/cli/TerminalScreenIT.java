package dev.fovea.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 20 ("What a new user still trips on"), as the person met it: {@code ./fovea} in an
 * 80×24 pseudo-terminal ({@link Pty}), the assertions on what the screen shows. An
 * integration test: it runs the packaged jar through the launcher, after {@code package}.
 */
class TerminalScreenIT {
    @TempDir
    Path tmp;

    /** The rows of the output, the empty prompt row after the last line left out. */
    private static List<String> lines(Pty p) {
        List<String> rows = p.rows();
        int n = rows.size();
        while (n > 0 && rows.get(n - 1).isEmpty()) {
            n--;
        }
        return rows.subList(0, n);
    }

    private static void noFoldedRows(Pty p) {
        assertEquals(List.of(), p.folded(), "rows the terminal folded mid-word:\n" + p.text());
    }

    /** Defect 2: a mistyped value or option is the error and the help command, all on one screen. */
    @Test
    void aMistypedNumberIsTheErrorAndTheHelpCommandNotAScreenOfUsage() throws Exception {
        Pty epochs = Pty.run(tmp, 60, "train", "--epochs", "abc");
        assertEquals(2, epochs.exitCode(), epochs.text());
        assertEquals(List.of("error: --epochs abc: expected a number (total epochs of the run, may be",
                "  fractional as 9.9), received 'abc'",
                "for the options of train, run: ./fovea help train"), lines(epochs));
        noFoldedRows(epochs);

        Pty batch = Pty.run(tmp, 60, "train", "--batch-size", "1.5");
        assertEquals(2, batch.exitCode(), batch.text());
        assertEquals(List.of("error: --batch-size 1.5: expected a whole number (images per training step),",
                "  received '1.5'", "for the options of train, run: ./fovea help train"), lines(batch));

        Pty option = Pty.run(tmp, 60, "train", "--epoch", "1");
        assertEquals(2, option.exitCode(), option.text());
        assertEquals(List.of("error: fovea train has no option --epoch; did you mean --epochs?",
                "for the options of train, run: ./fovea help train"), lines(option));
        assertTrue(!option.text().contains("'1'"), option.text());
    }
}
