package dev.fovea.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.fovea.data.DataSources;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The data hashes provenance records, against references computed without {@link Sha256}. */
class Sha256Test {
    private static final PrintStream QUIET = new PrintStream(OutputStream.nullOutputStream());

    /** {@code sha256sum cifar-10-binary.tar.gz} of the shared archive, run once and checked in. */
    static final String CIFAR_ARCHIVE = "69bb67d53ff3354e3f652f87b787c6c2638e15f05cb34e03d722fe82b137474e";

    @Test
    void aFileHashesAsItsBytes(@TempDir Path tmp) throws Exception {
        Path f = tmp.resolve("batch.bin");
        byte[] bytes = new byte[200_003];
        for (int i = 0; i < bytes.length; i++) {
            bytes[i] = (byte) (i * 31 + 7);
        }
        Files.write(f, bytes);
        String expected = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(f)));
        assertEquals(expected, Sha256.file(f));
        assertEquals(expected, Sha256.of(f));
        // "abc", FIPS 180-2's example
        Files.writeString(f, "abc");
        assertEquals("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", Sha256.of(f));
    }

    /** The data file a run records is the archive's sha256sum, not a hash of decoded pixels. */
    @Test
    void theCifarArchiveHashesAsSha256sumPrints() {
        Path archive = ReferenceFiles.datasets().resolve("cifar-10-binary.tar.gz");
        assumeTrue(Files.isRegularFile(archive), "shared archive not present");
        assertEquals(CIFAR_ARCHIVE, DataSources.fileSha256(archive.toString(), QUIET));
    }

    /** A folder hashes as the documented shell pipeline prints, sub-folders, odd names and all. */
    @Test
    void aFolderHashesAsTheDocumentedPipeline(@TempDir Path tmp) throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("images"));
        Files.createDirectories(dir.resolve("cat"));
        Files.createDirectories(dir.resolve("dog/inner"));
        Files.writeString(dir.resolve("cat/1.png"), "one");
        Files.writeString(dir.resolve("cat/B.png"), "two");
        Files.writeString(dir.resolve("cat/a b.png"), "three");
        Files.writeString(dir.resolve("dog/inner/x.jpg"), "four");
        Files.writeString(dir.resolve("Z.txt"), "five");
        Files.createSymbolicLink(dir.resolve("link.png"), dir.resolve("cat/1.png"));
        Path bash = Path.of("/bin/bash");
        assumeTrue(Files.isExecutable(bash) && Files.isExecutable(Path.of("/usr/bin/sha256sum")), "coreutils");
        Process p = new ProcessBuilder(bash.toString(), "-c", "(cd \"$0\" && find . -type f -printf '%P\\0'"
                + " | LC_ALL=C sort -z | xargs -0 sha256sum) | sha256sum", dir.toString()).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
        assertEquals(out.substring(0, 64), Sha256.of(dir));
    }
}
