package dev.fovea.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fovea.FoveaException;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link ImageFolder#readRgb}: one file, decoded and resized as folder images are. */
class ImageFolderReadRgbTest {
    @TempDir
    Path tmp;

    @Test
    void readsPixelsExactlyAtTheirOwnSize() throws IOException {
        BufferedImage img = new BufferedImage(3, 2, BufferedImage.TYPE_INT_RGB);
        int[] colors = {0x102030, 0xFF0000, 0x00FF00, 0x0000FF, 0x7F7F7F, 0x010203};
        for (int i = 0; i < 6; i++) {
            img.setRGB(i % 3, i / 3, colors[i]);
        }
        Path f = tmp.resolve("a.png");
        ImageIO.write(img, "png", f.toFile());
        byte[] expected = new byte[18];
        for (int i = 0; i < 6; i++) {
            expected[3 * i] = (byte) (colors[i] >> 16);
            expected[3 * i + 1] = (byte) (colors[i] >> 8);
            expected[3 * i + 2] = (byte) colors[i];
        }
        assertArrayEquals(expected, ImageFolder.readRgb(f, 2, 3));
    }

    @Test
    void resizesLikeAFolderLoad() throws IOException {
        BufferedImage img = new BufferedImage(40, 24, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 24; y++) {
            for (int x = 0; x < 40; x++) {
                img.setRGB(x, y, (x * 6) << 16 | (y * 10) << 8 | 77);
            }
        }
        Path f = tmp.resolve("c/x.png");
        Files.createDirectories(f.getParent());
        ImageIO.write(img, "png", f.toFile());
        Dataset ds = ImageFolder.load(tmp, new ImageFolder.Options(8, 10, true), w -> { }).train();
        assertArrayEquals(ds.image(0), ImageFolder.readRgb(f, 8, 10));
    }

    @Test
    void missingAndUndecodableFilesSayWhat() throws IOException {
        FoveaException e = assertThrows(FoveaException.class,
                () -> ImageFolder.readRgb(tmp.resolve("none.jpg"), 32, 32));
        assertTrue(e.getMessage().contains("none.jpg does not exist"), e.getMessage());
        Path bad = tmp.resolve("bad.jpg");
        Files.write(bad, List.of("not an image"));
        e = assertThrows(FoveaException.class, () -> ImageFolder.readRgb(bad, 32, 32));
        assertTrue(e.getMessage().contains("bad.jpg: cannot decode"), e.getMessage());
    }

    @Test
    void bytesDecodeAsTheFileDoesWhateverTheName() throws IOException {
        BufferedImage img = new BufferedImage(50, 30, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 30; y++) {
            for (int x = 0; x < 50; x++) {
                img.setRGB(x, y, (x * 5) << 16 | (y * 8) << 8 | (x + y));
            }
        }
        for (String format : List.of("png", "bmp", "gif", "jpeg")) {
            Path f = tmp.resolve("img.jpg"); // the name never decides the format
            ImageIO.write(img, format, f.toFile());
            byte[] fromFile = ImageFolder.readRgb(f, 8, 10);
            assertArrayEquals(fromFile, ImageFolder.readRgb(Files.readAllBytes(f), "upload", 8, 10), format);
        }
        FoveaException e = assertThrows(FoveaException.class,
                () -> ImageFolder.readRgb("plain text".getBytes(java.nio.charset.StandardCharsets.UTF_8), "part 'x'", 8, 10));
        assertTrue(e.getMessage().startsWith("part 'x': cannot decode"), e.getMessage());
    }
}
