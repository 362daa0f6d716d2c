package dev.fovea.cli;

import dev.fovea.report.ImageGrid;
import dev.fovea.tensor.Tensor;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The pictures of {@code fovea explain}: convolution filters and feature maps turned into
 * {@link ImageGrid} tiles, each picture under a title line that says what it shows, and feature
 * maps beside the input image they came from. Values are min-max normalized per filter or per
 * channel, because raw weights and activations have no fixed range; a constant filter or
 * channel is drawn black.
 */
final class ExplainImages {
    /** Height of the title band above every picture. */
    static final int TITLE_BAND = 28;
    private static final Font TITLE_FONT = new Font(Font.SANS_SERIF, Font.BOLD, 13);
    private static final int MARGIN = 4;
    /** The input image is drawn about this many pixels high, with whole-pixel (nearest) scaling. */
    private static final int INPUT_SIZE = 128;
    /** Feature-map channels drawn per block: more tiles stop being readable. */
    static final int MAX_CHANNELS = 32;
    /** Filter tiles drawn at most (per-channel tiles of many-channel kernels add up fast). */
    static final int MAX_FILTER_TILES = 256;
    private static final int COLUMNS = 8;

    private ExplainImages() {
    }

    /**
     * The filters of a convolution, titled {@code "<layer> filters (N of KH×KW×C, …)"}: for 3
     * input channels one RGB tile per filter, otherwise one grayscale tile per filter and input
     * channel (a row per filter), at most 16 channels.
     *
     * @param kernel (KH,KW,C,F) HWIO, read
     */
    static BufferedImage filters(String layer, float[] kernel, int kh, int kw, int c, int f) {
        List<ImageGrid.Tile> tiles = new ArrayList<>();
        int shownC = c == 3 ? 3 : Math.min(c, 16);
        int shownF = c == 3 ? Math.min(f, MAX_FILTER_TILES) : Math.min(f, Math.max(1, MAX_FILTER_TILES / shownC));
        for (int fi = 0; fi < shownF; fi++) {
            float min = Float.POSITIVE_INFINITY;
            float max = Float.NEGATIVE_INFINITY;
            for (int i = 0; i < kh * kw * c; i++) {
                float v = kernel[i * f + fi];
                min = Math.min(min, v);
                max = Math.max(max, v);
            }
            if (c == 3) {
                byte[] rgb = new byte[kh * kw * 3];
                for (int i = 0; i < rgb.length; i++) {
                    rgb[i] = level(kernel[i * f + fi], min, max);
                }
                tiles.add(new ImageGrid.Tile(rgb, kh, kw, "filter " + fi, null));
                continue;
            }
            for (int ci = 0; ci < shownC; ci++) {
                byte[] rgb = new byte[kh * kw * 3];
                for (int p = 0; p < kh * kw; p++) {
                    byte v = level(kernel[(p * c + ci) * f + fi], min, max);
                    rgb[3 * p] = v;
                    rgb[3 * p + 1] = v;
                    rgb[3 * p + 2] = v;
                }
                tiles.add(new ImageGrid.Tile(rgb, kh, kw, c == 1 ? "filter " + fi : "f" + fi + " ch" + ci, null));
            }
        }
        int columns = c == 3 || shownC == 1 ? COLUMNS : shownC;
        String title = String.format(Locale.ROOT, "%s filters (%s%d of %d×%d×%d, %s%s)", layer,
                shownF < f ? "first " : "", shownF, kh, kw, c,
                c == 3 ? "as RGB" : "one grayscale tile per input channel",
                shownC < c ? ", channels 0-" + (shownC - 1) + " of " + c : "");
        return titled(title, ImageGrid.render(tiles, columns, Math.max(1, 48 / Math.max(kh, kw))));
    }

    /**
     * The first {@value #MAX_CHANNELS} channels of one image's activations after block
     * {@code block} (from 1), one grayscale tile each captioned with the channel index, right of
     * the input image they came from, under the title {@code "feature maps after block 1:
     * max_pooling2d (16×16, 32 of 32 channels)"}.
     *
     * @param maps (1,H,W,C), read
     * @param input (IH,IW,3) RGB of the image as the model sees it before normalization, read
     */
    static BufferedImage featureMaps(int block, String layer, Tensor maps, byte[] input, int ih, int iw) {
        int h = maps.dim(1);
        int w = maps.dim(2);
        int c = maps.dim(3);
        float[] d = maps.data();
        List<ImageGrid.Tile> tiles = new ArrayList<>();
        for (int ci = 0; ci < Math.min(c, MAX_CHANNELS); ci++) {
            float min = Float.POSITIVE_INFINITY;
            float max = Float.NEGATIVE_INFINITY;
            for (int p = 0; p < h * w; p++) {
                min = Math.min(min, d[p * c + ci]);
                max = Math.max(max, d[p * c + ci]);
            }
            byte[] rgb = new byte[h * w * 3];
            for (int p = 0; p < h * w; p++) {
                byte v = level(d[p * c + ci], min, max);
                rgb[3 * p] = v;
                rgb[3 * p + 1] = v;
                rgb[3 * p + 2] = v;
            }
            tiles.add(new ImageGrid.Tile(rgb, h, w, "ch " + ci, null));
        }
        BufferedImage grid = ImageGrid.render(tiles, COLUMNS, Math.max(1, 64 / Math.max(h, w)));
        BufferedImage source = ImageGrid.render(List.of(new ImageGrid.Tile(input, ih, iw,
                "input " + ih + "×" + iw, null)), 1, Math.max(1, INPUT_SIZE / Math.max(ih, iw)));
        String title = String.format(Locale.ROOT, "feature maps after block %d: %s (%d×%d, %d of %d channels)",
                block, layer, h, w, tiles.size(), c);
        return titled(title, beside(source, grid));
    }

    /** {@code left} and {@code right} side by side, tops aligned, on white. */
    static BufferedImage beside(BufferedImage left, BufferedImage right) {
        BufferedImage out = new BufferedImage(left.getWidth() + right.getWidth(),
                Math.max(left.getHeight(), right.getHeight()), BufferedImage.TYPE_INT_RGB);
        Graphics2D g = out.createGraphics();
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, out.getWidth(), out.getHeight());
        g.drawImage(left, 0, 0, null);
        g.drawImage(right, left.getWidth(), 0, null);
        g.dispose();
        return out;
    }

    /**
     * {@code body} under a {@value #TITLE_BAND} px band holding {@code title} in bold, left
     * aligned; the picture is widened on the right when the title is wider than the body.
     */
    static BufferedImage titled(String title, BufferedImage body) {
        BufferedImage probe = new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB);
        Graphics2D pg = probe.createGraphics();
        FontMetrics fm = pg.getFontMetrics(TITLE_FONT);
        pg.dispose();
        int width = Math.max(body.getWidth(), MARGIN + fm.stringWidth(title) + MARGIN);
        BufferedImage out = new BufferedImage(width, TITLE_BAND + body.getHeight(), BufferedImage.TYPE_INT_RGB);
        Graphics2D g = out.createGraphics();
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, out.getWidth(), out.getHeight());
        g.drawImage(body, 0, TITLE_BAND, null);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setFont(TITLE_FONT);
        g.setColor(new Color(0x1f2937));
        g.drawString(title, MARGIN, (TITLE_BAND - fm.getHeight()) / 2 + fm.getAscent());
        g.dispose();
        return out;
    }

    /** {@code v} in [min, max] mapped to 0..255. */
    static byte level(float v, float min, float max) {
        if (!(max > min)) {
            return 0;
        }
        return (byte) Math.round(255f * (v - min) / (max - min));
    }

    /**
     * RGB (H,W,3) to one luma channel (H,W,1) with ITU-R 601 weights, as PIL's
     * {@code convert("L")} behind Keras's {@code color_mode="grayscale"}.
     */
    static byte[] luma(byte[] rgb) {
        byte[] out = new byte[rgb.length / 3];
        for (int p = 0; p < out.length; p++) {
            int r = rgb[3 * p] & 0xFF;
            int g = rgb[3 * p + 1] & 0xFF;
            int b = rgb[3 * p + 2] & 0xFF;
            out[p] = (byte) ((r * 299 + g * 587 + b * 114 + 500) / 1000);
        }
        return out;
    }
}
