package dev.fovea.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fovea.eval.ConfusionMatrix;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

class ChartsTest {
    static BufferedImage decode(byte[] png) throws IOException {
        BufferedImage img = ImageIO.read(new ByteArrayInputStream(png));
        assertNotNull(img, "bytes are not a decodable PNG");
        return img;
    }

    /** Fraction of pixels farther than a little from white: a blank chart scores near 0. */
    static double inked(BufferedImage img) {
        int inked = 0;
        for (int y = 0; y < img.getHeight(); y++) {
            for (int x = 0; x < img.getWidth(); x++) {
                int rgb = img.getRGB(x, y);
                int r = rgb >> 16 & 0xff, g = rgb >> 8 & 0xff, b = rgb & 0xff;
                if (r + g + b < 3 * 235) {
                    inked++;
                }
            }
        }
        return (double) inked / (img.getWidth() * img.getHeight());
    }

    @Test
    void curvesArePngsOfTheDocumentedSize() throws IOException {
        TrainingCurves c = ReportFixtures.curves(5);
        for (byte[] png : List.of(Charts.loss(c), Charts.accuracy(c))) {
            BufferedImage img = decode(png);
            assertEquals(Charts.CURVE_WIDTH, img.getWidth());
            assertEquals(Charts.CURVE_HEIGHT, img.getHeight());
            assertTrue(inked(img) > 0.01, "curve chart looks blank");
        }
    }

    @Test
    void curvesWithoutValidationDrawTrainingOnlyAndNoMetricIsAnError() throws IOException {
        Map<String, double[]> m = new LinkedHashMap<>();
        m.put("loss", new double[] {2.0, 1.5});
        TrainingCurves c = TrainingCurves.of(m);
        assertEquals(Charts.CURVE_WIDTH, decode(Charts.loss(c)).getWidth());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Charts.accuracy(c));
        assertTrue(e.getMessage().contains("[accuracy, val_accuracy]"), e.getMessage());
    }

    @Test
    void heatmapsAreDrawnNotBlank() throws IOException {
        // A plain XChart HeatMapChart(w, h) without a theme renders an empty plot; this guards
        // against that regression by requiring shaded cells in the image.
        int[][] labels = {{0, 0, 0, 1, 1, 2}, {0, 0, 1, 1, 1, 2}};
        ConfusionMatrix cm = ConfusionMatrix.of(labels[0], labels[1], List.of("a", "b", "c"));
        for (boolean normalized : new boolean[] {false, true}) {
            BufferedImage img = decode(Charts.confusionHeatmap(cm, normalized));
            assertEquals(Charts.HEATMAP_WIDTH, img.getWidth());
            assertEquals(Charts.HEATMAP_HEIGHT, img.getHeight());
            assertTrue(inked(img) > 0.15, "heat map looks blank: " + inked(img));
            assertTrue(hasColorNear(img, 0x3b8bc8), "no cell in the darkest shade (the full diagonal cells)");
        }
    }

    @Test
    void perClassBarsAndImageEncoding() throws IOException {
        ConfusionMatrix cm = ConfusionMatrix.of(new int[] {0, 1, 1}, new int[] {0, 1, 0}, List.of("x", "y"));
        BufferedImage bars = decode(Charts.perClassBars(cm.classMetrics()));
        assertEquals(Charts.BARS_WIDTH, bars.getWidth());
        assertEquals(Charts.BARS_HEIGHT, bars.getHeight());
        BufferedImage src = new BufferedImage(7, 3, BufferedImage.TYPE_INT_RGB);
        src.setRGB(2, 1, 0x123456);
        BufferedImage back = decode(Charts.png(src));
        assertEquals(7, back.getWidth());
        assertEquals(0x123456, back.getRGB(2, 1) & 0xffffff);
    }

    private static boolean hasColorNear(BufferedImage img, int rgb) {
        for (int y = 0; y < img.getHeight(); y++) {
            for (int x = 0; x < img.getWidth(); x++) {
                int p = img.getRGB(x, y);
                if (Math.abs((p >> 16 & 0xff) - (rgb >> 16 & 0xff)) < 12
                        && Math.abs((p >> 8 & 0xff) - (rgb >> 8 & 0xff)) < 12
                        && Math.abs((p & 0xff) - (rgb & 0xff)) < 12) {
                    return true;
                }
            }
        }
        return false;
    }
}
