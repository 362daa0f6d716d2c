package dev.fovea.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fovea.FoveaException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.NoSuchFileException;
import java.util.List;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** How the command line reports failures: user errors as one message (exit 2), bugs as internal errors (exit 1). */
class MainTest {
    /** A command failing with the given exception, run under Main's error handling. */
    private static CliRun failing(RuntimeException e) {
        @Command(name = "boom")
        final class Boom implements Callable<Integer> {
            @Override
            public Integer call() {
                throw e;
            }
        }
        CommandLine cl = Main.commandLine(new Boom());
        StringWriter err = new StringWriter();
        cl.setErr(new PrintWriter(err, true));
        int code = cl.execute();
        return new CliRun(code, "", err.toString());
    }

    @Test
    void aBugIsReportedAsAnInternalErrorWithExit1() {
        CliRun state = failing(new IllegalStateException("queue drained twice"));
        assertEquals(1, state.code());
        assertEquals("error: internal error, java.lang.IllegalStateException: queue drained twice "
                + "(set FOVEA_DEBUG=1 to see the stack trace)" + System.lineSeparator(), state.err());
        // An IllegalArgumentException is a programming error too, not the user's: it must not pass as one.
        CliRun argument = failing(new IllegalArgumentException("index -1"));
        assertEquals(1, argument.code());
        assertTrue(argument.err().startsWith("error: internal error, java.lang.IllegalArgumentException: index -1"),
                argument.err());
    }

    @Test
    void userErrorsPrintTheirMessageAloneWithExit2() {
        CliRun fovea = failing(new FoveaException("model.safetensors: the header is truncated"));
        assertEquals(2, fovea.code());
        assertEquals("error: model.safetensors: the header is truncated" + System.lineSeparator(), fovea.err());
        CliRun io = failing(new java.io.UncheckedIOException("cannot read x.bin", new NoSuchFileException("x.bin")));
        assertEquals(2, io.code());
        assertTrue(io.err().startsWith("error: cannot read x.bin"), io.err());
        CliRun user = failing(new UserError("--limit 0: expected a positive count"));
        assertEquals(2, user.code());
    }

    /** The tutorial CNN pools 32→16→8→4: a 4x4 input cannot be pooled three times. */
    @Test
    void aShapeErrorFromTheCommandLineExits2WithTheMessage() {
        CliRun r = CliRun.of("summary", "--model", "tutorial-cnn", "--input", "4x4x3");
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().startsWith("error: "), r.err());
        assertTrue(r.err().contains("does not fit input of shape (None, 1, 1, 128)"), r.err());
        assertFalse(r.err().contains("internal error") || r.err().contains("\tat "), r.err());
    }

    @Test
    void helpDocumentsTheExitCodes() {
        CliRun r = CliRun.of("--help");
        assertEquals(0, r.code());
        assertTrue(r.out().contains("Exit codes:"), r.out());
        assertTrue(r.out().contains("2  a usage, input or file problem"), r.out());
    }

    @Test
    void versionSaysWhichJdkRunsItAndTheVectorWidth() {
        CliRun r = CliRun.of("--version");
        assertEquals(0, r.code(), r.err());
        int bits = jdk.incubator.vector.FloatVector.SPECIES_PREFERRED.vectorBitSize();
        assertEquals(List.of("fovea dev",
                "java: " + Runtime.version() + ", " + System.getProperty("java.vendor") + ", " + System.getProperty("java.home"),
                "vector: " + bits + "-bit (" + bits / 32 + " floats), " + dev.fovea.kernel.Vectors.tileSet()
                        + " register tiles"), r.out().lines().toList());
    }
}
