package dev.fovea.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fovea.ClassFileVersions;
import dev.fovea.io.ReferenceFiles;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code ./fovea} launcher as a user runs it, on the packaged jar (an integration test: it
 * runs after {@code package}). A terminal is a real pseudo-terminal made by util-linux
 * {@code script}; Ctrl-C is the byte 0x03 typed into it, which the terminal turns into SIGINT for
 * the foreground processes. Commands start under {@code env --default-signal=INT} because a
 * process started from a non-interactive background shell (as CI may be) inherits SIGINT
 * ignored, which no program can undo; a user's interactive shell never hands that down.
 * {@code JAVA_HOME} is this test JVM's JDK, so the suite run on Java 17 checks the launcher on 17
 * and the one on the newest JDK checks it there.
 */
class LauncherIT {
    private static final Path ROOT = Path.of("").toAbsolutePath().getParent();
    private static final Path LAUNCHER = ROOT.resolve("fovea");
    private static final Pattern REDRAW = Pattern.compile("\r\\s*(\\d+)/(\\d+) ");

    @TempDir
    Path tmp;

    private List<String> train(Path out, int epochs) {
        return List.of("env", "--default-signal=INT", LAUNCHER.toString(), "train",
                "--data", ReferenceFiles.datasets().resolve("cifar-10-binary.tar.gz").toString(),
                "--limit", "640", "--epochs", String.valueOf(epochs), "--validation", "none", "--no-report",
                "--out", out.toString());
    }

    /** Runs {@code command} in a new pseudo-terminal; stdin goes to the terminal, stdout is what it shows. */
    private static Process inTerminal(List<String> command) throws IOException {
        String line = "exec " + String.join(" ", command.stream().map(LauncherIT::quote).toList());
        return sameJdk(new ProcessBuilder("script", "-qefc", line, "/dev/null")).redirectErrorStream(true).start();
    }

    private static ProcessBuilder sameJdk(ProcessBuilder pb) {
        pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
        return pb;
    }

    private static String quote(String s) {
        return "'" + s.replace("'", "'\\''") + "'";
    }

    /** What a screen received, chunk by chunk, with arrival times, read by a thread of its own. */
    private static final class Screen {
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        /** Per bar redraw: {step, total, arrival ms}. */
        private final List<long[]> redraws = new ArrayList<>();
        private final long start = System.nanoTime();
        private volatile boolean ended;

        Screen(InputStream in) {
            Thread reader = new Thread(() -> {
                byte[] buf = new byte[8192];
                try {
                    for (int n = in.read(buf); n >= 0; n = in.read(buf)) {
                        long ms = (System.nanoTime() - start) / 1_000_000;
                        Matcher m = REDRAW.matcher(new String(buf, 0, n, StandardCharsets.UTF_8));
                        synchronized (this) {
                            while (m.find()) {
                                redraws.add(new long[]{Long.parseLong(m.group(1)), Long.parseLong(m.group(2)), ms});
                            }
                            bytes.write(buf, 0, n);
                        }
                    }
                } catch (IOException closed) {
                    // the process ended
                } finally {
                    ended = true;
                }
            });
            reader.setDaemon(true);
            reader.start();
        }

        /** Waits until {@code until} holds or the output ends; false if it still does not hold then. */
        boolean waitFor(java.util.function.Predicate<Screen> until, long seconds) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
            while (!until.test(this)) {
                if (ended || System.nanoTime() > deadline) {
                    return until.test(this);
                }
                Thread.sleep(10);
            }
            return true;
        }

        synchronized String text() {
            return bytes.toString(StandardCharsets.UTF_8);
        }

        synchronized List<long[]> redraws() {
            return new ArrayList<>(redraws);
        }
    }

    /** Waits for the output to end and the command to exit. */
    private static void drain(Process p, Screen s) throws Exception {
        s.waitFor(x -> false, 300);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), "the command did not end: " + s.text());
    }

    @Test
    void theProgressBarMovesOnATerminalDuringTheEpoch() throws Exception {
        Process p = inTerminal(train(tmp.resolve("run"), 1));
        Screen s = new Screen(p.getInputStream());
        drain(p, s);
        assertEquals(0, p.exitValue(), s.text());
        List<long[]> redraws = s.redraws();
        long end = redraws.stream().filter(r -> r[0] == r[1]).mapToLong(r -> r[2]).min()
                .orElseThrow(() -> new AssertionError("no finished bar: " + s.text()));
        long early = redraws.stream().filter(r -> r[0] < r[1] && r[2] < end - 200).count();
        assertTrue(early >= 3, "bar redraws that reached the terminal at least 200 ms before the epoch ended: "
                + early + " (all redraws: " + redraws.stream().map(r -> r[0] + "@" + r[2] + "ms").toList() + ")");
        assertFalse(s.text().contains("WARNING:"), "the incubator warning filtered, no other: " + s.text());
    }

    @Test
    void ctrlCOnTheTerminalSavesACheckpointAndPrintsTheResumeCommand() throws Exception {
        Path run = tmp.resolve("run");
        Process p = inTerminal(train(run, 2));
        Screen s = new Screen(p.getInputStream());
        assertTrue(s.waitFor(x -> x.redraws().size() >= 2, 300), "no bar: " + s.text());
        OutputStream keyboard = p.getOutputStream();
        keyboard.write(3); // Ctrl-C
        keyboard.flush();
        drain(p, s);
        String text = s.text();
        assertEquals(130, p.exitValue(), text);
        assertTrue(text.contains("stopping after this batch"), text);
        // On a terminal a message is broken at spaces to its width; the command to copy never is.
        String joined = text.replaceAll("\r?\n {2,}", " ");
        assertTrue(joined.contains("checkpoint saved to " + run.resolve("checkpoint.safetensors") + "\r\nresume with:"),
                text);
        assertTrue(text.contains("resume with:\r\n  ./fovea train --resume " + run + "\r\n"), text);
        assertTrue(Files.isRegularFile(run.resolve("checkpoint.safetensors")));
    }

    @Test
    void sigintSentToTheLaunchersPidSavesACheckpointAndPrintsTheResumeCommand() throws Exception {
        Path run = tmp.resolve("run");
        Path log = tmp.resolve("log.txt");
        Process p = sameJdk(new ProcessBuilder(train(run, 3))).redirectErrorStream(true).redirectOutput(log.toFile())
                .start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(300);
        while (p.isAlive() && !Files.readString(log).contains("Epoch 1/3") && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        Thread.sleep(1500); // inside the first or second epoch
        new ProcessBuilder("kill", "-INT", String.valueOf(p.pid())).inheritIO().start().waitFor();
        assertTrue(p.waitFor(180, TimeUnit.SECONDS), Files.readString(log));
        String text = Files.readString(log);
        assertEquals(130, p.exitValue(), text);
        assertTrue(text.contains("checkpoint saved to " + run.resolve("checkpoint.safetensors") + "\nresume with:\n"
                + "  ./fovea train --resume " + run), text);
        assertFalse(text.contains("WARNING:"), "the incubator warning filtered, no other: " + text);
    }

    @Test
    void theVersionNamesTheJdkOfJavaHome() throws Exception {
        Process p = sameJdk(new ProcessBuilder(LAUNCHER.toString(), "--version")).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), out + err);
        assertEquals("", err, "the incubator warning filtered, no other");
        assertTrue(out.matches("fovea \\S+\njava: " + Pattern.quote(Runtime.version() + ", "
                + System.getProperty("java.vendor") + ", " + System.getProperty("java.home"))
                + "\nvector: \\d+-bit \\(\\d+ floats\\), (8x3|6x2) register tiles\n"), out);
    }

    @Test
    void theJarHoldsJava17BytecodeWhicheverJdkBuiltIt() throws Exception {
        Map<String, Integer> versions = ClassFileVersions.of(ROOT.resolve("fovea-cli/target/fovea.jar"));
        assertTrue(versions.containsKey("dev/fovea/cli/Main.class") && versions.containsKey(
                "dev/fovea/kernel/gemm/Gemm.class") && versions.containsKey("dev/fovea/serve/InferenceServer.class"),
                versions.keySet().toString());
        assertEquals("", ClassFileVersions.notJava17(versions), "class files above Java 17's (61) in fovea.jar");
    }

    @Test
    void theFirstBuildPrintsNoColourCodesWhenNotOnATerminal() throws Exception {
        // A copy of the launcher in a checkout without the jar, and a stand-in for Maven 3.8's
        // quiet mode, which writes bare colour resets, that puts the real jar in place.
        Path checkout = tmp.resolve("checkout");
        Files.createDirectories(checkout.resolve("fovea-cli/src/main"));
        Files.copy(LAUNCHER, checkout.resolve("fovea"));
        Files.createDirectories(checkout.resolve("tools"));
        Files.copy(ROOT.resolve("tools/java-home.sh"), checkout.resolve("tools/java-home.sh"));
        Files.copy(ROOT.resolve("pom.xml"), checkout.resolve("pom.xml"));
        Path bin = Files.createDirectories(tmp.resolve("bin"));
        Path jar = ROOT.resolve("fovea-cli/target/fovea.jar");
        Files.writeString(bin.resolve("mvn"), "#!/bin/sh\nprintf '\\033[0m\\033[0m'\n"
                + "mkdir -p fovea-cli/target && cp " + quote(jar.toString()) + " fovea-cli/target/fovea.jar\n");
        assertTrue(bin.resolve("mvn").toFile().setExecutable(true));
        ProcessBuilder pb = sameJdk(new ProcessBuilder("bash", checkout.resolve("fovea").toString(), "--version"))
                .redirectErrorStream(true);
        pb.environment().put("PATH", bin + ":" + System.getenv("PATH"));
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), out);
        assertTrue(out.startsWith("fovea: building the command-line jar"), out);
        assertTrue(out.matches("(?s)fovea: building[^\u001b]*\nfovea \\S+\njava: [^\n]+\nvector: [^\n]+\n"), out);
    }
}
