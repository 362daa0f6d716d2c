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
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;

/**
 * A grid of small RGB images with a caption under each, for dataset samples
 * ({@code fovea data show}) and misclassified examples. Tiles are enlarged by an integer factor
 * with nearest-neighbour sampling, so pixels stay sharp and no colours are invented; captions
 * wider than a cell wrap onto more lines (at spaces, inside a word only when it alone is wider),
 * so a caption such as {@code automobile → airplane 99.9%} is never cut. Not a general plotting
 * tool: charts live elsewhere in this module.
 */
public final class ImageGrid {
    private static final int GAP = 4;
    private static final int MIN_CELL = 72;
    static final Font FONT = new Font(Font.SANS_SERIF, Font.PLAIN, 11);

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
        FontMetrics fm = metrics();
        List<List<String>> captions = new ArrayList<>(tiles.size());
        int lines = 1;
        for (Tile t : tiles) {
            List<String> c = captionLines(t.caption() == null ? "" : t.caption(), cellW);
            captions.add(c);
            lines = Math.max(lines, c.size());
        }
        int captionH = lines * fm.getHeight() + 2;
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
            g.setColor(t.captionColor() == null ? Color.BLACK : t.captionColor());
            List<String> caption = captions.get(i);
            for (int l = 0; l < caption.size(); l++) {
                String line = caption.get(l);
                g.drawString(line, x0 + (cellW - fm.stringWidth(line)) / 2,
                        y0 + maxH + l * fm.getHeight() + fm.getAscent() + 1);
            }
        }
        g.dispose();
        return out;
    }

    /**
     * The caption as drawn under a cell {@code width} pixels wide, one string per line: words
     * are packed greedily, a {@code '\n'} starts a new line, and a word wider than the cell is
     * split between characters. Joining the lines with spaces (or nothing, inside a split word)
     * gives the caption back; nothing is dropped.
     */
    static List<String> captionLines(String caption, int width) {
        FontMetrics fm = metrics();
        List<String> lines = new ArrayList<>();
        for (String paragraph : caption.split("\n")) {
            StringBuilder line = new StringBuilder();
            for (String word : paragraph.trim().split(" +")) {
                if (word.isEmpty()) {
                    continue;
                }
                String joined = line.length() == 0 ? word : line + " " + word;
                if (fm.stringWidth(joined) <= width) {
                    line.setLength(0);
                    line.append(joined);
                    continue;
                }
                if (line.length() > 0) {
                    lines.add(line.toString());
                    line.setLength(0);
                }
                // Only a word wider than the whole cell is broken, as late as possible.
                String rest = word;
                while (fm.stringWidth(rest) > width && rest.length() > 1) {
                    int cut = rest.length() - 1;
                    while (cut > 1 && fm.stringWidth(rest.substring(0, cut)) > width) {
                        cut--;
                    }
                    lines.add(rest.substring(0, cut));
                    rest = rest.substring(cut);
                }
                line.append(rest);
            }
            if (line.length() > 0) {
                lines.add(line.toString());
            }
        }
        return lines;
    }

    static FontMetrics metrics() {
        BufferedImage probe = new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB);
        Graphics2D pg = probe.createGraphics();
        pg.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        FontMetrics fm = pg.getFontMetrics(FONT);
        pg.dispose();
        return fm;
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
