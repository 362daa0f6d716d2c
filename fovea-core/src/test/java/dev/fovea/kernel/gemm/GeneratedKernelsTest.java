package dev.fovea.kernel.gemm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fovea.kernel.gemm.gen.MicroKernelGenerator;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The checked-in micro-kernels are exactly what {@link MicroKernelGenerator} writes. */
class GeneratedKernelsTest {
    /** The kernel sources, seen from the module directory Maven runs tests in. */
    private static final Path SOURCES = Path.of(System.getProperty("basedir", "."))
            .resolve("src/main/java/dev/fovea/kernel/gemm/generated");

    @Test
    void checkedInKernelsMatchTheGenerator() throws IOException {
        Map<String, String> files = MicroKernelGenerator.files();
        assertEquals(3, files.size(), "generated files: " + files.keySet());
        for (Map.Entry<String, String> e : files.entrySet()) {
            Path file = SOURCES.resolve(e.getKey());
            assertTrue(Files.isRegularFile(file), "no generated file " + file.toAbsolutePath()
                    + "; regenerate from the repository root: " + MicroKernelGenerator.COMMAND);
            String problem = difference(file.toString(), e.getValue(), Files.readString(file));
            assertNull(problem, problem);
        }
    }

    @Test
    void everyListedTileIsInItsFile() {
        Map<String, String> files = MicroKernelGenerator.files();
        for (MicroKernelGenerator.Tile t : MicroKernelGenerator.TILES) {
            String source = files.get(t.variant().className() + ".java");
            assertTrue(source.contains("static void " + t.method() + "("), t + " missing");
        }
    }

    @Test
    void anEditedFileIsReportedWithItsLineAndTheCommand() {
        String generated = "a\nb\nc\n";
        assertNull(difference("X.java", generated, generated));
        String problem = difference("X.java", generated, "a\nB\nc\n");
        assertTrue(problem.contains("X.java:2"), problem);
        assertTrue(problem.contains("expected: b") && problem.contains("found:    B"), problem);
        assertTrue(problem.contains(MicroKernelGenerator.COMMAND), problem);
        String shorter = difference("X.java", generated, "a\nb");
        assertTrue(shorter.contains("X.java:3") && shorter.contains("found:    (end of file)"), shorter);
    }

    /** Null when equal, else where the checked-in file first departs from the generator and how to fix it. */
    private static String difference(String name, String generated, String checkedIn) {
        if (generated.equals(checkedIn)) {
            return null;
        }
        String[] want = generated.split("\n", -1);
        String[] got = checkedIn.split("\n", -1);
        int line = 0;
        while (line < want.length && line < got.length && want[line].equals(got[line])) {
            line++;
        }
        return name + ":" + (line + 1) + " differs from what MicroKernelGenerator writes\n  expected: "
                + (line < want.length ? want[line] : "(end of file)") + "\n  found:    "
                + (line < got.length ? got[line] : "(end of file)")
                + "\nThe file is generated: edit the generator, then regenerate from the repository root: "
                + MicroKernelGenerator.COMMAND;
    }
}
