package dev.fovea.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DataCommandTest {
    static final Path SHARED = dev.fovea.io.ReferenceFiles.datasets();

    @TempDir
    Path tmp;


    private static CliRun run(String... args) {
        return CliRun.of(args);
    }

    /** A CIFAR-10 batch file with the given labels and pixels (r + 5·c + 17·record). */
    private Path bin(String name, int... labels) throws IOException {
        byte[] b = new byte[labels.length * 3073];
        for (int r = 0; r < labels.length; r++) {
            b[r * 3073] = (byte) labels[r];
            for (int p = 0; p < 3072; p++) {
                b[r * 3073 + 1 + p] = (byte) (p / 32 + 5 * (p % 32) + 17 * r);
            }
        }
        Path f = tmp.resolve(name);
        Files.write(f, b);
        return f;
    }

    private static void assertNoStackTrace(CliRun r) {
        assertFalse(r.err().contains("\tat "), "stack trace printed:\n" + r.err());
        assertFalse(r.out().contains("\tat "), "stack trace printed:\n" + r.out());
    }

    @Test
    void infoOnBatchFileCountsPerClass() throws IOException {
        Path f = bin("data_batch_1.bin", 3, 3, 9, 0);
        CliRun r = run("data", "info", f.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("train: 4 images"), r.out());
        assertTrue(r.out().matches("(?s).*\\ncat\\s+2\\n.*"), r.out());
        assertTrue(r.out().matches("(?s).*\\ntruck\\s+1\\n.*"), r.out());
        assertTrue(r.out().contains("32×32×3"), r.out());
    }

    @Test
    void infoOnSharedArchive() {
        Path gz = SHARED.resolve("cifar-10-binary.tar.gz");
        assumeTrue(Files.isRegularFile(gz), "shared dataset not present");
        CliRun r = run("data", "info", gz.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("train: 50,000 images"), r.out());
        assertTrue(r.out().contains("test:  5,000 images"), r.out());
        assertTrue(r.out().matches("(?s).*\\nairplane\\s+5,000\\s+\\d{3}\\n.*"), r.out());
    }

    @Test
    void infoOnSharedImageFolder() {
        Path dir = SHARED.resolve("cifar10-images-sample");
        assumeTrue(Files.isDirectory(dir), "shared sample not present");
        CliRun r = run("data", "info", dir.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("train:      1,000 images"), r.out());
        assertTrue(r.out().contains("validation: 200 images"), r.out());
        assertTrue(r.out().matches("(?s).*\\ntruck\\s+100\\s+20\\n.*"), r.out());
    }

    @Test
    void malformedBinIsAnErrorNamingTheFile() throws IOException {
        Path f = tmp.resolve("data_batch_1.bin");
        Files.write(f, new byte[3073 + 10]);
        CliRun r = run("data", "info", f.toString());
        assertEquals(2, r.code());
        assertTrue(r.err().startsWith("error: " + f), r.err());
        assertTrue(r.err().contains("3,073"), r.err());
        assertNoStackTrace(r);
    }

    @Test
    void missingPathIsAnError() {
        Path f = tmp.resolve("nowhere/cifar-10-binary.tar.gz");
        CliRun r = run("data", "info", f.toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("does not exist"), r.err());
        assertNoStackTrace(r);
    }

    @Test
    void showWritesAnAugmentedLabelledGrid() throws IOException {
        Path f = bin("data_batch_1.bin", 0, 1, 2, 3, 4, 5);
        Path png = tmp.resolve("out/grid.png");
        CliRun r = run("data", "show", f.toString(), "--count", "4", "--columns", "2",
                "--scale", "2", "--width-shift", "0.1", "--height-shift", "0.1",
                "--horizontal-flip", "--fill-mode", "reflect", "--pad-crop", "2", "--cutout", "8",
                "--seed", "3", "--out", png.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("4 train images, augmented"), r.out());
        BufferedImage img = ImageIO.read(png.toFile());
        // two columns of 72 px cells (64 px tiles, widened for captions) plus 4 px gaps
        assertEquals(2 * (72 + 4) + 4, img.getWidth());
        CliRun same = run("data", "show", f.toString(), "--count", "4", "--columns", "2",
                "--scale", "2", "--width-shift", "0.1", "--height-shift", "0.1",
                "--horizontal-flip", "--fill-mode", "reflect", "--pad-crop", "2", "--cutout", "8",
                "--seed", "3", "--out", tmp.resolve("again.png").toString());
        assertEquals(0, same.code(), same.err());
        BufferedImage again = ImageIO.read(tmp.resolve("again.png").toFile());
        for (int y = 0; y < img.getHeight(); y += 3) {
            for (int x = 0; x < img.getWidth(); x += 3) {
                assertEquals(img.getRGB(x, y), again.getRGB(x, y), "same seed, same grid");
            }
        }
    }

    @Test
    void badFlagsAreUserErrors() throws IOException {
        Path f = bin("data_batch_1.bin", 0, 1);
        CliRun r = run("data", "show", f.toString(), "--fill-mode", "wrap",
                "--out", tmp.resolve("g.png").toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("--fill-mode: unknown mode 'wrap'"), r.err());
        CliRun split = run("data", "show", f.toString(), "--split", "test",
                "--out", tmp.resolve("g.png").toString());
        assertEquals(2, split.code());
        assertTrue(split.err().contains("no held-out split"), split.err());
        assertNoStackTrace(split);
    }
}
