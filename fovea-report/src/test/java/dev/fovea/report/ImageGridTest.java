package dev.fovea.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.Color;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageGridTest {
    @TempDir
    Path tmp;

    /** 2×2 tile: red, green / blue, (v, v, v). */
    private static ImageGrid.Tile tile(int v, String caption) {
        byte[] rgb = {(byte) 255, 0, 0, 0, (byte) 255, 0, 0, 0, (byte) 255, (byte) v, (byte) v,
                (byte) v};
        return new ImageGrid.Tile(rgb, 2, 2, caption, Color.RED);
    }

    private static boolean hasColor(BufferedImage img, int x0, int y0, int w, int h, int rgb) {
        for (int y = y0; y < y0 + h; y++) {
            for (int x = x0; x < x0 + w; x++) {
                if ((img.getRGB(x, y) & 0xFFFFFF) == rgb) {
                    return true;
                }
            }
        }
        return false;
    }

    @Test
    void tilesAreUpscaledByNearestNeighbourWithCaptionsBelow() throws Exception {
        List<ImageGrid.Tile> tiles = List.of(tile(10, "cat"), tile(20, "a very long caption indeed"),
                tile(30, "dog"));
        BufferedImage img = ImageGrid.render(tiles, 2, 40);
        // cells are 80 px (two 40 px pixels) wide with a 4 px gap, two columns, two rows
        assertEquals(2 * (80 + 4) + 4, img.getWidth());
        int x0 = 4;
        int y0 = 4;
        // each source pixel becomes a uniform 40×40 block
        for (int y = 0; y < 40; y++) {
            for (int x = 0; x < 40; x++) {
                assertEquals(0xFF0000, img.getRGB(x0 + x, y0 + y) & 0xFFFFFF);
                assertEquals(0x00FF00, img.getRGB(x0 + 40 + x, y0 + y) & 0xFFFFFF);
                assertEquals(0x0A0A0A, img.getRGB(x0 + 40 + x, y0 + 40 + y) & 0xFFFFFF);
            }
        }
        int cellH = (img.getHeight() - 3 * 4) / 2;
        int row2 = 4 + cellH + 4;
        assertEquals(0x1E1E1E, img.getRGB(x0 + 79, row2 + 79) & 0xFFFFFF,
                "third tile starts the second row");
        assertEquals(0xFFFFFF, img.getRGB(x0 + 80 + 4 + 40, row2 + 40) & 0xFFFFFF,
                "no fourth tile");
        // the caption is drawn in its colour below the tile, nothing above the cell bottom row
        assertTrue(hasColor(img, x0, y0 + 80, 80, 14, 0xFF0000), "red caption under tile 1");

        Path out = tmp.resolve("sub/grid.png");
        ImageGrid.writePng(img, out);
        BufferedImage back = ImageIO.read(out.toFile());
        assertEquals(img.getWidth(), back.getWidth());
        assertEquals(img.getRGB(50, 50), back.getRGB(50, 50));
        try (Stream<Path> s = Files.list(out.getParent())) {
            assertEquals(List.of("grid.png"), s.map(p -> p.getFileName().toString()).toList());
        }
    }

    @Test
    void longCaptionsWrapOntoLinesThatFitTheCellAndAreNeverCut() {
        // The longest CIFAR-10 pair at the misclassified grid's size: 32 px images drawn 3 times
        // larger, so 96 px cells.
        String longest = "automobile \u2192 airplane 99.9%";
        List<String> lines = ImageGrid.captionLines(longest, 96);
        assertEquals(longest, String.join(" ", lines), "caption text lost or reordered: " + lines);
        java.awt.FontMetrics fm = ImageGrid.metrics();
        for (String line : lines) {
            assertTrue(fm.stringWidth(line) <= 96, "'" + line + "' is " + fm.stringWidth(line) + " px wide");
        }
        // One word wider than the cell is broken inside the word, still losing nothing.
        List<String> narrow = ImageGrid.captionLines("automobile", 30);
        assertEquals("automobile", String.join("", narrow));
        assertTrue(narrow.size() >= 2, narrow.toString());
        assertEquals(List.of("cat \u2192 dog 51%"), ImageGrid.captionLines("cat \u2192 dog 51%", 96));
        assertEquals(List.of(), ImageGrid.captionLines("", 96));

        // Drawn: a grid of such tiles is tall enough for every line, and the last line is inked.
        byte[] rgb = new byte[32 * 32 * 3];
        List<ImageGrid.Tile> tiles = List.of(new ImageGrid.Tile(rgb, 32, 32, longest, Color.RED),
                new ImageGrid.Tile(rgb, 32, 32, "cat \u2192 dog 51%", Color.RED));
        BufferedImage img = ImageGrid.render(tiles, 6, 3);
        int lineH = fm.getHeight();
        assertTrue(img.getHeight() >= 4 + 96 + lines.size() * lineH + 4, "height " + img.getHeight());
        int lastLineTop = 4 + 96 + (lines.size() - 1) * lineH;
        assertTrue(hasColor(img, 4, lastLineTop, 96, lineH, 0xFF0000), "last caption line not drawn");
        // Nothing spills into the neighbouring cell's gap.
        for (int y = 0; y < img.getHeight(); y++) {
            for (int x = 4 + 96; x < 4 + 96 + 4; x++) {
                assertEquals(0xFFFFFF, img.getRGB(x, y) & 0xFFFFFF, "ink in the gap at " + x + "," + y);
            }
        }
    }

    @Test
    void badTilesAreRejected() {
        assertThrows(IllegalArgumentException.class,
                () -> new ImageGrid.Tile(new byte[5], 2, 2, "x", null));
        assertThrows(IllegalArgumentException.class, () -> ImageGrid.render(List.of(), 3, 1));
    }
}
