package dev.fovea.spark;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
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

    /** One line a terminal showed, {@code ms} after the command started. */
    record Line(long ms, String text) {
    }

    /** Exit code and every line a terminal showed (stdout and stderr together, as a person sees them). */
    record Screen(int code, List<Line> lines) {
        String text() {
            return String.join("\n", lines.stream().map(Line::text).toList());
        }

        /** The first line containing {@code part}, or null. */
        Line line(String part) {
            return lines.stream().filter(l -> l.text().contains(part)).findFirst().orElse(null);
        }
    }

    private Launcher() {
    }

    /**
     * {@code ./fovea ARGS} in a new pseudo-terminal (util-linux {@code script}), each line of the
     * screen timed as it arrives; fails the test if it runs over 5 minutes.
     */
    static Screen inTerminal(String... args) throws IOException, InterruptedException {
        StringBuilder line = new StringBuilder("exec bash " + quote(CHECKOUT.resolve("fovea").toString()));
        for (String a : args) {
            line.append(' ').append(quote(a));
        }
        long start = System.nanoTime();
        Process p = new ProcessBuilder("script", "-qefc", line.toString(), "/dev/null").redirectErrorStream(true)
                .start();
        List<Line> lines = new ArrayList<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            for (String l = r.readLine(); l != null; l = r.readLine()) {
                lines.add(new Line((System.nanoTime() - start) / 1_000_000, l.replace("\r", "")));
            }
        }
        assertTrue(p.waitFor(5, TimeUnit.MINUTES), "./fovea " + String.join(" ", args) + " did not finish");
        return new Screen(p.exitValue(), lines);
    }

    private static String quote(String s) {
        return "'" + s.replace("'", "'\\''") + "'";
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
