package dev.fovea.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.fovea.FoveaException;
import java.awt.image.BufferedImage;
import java.awt.image.IndexColorModel;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageFolderTest {
    static final Path SAMPLE = dev.fovea.io.ReferenceFiles.datasets().resolve("cifar10-images-sample");

    @TempDir
    Path tmp;

    private final List<String> warnings = new ArrayList<>();

    private static BufferedImage rgb(int w, int h, int color) {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                img.setRGB(x, y, color);
            }
        }
        return img;
    }

    private static void write(BufferedImage img, String format, Path file) throws IOException {
        Files.createDirectories(file.getParent());
        assertTrue(ImageIO.write(img, format, file.toFile()), "no writer for " + format);
    }

    private Splits load(Path p, ImageFolder.Options o) {
        return ImageFolder.load(p, o, warnings::add);
    }

    /** The first pixel of image i as {r, g, b}. */
    private static int[] px(Dataset ds, int i) {
        byte[] b = ds.image(i);
        return new int[]{b[0] & 0xFF, b[1] & 0xFF, b[2] & 0xFF};
    }

    @Test
    void convertsEveryPixelFormatToRgb() throws IOException {
        BufferedImage gray = new BufferedImage(4, 4, BufferedImage.TYPE_BYTE_GRAY);
        gray.getRaster().setSample(0, 0, 0, 100);
        write(gray, "png", tmp.resolve("a_gray/x.png"));
        BufferedImage gray16 = new BufferedImage(4, 4, BufferedImage.TYPE_USHORT_GRAY);
        gray16.getRaster().setSample(0, 0, 0, 0x6480);
        write(gray16, "png", tmp.resolve("b_gray16/x.png"));
        byte[] r = {(byte) 10, (byte) 200};
        byte[] g = {(byte) 20, (byte) 150};
        byte[] b = {(byte) 30, (byte) 100};
        BufferedImage pal = new BufferedImage(4, 4, BufferedImage.TYPE_BYTE_INDEXED,
                new IndexColorModel(1, 2, r, g, b));
        pal.getRaster().setSample(0, 0, 0, 1);
        write(pal, "gif", tmp.resolve("c_palette/x.gif"));
        BufferedImage argb = new BufferedImage(4, 4, BufferedImage.TYPE_INT_ARGB);
        argb.setRGB(0, 0, 0x00FF8040); // fully transparent: colour kept, alpha dropped (as PIL)
        write(argb, "png", tmp.resolve("d_alpha/x.png"));
        write(rgb(4, 4, 0x123456), "bmp", tmp.resolve("e_bmp/x.bmp"));
        write(rgb(4, 4, 0x808080), "jpg", tmp.resolve("f_jpeg/x.JPG"));
        Files.writeString(tmp.resolve("f_jpeg/notes.txt"), "ignored, not an image");

        Splits s = load(tmp, ImageFolder.Options.defaults());
        Dataset ds = s.train();
        assertNull(s.test());
        assertEquals(List.of("a_gray", "b_gray16", "c_palette", "d_alpha", "e_bmp", "f_jpeg"),
                ds.classNames());
        assertArrayEquals(new int[]{0, 1, 2, 3, 4, 5}, ds.labels());
        assertEquals(4, ds.height());
        assertArrayEquals(new int[]{100, 100, 100}, px(ds, 0));
        assertArrayEquals(new int[]{0x64, 0x64, 0x64}, px(ds, 1));
        assertArrayEquals(new int[]{200, 150, 100}, px(ds, 2));
        assertArrayEquals(new int[]{0xFF, 0x80, 0x40}, px(ds, 3));
        assertArrayEquals(new int[]{0x12, 0x34, 0x56}, px(ds, 4));
        for (int v : px(ds, 5)) {
            assertTrue(Math.abs(v - 128) <= 2, "jpeg gray " + v);
        }
        assertEquals(List.of(), warnings);
    }

    @Test
    void resizesBilinearlyAfterAveragingHalvings() throws IOException {
        // Left half black, right half white: halving averages 2×2 blocks, so 4×4 → 2×2 is exact.
        BufferedImage img = rgb(4, 4, 0);
        for (int y = 0; y < 4; y++) {
            for (int x = 2; x < 4; x++) {
                img.setRGB(x, y, 0xFFFFFF);
            }
        }
        write(img, "png", tmp.resolve("c/x.png"));
        write(rgb(7, 5, 0x40C020), "png", tmp.resolve("c/y.png"));
        Dataset ds = load(tmp, new ImageFolder.Options(2, 2, false)).train();
        assertArrayEquals(new byte[]{0, 0, 0, -1, -1, -1, 0, 0, 0, -1, -1, -1}, ds.image(0));
        for (int p = 0; p < 4; p++) {
            assertArrayEquals(new byte[]{0x40, (byte) 0xC0, 0x20},
                    java.util.Arrays.copyOfRange(ds.image(1), 3 * p, 3 * p + 3));
        }
    }

    @Test
    void unreadableFileWarnsAndIsSkippedUnlessStrict() throws IOException {
        write(rgb(2, 2, 0xFF0000), "png", tmp.resolve("cat/good.png"));
        Path bad = tmp.resolve("cat/broken.jpg");
        Files.write(bad, new byte[]{1, 2, 3, 4});
        Dataset ds = load(tmp, ImageFolder.Options.defaults()).train();
        assertEquals(1, ds.size());
        assertEquals(1, warnings.size());
        assertTrue(warnings.get(0).contains(bad.toString()), warnings.get(0));
        FoveaException e = assertThrows(FoveaException.class,
                () -> load(tmp, new ImageFolder.Options(0, 0, true)));
        assertTrue(e.getMessage().contains(bad.toString()), e.getMessage());
    }

    @Test
    void singleFileReadsAsTheFolderDoes() throws IOException {
        BufferedImage img = rgb(7, 5, 0x40C020);
        img.setRGB(0, 0, 0xFF0000);
        write(img, "png", tmp.resolve("c/y.png"));
        Dataset ds = load(tmp, new ImageFolder.Options(3, 4, false)).train();
        assertArrayEquals(ds.image(0), ImageFolder.readRgb(tmp.resolve("c/y.png"), 3, 4));
        Path bad = tmp.resolve("c/broken.jpg");
        Files.write(bad, new byte[]{1, 2, 3, 4});
        FoveaException e = assertThrows(FoveaException.class, () -> ImageFolder.readRgb(bad, 3, 4));
        assertTrue(e.getMessage().startsWith(bad + ": cannot decode"), e.getMessage());
        FoveaException missing = assertThrows(FoveaException.class,
                () -> ImageFolder.readRgb(tmp.resolve("c/none.png"), 3, 4));
        assertTrue(missing.getMessage().contains("none.png does not exist"), missing.getMessage());
    }

    @Test
    void emptyClassIsAnError() throws IOException {
        write(rgb(2, 2, 0xFF0000), "png", tmp.resolve("cat/good.png"));
        Files.createDirectories(tmp.resolve("dog"));
        Files.writeString(tmp.resolve("dog/readme.txt"), "no images");
        Files.write(tmp.resolve("dog/bad.png"), new byte[]{9});
        FoveaException e = assertThrows(FoveaException.class,
                () -> load(tmp, ImageFolder.Options.defaults()));
        assertTrue(e.getMessage().contains("class 'dog' has no readable images"), e.getMessage());
        Path none = Files.createDirectories(tmp.resolve("nothing"));
        assertThrows(FoveaException.class, () -> load(none, ImageFolder.Options.defaults()));
    }

    private Path zip(String name, List<String> entries, byte[] png) throws IOException {
        Path z = tmp.resolve(name);
        try (OutputStream os = Files.newOutputStream(z); ZipOutputStream zos = new ZipOutputStream(os)) {
            for (String e : entries) {
                zos.putNextEntry(new ZipEntry(e));
                zos.write(png);
                zos.closeEntry();
            }
        }
        return z;
    }

    private byte[] png(int color) throws IOException {
        Path f = tmp.resolve("tile-" + color + ".png");
        write(rgb(3, 3, color), "png", f);
        return Files.readAllBytes(f);
    }

    @Test
    void zipWithTrainAndValGivesTwoSplits() throws IOException {
        Path z = zip("set.zip", List.of("set/train/b/1.png", "set/train/a/1.png",
                "set/train/a/2.png", "set/val/a/1.png", "set/val/b/1.png"), png(0x0A0B0C));
        Splits s = load(z, ImageFolder.Options.defaults());
        assertEquals(List.of("a", "b"), s.train().classNames());
        assertArrayEquals(new int[]{0, 0, 1}, s.train().labels());
        assertArrayEquals(new int[]{0, 1}, s.test().labels());
        assertEquals("validation", s.testName());
        assertArrayEquals(new int[]{10, 11, 12}, px(s.test(), 1));
    }

    @Test
    void zipSlipEntryIsRejected() throws IOException {
        Path z = zip("evil.zip", List.of("a/1.png", "a/../../evil.png"), png(1));
        FoveaException e = assertThrows(FoveaException.class,
                () -> load(z, ImageFolder.Options.defaults()));
        assertTrue(e.getMessage().contains("zip slip"), e.getMessage());
        assertTrue(e.getMessage().contains("a/../../evil.png"), e.getMessage());
        Path abs = zip("abs.zip", List.of("/etc/a/1.png"), png(1));
        assertThrows(FoveaException.class, () -> load(abs, ImageFolder.Options.defaults()));
    }

    @Test
    void valClassUnknownToTrainIsAnError() throws IOException {
        write(rgb(2, 2, 1), "png", tmp.resolve("train/a/1.png"));
        write(rgb(2, 2, 1), "png", tmp.resolve("val/z/1.png"));
        FoveaException e = assertThrows(FoveaException.class,
                () -> load(tmp, ImageFolder.Options.defaults()));
        assertTrue(e.getMessage().contains("'z'"), e.getMessage());
    }

    @Test
    void sharedSampleHasThousandTrainingAndTwoHundredValidationImages() throws IOException {
        assumeTrue(Files.isDirectory(SAMPLE), "shared sample not present");
        Splits s = load(SAMPLE, ImageFolder.Options.defaults());
        assertEquals(1000, s.train().size());
        assertEquals(200, s.test().size());
        assertEquals(32, s.train().height());
        assertEquals(32, s.train().width());
        assertEquals(10, s.train().numClasses());
        assertEquals("airplane", s.train().classNames().get(0));
        for (int c : s.test().classCounts()) {
            assertEquals(20, c);
        }
        try (Stream<Path> files = Files.list(SAMPLE.resolve("train/cat"))) {
            assertEquals(100, files.count());
        }
        assertEquals(List.of(), warnings);
    }

    /** A class folder holding only a .gitkeep (or nothing) is an error naming it, not a dataset with one class fewer. */
    @Test
    void classFolderWithoutImagesIsRejectedByName() throws IOException {
        write(rgb(4, 4, 0xFF0000), "png", tmp.resolve("flat/cat/a.png"));
        write(rgb(4, 4, 0x00FF00), "png", tmp.resolve("flat/zebra/b.png"));
        Files.createDirectories(tmp.resolve("flat/dog"));
        Files.writeString(tmp.resolve("flat/dog/.gitkeep"), "");
        FoveaException e = assertThrows(FoveaException.class, () -> load(tmp.resolve("flat"), ImageFolder.Options.defaults()));
        assertTrue(e.getMessage().contains("flat/dog: class folder 'dog' holds no images (only .gitkeep)"), e.getMessage());
        assertTrue(e.getMessage().contains("add images to it or remove the folder"), e.getMessage());

        Files.delete(tmp.resolve("flat/dog/.gitkeep"));
        e = assertThrows(FoveaException.class, () -> load(tmp.resolve("flat"), ImageFolder.Options.defaults()));
        assertTrue(e.getMessage().contains("class folder 'dog' holds no images (it is empty)"), e.getMessage());

        write(rgb(4, 4, 0xFF0000), "png", tmp.resolve("split/train/cat/a.png"));
        write(rgb(4, 4, 0xFF0000), "png", tmp.resolve("split/val/cat/a.png"));
        Files.createDirectories(tmp.resolve("split/val/dog"));
        Files.writeString(tmp.resolve("split/val/dog/README.txt"), "todo");
        Files.createDirectories(tmp.resolve("split/train/dog"));
        Files.writeString(tmp.resolve("split/train/dog/README.txt"), "todo");
        e = assertThrows(FoveaException.class, () -> load(tmp.resolve("split"), ImageFolder.Options.defaults()));
        assertTrue(e.getMessage().contains("split/train/dog: class folder 'dog' holds no images (only README.txt)"),
                e.getMessage());
    }
}
