package dev.fovea.spark;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs the repository's {@code ./fovea} launcher as a user would, for the integration tests. */
final class Launcher {
    private static final Path CHECKOUT = Path.of("").toAbsolutePath().getParent();

    /** Exit code, standard output and standard error of one run. */
    record Run(int code, String out, String err) {
    }

    private Launcher() {
    }

    /** {@code ./fovea ARGS}, its output kept in {@code dir}; fails the test if it runs over 5 minutes. */
    static Run fovea(Path dir, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("bash", CHECKOUT.resolve("fovea").toString()));
        cmd.addAll(List.of(args));
        Path out = dir.resolve("stdout.txt");
        Path err = dir.resolve("stderr.txt");
        Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        assertTrue(p.waitFor(5, TimeUnit.MINUTES), "./fovea " + String.join(" ", args) + " did not finish");
        return new Run(p.exitValue(), Files.readString(out), Files.readString(err));
    }
}
