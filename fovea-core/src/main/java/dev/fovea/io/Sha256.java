package dev.fovea.io;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;

/**
 * SHA-256 of data as it lies on disk, for provenance: of a file, its bytes (what
 * {@code sha256sum FILE} prints); of a folder, the listing {@code sha256sum} prints for every
 * regular file under it, sorted by relative path as C-locale {@code sort} orders bytes, hashed
 * once more. That is, for a folder DIR, what this prints (names without newlines or backslashes,
 * which {@code sha256sum} escapes):
 * <pre>(cd DIR &amp;&amp; find . -type f -printf '%P\0' | LC_ALL=C sort -z | xargs -0 sha256sum) | sha256sum</pre>
 * Symbolic links are not followed (find's {@code -type f} skips them too).
 */
public final class Sha256 {
    private Sha256() {
    }

    /** The hash of {@code path}, a file or a folder as above, as 64 lowercase hex digits. */
    public static String of(Path path) {
        return Files.isDirectory(path) ? folder(path) : file(path);
    }

    /** The file's bytes, as {@code sha256sum} prints. */
    public static String file(Path file) {
        MessageDigest md = digest();
        byte[] buf = new byte[1 << 16];
        try (InputStream in = Files.newInputStream(file)) {
            for (int n; (n = in.read(buf)) > 0; ) {
                md.update(buf, 0, n);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + " to hash it: " + e.getMessage(), e);
        }
        return HexFormat.of().formatHex(md.digest());
    }

    /** The listing of every regular file under {@code dir}, hashed (see the class comment). */
    public static String folder(Path dir) {
        List<String> names;
        try (Stream<Path> s = Files.walk(dir)) {
            names = s.filter(p -> Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS))
                    .map(p -> dir.relativize(p).toString().replace(dir.getFileSystem().getSeparator(), "/"))
                    .sorted((a, b) -> Arrays.compareUnsigned(a.getBytes(StandardCharsets.UTF_8),
                            b.getBytes(StandardCharsets.UTF_8)))
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir + " to hash it: " + e.getMessage(), e);
        }
        MessageDigest listing = digest();
        for (String name : names) {
            listing.update((file(dir.resolve(name)) + "  " + name + "\n").getBytes(StandardCharsets.UTF_8));
        }
        return HexFormat.of().formatHex(listing.digest());
    }

    private static MessageDigest digest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform provides SHA-256", e);
        }
    }
}
