package dev.fovea.spark;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * Runs the repository's {@code ./fovea} launcher as a user would, for the integration tests, with
 * {@code JAVA_HOME} set to this test JVM's JDK: the suite run on Java 17 checks the launcher on 17,
 * the one on the newest JDK checks it there.
 */
final class Launcher {
    private static final Path CHECKOUT = Path.of("").toAbsolutePath().getParent();

    /** Exit code, standard output and standard error of one run. */
    record Run(int code, String out, String err) {
        /** The JVM's own warnings in standard error ("WARNING: ..." lines), one per line; empty when it was quiet. */
        String jvmWarnings() {
            return err.lines().filter(l -> l.startsWith("WARNING:")).collect(Collectors.joining("\n"));
        }
    }

    private Launcher() {
    }

    /** {@code ./fovea ARGS}, its output kept in {@code dir}; fails the test if it runs over 5 minutes. */
    static Run fovea(Path dir, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("bash", CHECKOUT.resolve("fovea").toString()));
        cmd.addAll(List.of(args));
        Path out = dir.resolve("stdout.txt");
        Path err = dir.resolve("stderr.txt");
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile());
        pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
        Process p = pb.start();
        assertTrue(p.waitFor(5, TimeUnit.MINUTES), "./fovea " + String.join(" ", args) + " did not finish");
        return new Run(p.exitValue(), Files.readString(out), Files.readString(err));
    }
}
