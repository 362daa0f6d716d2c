package dev.fovea.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code tools/java-home.sh}, which chooses the JDK for {@code ./fovea} and {@code .ci/run}, run by
 * bash over a made-up JVM folder ({@code FOVEA_JVM_ROOT}) of fake JDKs: shell scripts standing in
 * for {@code bin/java} and {@code bin/javac}, with or without a {@code release} file.
 */
class JavaHomeScriptTest {
    private static final Path SCRIPT = Path.of("").toAbsolutePath().getParent().resolve("tools/java-home.sh");

    @TempDir
    Path tmp;

    /** Output and error of one shell command run after sourcing the script. */
    private record Shell(String out, String err) {
    }

    /**
     * A fake JDK {@code root/name} of {@code version}; {@code modules} null means no release file,
     * so its java answers {@code -version} and {@code --list-modules} (with the Vector API) itself.
     */
    private static Path jdk(Path root, String name, String version, boolean javac, String modules) throws IOException {
        Path home = root.resolve(name);
        Path bin = Files.createDirectories(home.resolve("bin"));
        script(bin.resolve("java"), "case \"$1\" in\n"
                + "  -version) echo 'openjdk version \"" + version + "\" 2026-01-01' >&2;;\n"
                + "  --list-modules) echo java.base@" + version + "; echo jdk.incubator.vector@" + version + ";;\n"
                + "esac\n");
        if (javac) {
            script(bin.resolve("javac"), "exit 0\n");
        }
        if (modules != null) {
            Files.writeString(home.resolve("release"), "IMPLEMENTOR=\"Test\"\nJAVA_VERSION=\"" + version
                    + "\"\nMODULES=\"" + modules + "\"\n");
        }
        return home;
    }

    private static void script(Path file, String body) throws IOException {
        Files.writeString(file, "#!/bin/sh\n" + body);
        assertTrue(file.toFile().setExecutable(true));
    }

    private static final String VECTOR = "java.base java.desktop jdk.incubator.vector jdk.unsupported";

    /** Sources the script and runs {@code command} with {@code env} (a null value unsets the variable). */
    private static Shell run(String command, Map<String, String> env) throws Exception {
        ProcessBuilder pb = new ProcessBuilder("bash", "-c", ". \"$0\" && " + command, SCRIPT.toString());
        pb.environment().remove("JAVA_HOME");
        env.forEach((k, v) -> {
            if (v == null) {
                pb.environment().remove(k);
            } else {
                pb.environment().put(k, v);
            }
        });
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), command);
        assertEquals(0, p.exitValue(), command + ": " + out + err);
        return new Shell(out.strip(), err.strip());
    }

    private Shell javaHome(Path root, String javaHome) throws Exception {
        return run("fovea_java_home", javaHome == null ? Map.of("FOVEA_JVM_ROOT", root.toString())
                : Map.of("FOVEA_JVM_ROOT", root.toString(), "JAVA_HOME", javaHome));
    }

    @Test
    void theNewestJdkOf21OrLaterWinsOverOlderOnesJresAndImagesWithoutTheVectorApi() throws Exception {
        Path root = Files.createDirectories(tmp.resolve("jvm"));
        jdk(root, "java-17-openjdk-amd64", "17.0.15", true, VECTOR);
        jdk(root, "jdk-21.0.9", "21.0.9", true, VECTOR);
        Path newest21 = jdk(root, "jdk-21.0.10", "21.0.10", true, VECTOR);
        jdk(root, "jre-26", "26.0.1", false, VECTOR);
        jdk(root, "jlinked-27", "27", true, "java.base java.desktop");
        Files.createDirectories(root.resolve("openjdk-17"));   // Debian's folder of sources: no bin/java
        assertEquals(new Shell(newest21.toString(), ""), javaHome(root, null), "21.0.10 is newer than 21.0.9");

        Path jdk24 = jdk(root, "temurin-24-jdk-amd64", "24.0.2", true, VECTOR);
        assertEquals(jdk24.toString(), javaHome(root, null).out());
    }

    @Test
    void aJdkWithoutReleaseFileIsAskedForItsVersionAndModules() throws Exception {
        Path root = Files.createDirectories(tmp.resolve("jvm"));
        jdk(root, "jdk-21", "21.0.4", true, VECTOR);
        Path bare = jdk(root, "jdk-22", "22.0.1", true, null);
        assertEquals(bare.toString(), javaHome(root, null).out());
    }

    @Test
    void twoNamesOfOneJdkGiveItsRealFolder() throws Exception {
        Path root = Files.createDirectories(tmp.resolve("jvm"));
        Path real = jdk(root, "java-21-openjdk-amd64", "21.0.5", true, VECTOR);
        Files.createSymbolicLink(root.resolve("java-1.21.0-openjdk-amd64"), real.getFileName());
        assertEquals(real.toRealPath().toString(), javaHome(root, null).out());
    }

    @Test
    void javaHomeWinsEvenWhenOlderAndIsIgnoredWithAWarningWhenItHoldsNoJava() throws Exception {
        Path root = Files.createDirectories(tmp.resolve("jvm"));
        Path jdk17 = jdk(root, "java-17-openjdk-amd64", "17.0.15", true, VECTOR);
        Path jdk25 = jdk(root, "temurin-25-jdk-amd64", "25.0.3", true, VECTOR);
        assertEquals(new Shell(jdk17.toString(), ""), javaHome(root, jdk17.toString()));

        Path empty = Files.createDirectories(tmp.resolve("empty"));
        assertEquals(new Shell(jdk25.toString(), "fovea: JAVA_HOME=" + empty + " has no bin/java; ignoring it"),
                javaHome(root, empty.toString()));
    }

    @Test
    void withoutAJdkOf21OrLaterNothingIsChosenAndJavaOnThePathRuns() throws Exception {
        Path root = Files.createDirectories(tmp.resolve("jvm"));
        Path jdk17 = jdk(root, "java-17-openjdk-amd64", "17.0.15", true, VECTOR);
        assertEquals(new Shell("", ""), javaHome(root, null));
        Path missing = tmp.resolve("no-such-folder");
        assertEquals(new Shell("", ""), javaHome(missing, null));

        // The caller then asks for the major version of java on PATH, here a link to the fake 17.
        Path bin = Files.createDirectories(tmp.resolve("bin"));
        Files.createSymbolicLink(bin.resolve("java"), jdk17.resolve("bin/java"));
        assertEquals("17", run("fovea_java_major ''", Map.of("PATH", bin + ":/usr/bin:/bin")).out());
        assertEquals("", run("fovea_java_major ''", Map.of("PATH", tmp.resolve("nothing").toString())).out(),
                "no java anywhere: unknown");
    }

    @Test
    void theFloorIsFoundByAMajorVersionRange() throws Exception {
        Path root = Files.createDirectories(tmp.resolve("jvm"));
        jdk(root, "jdk-17.0.9", "17.0.9", true, VECTOR);
        Path floor = jdk(root, "jdk-17.0.15", "17.0.15", true, VECTOR);
        jdk(root, "jdk-25", "25.0.3", true, VECTOR);
        Map<String, String> env = Map.of("FOVEA_JVM_ROOT", root.toString());
        assertEquals(floor.toString(), run("fovea_newest_jdk 17 17", env).out(), ".ci/run's Java 17");
        assertEquals("", run("fovea_newest_jdk 18 24", env).out());
    }

    @Test
    void majorVersionsReadFromEveryNamingScheme() throws Exception {
        assertEquals("25 21 8 17", run("echo $(fovea_version_major 25.0.3) $(fovea_version_major 21-ea)"
                + " $(fovea_version_major 1.8.0_392) $(fovea_version_major 17)", Map.of()).out());
    }

    @Test
    void onlyJdk24AndLaterGetTheFlagsThatSilenceNativeAccessAndUnsafeWarnings() throws Exception {
        assertEquals("[]", run("echo \"[$(fovea_quiet_jvm_flags 17)]\"", Map.of()).out());
        assertEquals("[]", run("echo \"[$(fovea_quiet_jvm_flags 23)]\"", Map.of()).out());
        assertEquals("[]", run("echo \"[$(fovea_quiet_jvm_flags '')]\"", Map.of()).out());
        assertEquals("[--enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow]",
                run("echo \"[$(fovea_quiet_jvm_flags 25)]\"", Map.of()).out());
    }
}
