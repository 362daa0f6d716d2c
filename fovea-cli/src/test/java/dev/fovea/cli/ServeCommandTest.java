package dev.fovea.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code fovea serve}'s option and model errors: exit code 2 and a message naming the option, before listening. */
class ServeCommandTest {
    @TempDir
    Path dir;

    private Path model() {
        return TrainedModel.write(dir.resolve("cnn.safetensors"));
    }

    private static void fails(String expected, String... args) {
        CliRun r = CliRun.of(args);
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains(expected), "'" + expected + "' not in: " + r.err());
        assertTrue(!r.err().contains("\tat "), "no stack trace: " + r.err());
    }

    @Test
    void numericOptionsAreCheckedBeforeAnyModelLoads() {
        String m = dir.resolve("absent.safetensors").toString();
        fails("--port 70000: expected a whole number from 0 to 65535", "serve", "--model", m, "--port", "70000");
        fails("--max-batch 0: expected a whole number from 1 to 4096", "serve", "--model", m, "--max-batch", "0");
        fails("--max-delay-ms -1: expected a whole number from 0", "serve", "--model", m, "--max-delay-ms", "-1");
        fails("--threads 0: expected a whole number ≥ 1", "serve", "--model", m, "--threads", "0");
        fails("--queue 0: expected a whole number from 1", "serve", "--model", m, "--queue", "0");
        fails("--max-body-mb 0: expected a whole number from 1", "serve", "--model", m, "--max-body-mb", "0");
        fails("--max-pixels 0: expected a whole number ≥ 1", "serve", "--model", m, "--max-pixels", "0");
        fails("--timeout-ms 0: expected a whole number ≥ 1", "serve", "--model", m, "--timeout-ms", "0");
        fails("--read-timeout-ms 0: expected a whole number ≥ 1", "serve", "--model", m, "--read-timeout-ms", "0");
        fails("error: fovea serve needs --model ", "serve");
    }

    @Test
    void modelArgumentsAreCheckedWithTheirNames() throws Exception {
        Path f = model();
        fails("no such file or folder", "serve", "--model", dir.resolve("nope.safetensors").toString());
        fails("the name 'a b' is not usable in URLs", "serve", "--model", "a b=" + f);
        fails("a second model named 'cnn'", "serve", "--model", f.toString(), "--model", "cnn=" + f);
        Path junk = Files.writeString(dir.resolve("junk.safetensors"), "not a model");
        fails("junk.safetensors", "serve", "--model", junk.toString(), "--port", "0");
        Files.createDirectories(dir.resolve("empty-run"));
        fails("the folder has no model.safetensors", "serve", "--model", dir.resolve("empty-run").toString());
    }

    @Test
    void namesComeFromTheFileStemOrTheRunFolder() throws Exception {
        Path run = Files.createDirectories(dir.resolve("run-7"));
        TrainedModel.write(run.resolve("model.safetensors"));
        Path f = model();
        Map<String, Path> named = ServeCommand.modelPaths(List.of(f.toString(), run.toString(),
                "other=" + run.resolve("model.safetensors")));
        assertEquals(List.of("cnn", "run-7", "other"), List.copyOf(named.keySet()));
        assertEquals(run.resolve("model.safetensors"), named.get("other"));
        fails("a second model named 'run-7'", "serve", "--model", run.toString(), "--model",
                run.resolve("model.safetensors").toString());
    }

    @Test
    void aPortInUseIsAUserError() throws Exception {
        Path f = model();
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            fails("cannot listen on 127.0.0.1:" + taken.getLocalPort(), "serve", "--model", f.toString(),
                    "--port", Integer.toString(taken.getLocalPort()));
        }
    }
}
