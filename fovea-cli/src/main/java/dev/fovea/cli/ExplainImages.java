package dev.fovea.cli;

import dev.fovea.report.ImageGrid;
import dev.fovea.tensor.Tensor;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;

/**
 * The pictures of {@code fovea explain}: convolution filters and feature maps turned into
 * {@link ImageGrid} tiles. Values are min-max normalized per filter or per channel, because raw
 * weights and activations have no fixed range; a constant filter or channel is drawn black.
 */
final class ExplainImages {
    /** Feature-map channels drawn per block: more tiles stop being readable. */
    static final int MAX_CHANNELS = 32;
    /** Filter tiles drawn at most (per-channel tiles of many-channel kernels add up fast). */
    static final int MAX_FILTER_TILES = 256;
    private static final int COLUMNS = 8;

    private ExplainImages() {
    }

    /**
     * The filters of a convolution: for 3 input channels one RGB tile per filter, otherwise one
     * grayscale tile per filter and input channel (a row per filter), at most 16 channels.
     *
     * @param kernel (KH,KW,C,F) HWIO, read
     */
    static BufferedImage filters(float[] kernel, int kh, int kw, int c, int f) {
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
        return ImageGrid.render(tiles, columns, Math.max(1, 48 / Math.max(kh, kw)));
    }

    /**
     * The first {@value #MAX_CHANNELS} channels of one image's activations, one grayscale tile
     * each, captioned with the channel index.
     *
     * @param maps (1,H,W,C), read
     */
    static BufferedImage featureMaps(Tensor maps) {
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
        return ImageGrid.render(tiles, COLUMNS, Math.max(1, 64 / Math.max(h, w)));
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
