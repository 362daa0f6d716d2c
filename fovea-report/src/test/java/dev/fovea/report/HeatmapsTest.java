package dev.fovea.report;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.awt.image.BufferedImage;
import org.junit.jupiter.api.Test;

class HeatmapsTest {
    @Test
    void jetRunsFromDarkBlueThroughGreenToDarkRed() {
        // clamp(1.5 − |4v − k|) for k = 3, 2, 1 (red, green, blue), times 255, rounded.
        assertEquals(0x000080, Heatmaps.jet(0f));        // (0, 0, 0.5)
        assertEquals(0x0000FF, Heatmaps.jet(0.125f));    // (0, 0, 1)
        assertEquals(0x80FF80, Heatmaps.jet(0.5f));      // (0.5, 1, 0.5)
        assertEquals(0xFF0000, Heatmaps.jet(0.875f));    // (1, 0, 0)
        assertEquals(0x800000, Heatmaps.jet(1f));        // (0.5, 0, 0)
        assertEquals(Heatmaps.jet(1f), Heatmaps.jet(7f));
        assertEquals(Heatmaps.jet(0f), Heatmaps.jet(-1f));
    }

    @Test
    void overlayBlendsTheResizedMapOverTheImage() {
        BufferedImage img = new BufferedImage(4, 2, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 2; y++) {
            for (int x = 0; x < 4; x++) {
                img.setRGB(x, y, 0x204060);
            }
        }
        // A (1,2) map [0, 1] widened to 4 columns: source x = (o + ½)/2 − ½ → 0, ¼, ¾, 1 (clamped),
        // so values 0, ¼, ¾, 1. alpha ¼: out = ¾·image + ¼·jet.
        BufferedImage out = Heatmaps.overlay(img, new float[]{0, 1}, 1, 2, 0.25f);
        assertEquals(4, out.getWidth());
        assertEquals(2, out.getHeight());
        float[] v = {0, 0.25f, 0.75f, 1};
        for (int x = 0; x < 4; x++) {
            int c = Heatmaps.jet(v[x]);
            int expected = Math.round(0.75f * 0x20 + 0.25f * (c >> 16 & 0xFF)) << 16
                    | Math.round(0.75f * 0x40 + 0.25f * (c >> 8 & 0xFF)) << 8
                    | Math.round(0.75f * 0x60 + 0.25f * (c & 0xFF));
            assertEquals(expected, out.getRGB(x, 1) & 0xFFFFFF, "column " + x);
        }
        assertThrows(IllegalArgumentException.class, () -> Heatmaps.overlay(img, new float[]{0, 1}, 1, 2, 1.5f));
    }

    @Test
    void colormapEnlargeAndRgbConversions() {
        BufferedImage cm = Heatmaps.colormap(new float[]{0.5f}, 1, 1, 3, 5);
        assertEquals(5, cm.getWidth());
        assertEquals(0x80FF80, cm.getRGB(4, 2) & 0xFFFFFF);
        byte[] rgb = {1, 2, 3, 4, 5, 6};
        BufferedImage img = Heatmaps.fromRgb(rgb, 1, 2);
        assertArrayEquals(rgb, Heatmaps.toRgb(img));
        BufferedImage big = Heatmaps.enlarge(img, 3);
        assertEquals(6, big.getWidth());
        assertEquals(3, big.getHeight());
        assertEquals(0x010203, big.getRGB(2, 2) & 0xFFFFFF);
        assertEquals(0x040506, big.getRGB(3, 0) & 0xFFFFFF);
    }

    @Test
    void explainedEnlargesByAnIntegerFactorToAbout256AndBlendsAtAlpha() {
        byte[] rgb = new byte[32 * 32 * 3];
        rgb[0] = (byte) 200; // pixel (0,0) = (200, 0, 0)
        BufferedImage small = Heatmaps.explained(rgb, 32, 32, new float[]{1f}, 1, 1);
        assertEquals(256, small.getWidth());
        assertEquals(256, small.getHeight());
        // jet(1) = (128, 0, 0); 256/32 = 8, so pixels (0..7, 0..7) come from (0,0): 0.55·200 + 0.45·128 = 167.6
        assertEquals(168 << 16, small.getRGB(7, 7) & 0xFFFFFF);
        assertEquals(Math.round(0.45f * 128) << 16, small.getRGB(8, 0) & 0xFFFFFF);
        BufferedImage wide = Heatmaps.explained(new byte[50 * 100 * 3], 50, 100, new float[]{0f}, 1, 1);
        assertEquals(200, wide.getWidth()); // 256/100 → factor 2
        assertEquals(100, wide.getHeight());
        BufferedImage big = Heatmaps.explained(new byte[300 * 300 * 3], 300, 300, new float[]{0f}, 1, 1);
        assertEquals(300, big.getWidth()); // never shrunk
    }
}
