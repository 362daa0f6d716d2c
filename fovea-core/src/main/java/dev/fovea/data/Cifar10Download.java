package dev.fovea.data;

import dev.fovea.FoveaException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.HttpURLConnection;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.URLConnection;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Locale;

/**
 * The {@code --data cifar10} source: the official {@code cifar-10-binary.tar.gz} kept in a
 * cache folder ({@code $FOVEA_HOME}, else {@code ~/.cache/fovea}), downloaded on first use,
 * checked against its MD5 and written atomically (a temporary file in the cache folder renamed
 * into place), so an interrupted download never leaves a file that looks complete. Without
 * network it fails at once, saying how to pass a local copy. Not a general HTTP client: one
 * GET, no resume, no proxy configuration beyond the JVM's.
 */
public final class Cifar10Download {
    public static final String FILE_NAME = "cifar-10-binary.tar.gz";

    /** Where and how to download; tests point it at a loopback server. */
    public record Source(URI url, String md5, Duration connectTimeout, Duration readTimeout) {
        public static Source official() {
            return new Source(URI.create("https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz"),
                    "c32a1d4ab5d03f1284b67883e8d87530", Duration.ofSeconds(10),
                    Duration.ofSeconds(30));
        }
    }

    private Cifar10Download() {
    }

    /** {@code $FOVEA_HOME} when set, else {@code ~/.cache/fovea}. */
    public static Path cacheDir() {
        return cacheDir(System.getenv("FOVEA_HOME"), System.getProperty("user.home"));
    }

    static Path cacheDir(String foveaHome, String userHome) {
        if (foveaHome != null && !foveaHome.isBlank()) {
            return Path.of(foveaHome);
        }
        return Path.of(userHome, ".cache", "fovea");
    }

    /** The cached archive in the default cache folder, downloaded from the official URL. */
    public static Path ensure(PrintStream progress) {
        return ensure(cacheDir(), Source.official(), progress);
    }

    /**
     * Returns {@code cacheDir/cifar-10-binary.tar.gz}, downloading and verifying it first when
     * it is missing. Progress lines go to {@code progress} (stderr at the CLI).
     */
    public static Path ensure(Path cacheDir, Source source, PrintStream progress) {
        Path target = cacheDir.resolve(FILE_NAME);
        if (Files.isRegularFile(target)) {
            return target;
        }
        try {
            Files.createDirectories(cacheDir);
        } catch (IOException e) {
            throw new FoveaException("cannot create the cache folder " + cacheDir + " ("
                    + e.getMessage() + "); set FOVEA_HOME to a writable folder");
        }
        download(source, target, progress);
        return target;
    }

    private static void download(Source src, Path target, PrintStream progress) {
        String hint = "; without network, download " + FILE_NAME + " elsewhere and pass it with"
                + " --data PATH/" + FILE_NAME + " (or copy it to " + target + ")";
        Path tmp = null;
        try {
            URLConnection c = src.url().toURL().openConnection();
            c.setConnectTimeout((int) src.connectTimeout().toMillis());
            c.setReadTimeout((int) src.readTimeout().toMillis());
            if (c instanceof HttpURLConnection http) {
                int code = http.getResponseCode();
                if (code != HttpURLConnection.HTTP_OK) {
                    throw new FoveaException("cannot download CIFAR-10 from " + src.url()
                            + ": the server answered " + code + " " + http.getResponseMessage()
                            + ", expected 200" + hint);
                }
            }
            long total = c.getContentLengthLong();
            tmp = Files.createTempFile(target.getParent(), "." + FILE_NAME + ".", ".tmp");
            MessageDigest md5 = MessageDigest.getInstance("MD5");
            long got = 0;
            try (InputStream in = c.getInputStream(); OutputStream out = Files.newOutputStream(tmp)) {
                byte[] buf = new byte[1 << 16];
                int k;
                int lastPercent = -1;
                while ((k = in.read(buf)) > 0) {
                    out.write(buf, 0, k);
                    md5.update(buf, 0, k);
                    got += k;
                    int percent = total > 0 ? (int) (100 * got / total) : -1;
                    if (percent != lastPercent && progress != null) {
                        lastPercent = percent;
                        progress.printf(Locale.ROOT, "\rdownloading %s: %s", FILE_NAME,
                                total > 0 ? percent + "% of " + mb(total) : mb(got));
                    }
                }
            }
            if (progress != null) {
                progress.println();
            }
            if (total >= 0 && got != total) {
                throw new FoveaException("download of " + src.url() + " stopped after " + got
                        + " of " + total + " bytes; try again" + hint);
            }
            String actual = HexFormat.of().formatHex(md5.digest());
            if (!actual.equalsIgnoreCase(src.md5())) {
                throw new FoveaException("downloaded " + src.url() + " has MD5 " + actual
                        + ", expected " + src.md5() + "; the transfer was damaged or the file"
                        + " changed: try again" + hint);
            }
            moveAtomically(tmp, target);
            tmp = null;
        } catch (SocketTimeoutException e) {
            throw new FoveaException("cannot download CIFAR-10 from " + src.url()
                    + ": no answer within " + src.readTimeout().toMillis() / 1000.0 + " s ("
                    + e.getMessage() + ")" + hint);
        } catch (UnknownHostException e) {
            throw new FoveaException("cannot download CIFAR-10 from " + src.url()
                    + ": host " + e.getMessage() + " not found (no network?)" + hint);
        } catch (IOException e) {
            throw new FoveaException("cannot download CIFAR-10 from " + src.url() + ": " + e
                    + hint);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK lacks MD5", e);
        } finally {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // best effort: a stray .tmp file in the cache is harmless
                }
            }
        }
    }

    private static String mb(long bytes) {
        return String.format(Locale.ROOT, "%.1f MB", bytes / 1e6);
    }

    /** Same-folder rename, so readers see either no file or the complete verified one. */
    private static void moveAtomically(Path tmp, Path target) throws IOException {
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }
}
