package dev.fovea.report;

import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import javax.imageio.ImageIO;

/**
 * A grid of small RGB images with a caption under each, for dataset samples
 * ({@code fovea data show}) and misclassified examples. Tiles are enlarged by an integer factor
 * with nearest-neighbour sampling, so pixels stay sharp and no colours are invented; captions
 * longer than a cell are shortened with an ellipsis. Not a general plotting tool: charts live
 * elsewhere in this module.
 */
public final class ImageGrid {
    private static final int GAP = 4;
    private static final int MIN_CELL = 72;
    private static final Font FONT = new Font(Font.SANS_SERIF, Font.PLAIN, 11);

    /**
     * One image and its caption.
     *
     * @param rgb (H,W,3) row-major uint8, read
     * @param captionColor null for black
     */
    public record Tile(byte[] rgb, int height, int width, String caption, Color captionColor) {
        public Tile {
            if (height < 1 || width < 1 || rgb.length != height * width * 3) {
                throw new IllegalArgumentException("tile of " + height + "×" + width
                        + " RGB needs " + (height * width * 3) + " bytes, received " + rgb.length);
            }
        }
    }

    private ImageGrid() {
    }

    /**
     * Renders tiles row by row, {@code columns} per row, each enlarged {@code scale} times, on
     * white. Cells are as large as the largest tile (at least {@value #MIN_CELL} px wide so
     * captions fit); smaller tiles are centred.
     */
    public static BufferedImage render(List<Tile> tiles, int columns, int scale) {
        if (tiles.isEmpty() || columns < 1 || scale < 1) {
            throw new IllegalArgumentException("need at least one tile, columns ≥ 1 and scale ≥ 1,"
                    + " received " + tiles.size() + " tiles, " + columns + " columns, scale "
                    + scale);
        }
        int maxH = tiles.stream().mapToInt(Tile::height).max().orElseThrow() * scale;
        int maxW = tiles.stream().mapToInt(Tile::width).max().orElseThrow() * scale;
        int cellW = Math.max(maxW, MIN_CELL);
        BufferedImage probe = new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB);
        Graphics2D pg = probe.createGraphics();
        FontMetrics fm = pg.getFontMetrics(FONT);
        pg.dispose();
        int captionH = fm.getHeight() + 2;
        int cellH = maxH + captionH;
        int cols = Math.min(columns, tiles.size());
        int rows = (tiles.size() + cols - 1) / cols;
        BufferedImage out = new BufferedImage(cols * (cellW + GAP) + GAP,
                rows * (cellH + GAP) + GAP, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = out.createGraphics();
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, out.getWidth(), out.getHeight());
        g.setFont(FONT);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING,
                RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        for (int i = 0; i < tiles.size(); i++) {
            Tile t = tiles.get(i);
            int x0 = GAP + (i % cols) * (cellW + GAP);
            int y0 = GAP + (i / cols) * (cellH + GAP);
            int tx = x0 + (cellW - t.width() * scale) / 2;
            int ty = y0 + (maxH - t.height() * scale);
            for (int y = 0; y < t.height() * scale; y++) {
                for (int x = 0; x < t.width() * scale; x++) {
                    int at = ((y / scale) * t.width() + x / scale) * 3;
                    int rgb = (t.rgb()[at] & 0xFF) << 16 | (t.rgb()[at + 1] & 0xFF) << 8
                            | (t.rgb()[at + 2] & 0xFF);
                    out.setRGB(tx + x, ty + y, rgb);
                }
            }
            String caption = fit(t.caption() == null ? "" : t.caption(), fm, cellW);
            g.setColor(t.captionColor() == null ? Color.BLACK : t.captionColor());
            g.drawString(caption, x0 + (cellW - fm.stringWidth(caption)) / 2,
                    y0 + maxH + fm.getAscent() + 1);
        }
        g.dispose();
        return out;
    }

    private static String fit(String s, FontMetrics fm, int width) {
        if (fm.stringWidth(s) <= width) {
            return s;
        }
        String cut = s;
        while (!cut.isEmpty() && fm.stringWidth(cut + "…") > width) {
            cut = cut.substring(0, cut.length() - 1);
        }
        return cut + "…";
    }

    /** Writes a PNG atomically: to a temporary file in the same folder, then renamed. */
    public static void writePng(BufferedImage image, Path file) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        dev.fovea.io.AtomicFiles.write(file, out -> {
            if (!ImageIO.write(image, "png", out)) {
                throw new IOException("no PNG writer available in this JDK");
            }
        });
    }
}
