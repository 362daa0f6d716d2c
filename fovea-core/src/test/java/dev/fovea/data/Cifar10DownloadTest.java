package dev.fovea.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import dev.fovea.FoveaException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class Cifar10DownloadTest {
    private static final byte[] PAYLOAD = payload();

    @TempDir
    Path cache;
    private HttpServer server;
    private final ByteArrayOutputStream progress = new ByteArrayOutputStream();

    private static byte[] payload() {
        byte[] b = new byte[200_000];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) (i * 31 + (i >> 8));
        }
        return b;
    }

    private static String md5(byte[] b) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(b));
    }

    private URI serve(HttpHandler h) throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/cifar-10-binary.tar.gz", h);
        server.start();
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort()
                + "/cifar-10-binary.tar.gz");
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.stop(0);
        }
    }

    private Path fetch(URI url, String md5, Duration readTimeout) {
        return Cifar10Download.ensure(cache, new Cifar10Download.Source(url, md5,
                Duration.ofSeconds(2), readTimeout), new PrintStream(progress, true));
    }

    private List<String> cacheFiles() throws IOException {
        try (Stream<Path> s = Files.list(cache)) {
            return s.map(p -> p.getFileName().toString()).toList();
        }
    }

    @Test
    void goodFileIsVerifiedAndCached() throws Exception {
        int[] hits = {0};
        URI url = serve(ex -> {
            hits[0]++;
            ex.sendResponseHeaders(200, PAYLOAD.length);
            try (OutputStream os = ex.getResponseBody()) {
                os.write(PAYLOAD);
            }
        });
        Path got = fetch(url, md5(PAYLOAD), Duration.ofSeconds(5));
        assertEquals(cache.resolve("cifar-10-binary.tar.gz"), got);
        assertArrayEquals(PAYLOAD, Files.readAllBytes(got));
        assertEquals(List.of("cifar-10-binary.tar.gz"), cacheFiles());
        assertTrue(progress.toString(StandardCharsets.UTF_8).contains("100%"), progress.toString());
        // The second call uses the cache and does not ask the server again.
        assertEquals(got, fetch(url, md5(PAYLOAD), Duration.ofSeconds(5)));
        assertEquals(1, hits[0]);
    }

    @Test
    void wrongChecksumLeavesNoFile() throws Exception {
        URI url = serve(ex -> {
            ex.sendResponseHeaders(200, PAYLOAD.length);
            try (OutputStream os = ex.getResponseBody()) {
                os.write(PAYLOAD);
            }
        });
        FoveaException e = assertThrows(FoveaException.class,
                () -> fetch(url, "c32a1d4ab5d03f1284b67883e8d87530", Duration.ofSeconds(5)));
        assertTrue(e.getMessage().contains("MD5 " + md5(PAYLOAD)), e.getMessage());
        assertTrue(e.getMessage().contains("--data PATH/cifar-10-binary.tar.gz"), e.getMessage());
        assertEquals(List.of(), cacheFiles());
    }

    @Test
    void truncatedTransferLeavesNoFile() throws Exception {
        URI url = serve(ex -> {
            ex.sendResponseHeaders(200, PAYLOAD.length);
            OutputStream os = ex.getResponseBody();
            os.write(PAYLOAD, 0, PAYLOAD.length / 3);
            os.flush();
            ex.getHttpContext().getServer().stop(0);
        });
        FoveaException e = assertThrows(FoveaException.class,
                () -> fetch(url, md5(PAYLOAD), Duration.ofSeconds(5)));
        assertTrue(e.getMessage().contains("cannot download") || e.getMessage().contains("stopped"),
                e.getMessage());
        assertEquals(List.of(), cacheFiles());
    }

    @Test
    void notFoundSaysSoAndHowToPassALocalCopy() throws Exception {
        URI url = serve(ex -> {
            ex.sendResponseHeaders(404, -1);
            ex.close();
        });
        FoveaException e = assertThrows(FoveaException.class,
                () -> fetch(url, md5(PAYLOAD), Duration.ofSeconds(5)));
        assertTrue(e.getMessage().contains("404"), e.getMessage());
        assertTrue(e.getMessage().contains("--data PATH/cifar-10-binary.tar.gz"), e.getMessage());
        assertEquals(List.of(), cacheFiles());
    }

    @Test
    void serverThatNeverAnswersTimesOut() throws Exception {
        List<Socket> accepted = new ArrayList<>();
        try (ServerSocket silent = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Thread t = new Thread(() -> {
                try {
                    accepted.add(silent.accept());
                } catch (IOException ignored) {
                    // closed at the end of the test
                }
            });
            t.setDaemon(true);
            t.start();
            URI url = URI.create("http://127.0.0.1:" + silent.getLocalPort() + "/x.tar.gz");
            long t0 = System.nanoTime();
            FoveaException e = assertThrows(FoveaException.class,
                    () -> fetch(url, md5(PAYLOAD), Duration.ofMillis(300)));
            assertTrue((System.nanoTime() - t0) / 1e9 < 5, "timeout took too long");
            assertTrue(e.getMessage().contains("no answer within 0.3 s"), e.getMessage());
            assertEquals(List.of(), cacheFiles());
            t.join(1000);
        } finally {
            for (Socket s : accepted) {
                s.close();
            }
        }
    }

    @Test
    void refusedConnectionFailsAtOnceWithTheLocalCopyHint() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        URI url = URI.create("http://127.0.0.1:" + port + "/cifar-10-binary.tar.gz");
        long t0 = System.nanoTime();
        FoveaException e = assertThrows(FoveaException.class,
                () -> fetch(url, md5(PAYLOAD), Duration.ofSeconds(5)));
        assertTrue((System.nanoTime() - t0) / 1e9 < 2, "refused connection took too long");
        assertTrue(e.getMessage().contains("--data PATH/cifar-10-binary.tar.gz"), e.getMessage());
        assertEquals(List.of(), cacheFiles());
    }

    @Test
    void cacheFolderFromFoveaHomeElseUserCache() {
        assertEquals(Path.of("/data/fv"), Cifar10Download.cacheDir("/data/fv", "/home/u"));
        assertEquals(Path.of("/home/u/.cache/fovea"), Cifar10Download.cacheDir(null, "/home/u"));
        assertEquals(Path.of("/home/u/.cache/fovea"), Cifar10Download.cacheDir(" ", "/home/u"));
    }
}
