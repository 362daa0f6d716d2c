package dev.fovea.report;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fovea.eval.ConfusionMatrix;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.lang.reflect.Method;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.internal.chartpart.Axis;
import org.knowm.xchart.internal.chartpart.Chart;
import org.knowm.xchart.style.Styler;

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

    /**
     * The tick labels XChart actually painted, x axis or y axis; only those inside the plotted
     * range (XChart also computes ticks beyond the axis ends, which it does not draw), an
     * unlabelled tick as "". XChart
     * exposes them only through package-private accessors, hence the reflection.
     */
    static List<String> paintedTicks(XYChart chart, boolean xAxis) throws Exception {
        BitmapEncoder.getBufferedImage(chart);
        Method pairOf = Chart.class.getDeclaredMethod("getAxisPair");
        pairOf.setAccessible(true);
        Object pair = pairOf.invoke(chart);
        Method axisOf = xAxis ? pair.getClass().getDeclaredMethod("getXAxis")
                : pair.getClass().getDeclaredMethod("getYAxis", int.class);
        axisOf.setAccessible(true);
        Axis<?, ?> axis = (Axis<?, ?>) (xAxis ? axisOf.invoke(pair) : axisOf.invoke(pair, 0));
        List<String> labels = axis.getAxisTickCalculator().getTickLabels();
        List<Double> at = axis.getAxisTickCalculator().getTickLocations();
        double length = xAxis ? axis.getBounds().getWidth() : axis.getBounds().getHeight();
        List<String> inside = new ArrayList<>();
        for (int i = 0; i < labels.size(); i++) {
            if (at.get(i) >= -0.5 && at.get(i) <= length + 0.5) {
                inside.add(labels.get(i));
            }
        }
        return inside;
    }

    private static XYChart lossChart(double[] loss, double[] valLoss) {
        Map<String, double[]> m = new LinkedHashMap<>();
        m.put("loss", loss);
        if (valLoss != null) {
            m.put("val_loss", valLoss);
        }
        return Charts.curvesChart(TrainingCurves.of(m), "Loss", List.of("loss", "val_loss"),
                Styler.LegendPosition.OutsideS);
    }

    @Test
    void shortRunsGetWholeEpochTicksAndRoundValueLabels() throws Exception {
        // 2 epochs: data 1.357967538166046 .. 2.3026, span 0.9446; the smallest 1-2-5 step of at
        // least span/5 = 0.189 is 0.2, so the axis runs 1.2 .. 2.4 in steps of 0.2.
        XYChart two = lossChart(new double[] {2.3026, 1.357967538166046}, new double[] {1.9, 1.6});
        assertEquals(List.of("1", "2"), paintedTicks(two, true));
        assertEquals(List.of("1.2", "1.4", "1.6", "1.8", "2.0", "2.2", "2.4"), paintedTicks(two, false));
        // 3 epochs of a loss stuck near ln 10: span 0.0002, step 0.00005 (five decimals).
        XYChart three = lossChart(new double[] {2.3026, 2.3025, 2.3024}, null);
        assertEquals(List.of("1", "2", "3"), paintedTicks(three, true));
        assertEquals(List.of("2.30240", "2.30245", "2.30250", "2.30255", "2.30260"), paintedTicks(three, false));
        // Accuracy 0.095 .. 0.425: span 0.33, step 0.1, axis 0.0 .. 0.5.
        Map<String, double[]> acc = new LinkedHashMap<>();
        acc.put("accuracy", new double[] {0.19, 0.425});
        acc.put("val_accuracy", new double[] {0.135, 0.095});
        XYChart accuracy = Charts.curvesChart(TrainingCurves.of(acc), "Accuracy",
                List.of("accuracy", "val_accuracy"), Styler.LegendPosition.OutsideS);
        assertEquals(List.of("0.0", "0.1", "0.2", "0.3", "0.4", "0.5"), paintedTicks(accuracy, false));
        // One epoch: a flat line still gets a labelled axis around its value.
        List<String> one = paintedTicks(lossChart(new double[] {0.5}, null), false);
        assertTrue(one.size() >= 3 && one.contains("0.50"), one.toString());
    }

    /**
     * Time to accuracy: one point per timed epoch at (elapsed_s, val_accuracy); the y values are
     * plotted in units of the axis step (0.1 for 0.31 .. 0.62, see curvesChart), so point e is
     * val_accuracy[e] / 0.1. An epoch without a time is left out; no validation → training accuracy.
     */
    @Test
    void timeToAccuracyPlotsEachTimedEpochAtItsSeconds() throws Exception {
        Map<String, double[]> m = new LinkedHashMap<>();
        m.put("accuracy", new double[] {0.35, 0.55, 0.7});
        m.put("val_accuracy", new double[] {0.31, 0.52, 0.62});
        m.put(Charts.ELAPSED, new double[] {Double.NaN, 61.5, 90.25});
        XYChart c = Charts.timeToAccuracyChart(TrainingCurves.of(m));
        assertEquals(List.of("val_accuracy"), List.copyOf(c.getSeriesMap().keySet()));
        var s = c.getSeriesMap().get("val_accuracy");
        assertArrayEquals(new double[] {61.5, 90.25}, s.getXData(), 0);
        assertArrayEquals(new double[] {5.2, 6.2}, s.getYData(), 1e-12);
        assertEquals("seconds of training (validation excluded)", c.getXAxisTitle());
        assertTrue(inked(decode(Charts.timeToAccuracy(TrainingCurves.of(m)))) > 0.01, "time chart looks blank");

        m.remove("val_accuracy");
        XYChart train = Charts.timeToAccuracyChart(TrainingCurves.of(m));
        assertEquals(List.of("accuracy"), List.copyOf(train.getSeriesMap().keySet()));
        m.remove(Charts.ELAPSED);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Charts.timeToAccuracy(TrainingCurves.of(m)));
        assertEquals("time-to-accuracy chart: no 'elapsed_s' in [accuracy]", e.getMessage());
    }

    @Test
    void longRunsLabelOnlyWholeEpochs() throws Exception {
        for (int epochs : new int[] {7, 50, 173}) {
            double[] loss = new double[epochs];
            for (int e = 0; e < epochs; e++) {
                loss[e] = 2.0 / (e + 1);
            }
            List<String> x = paintedTicks(lossChart(loss, null), true);
            assertTrue(x.size() >= 3, x.toString());
            for (String label : x) {
                int epoch = Integer.parseInt(label);
                assertTrue(epoch >= 1 && epoch <= epochs, label);
            }
        }
    }

    @Test
    void yTicksAreEvenStepsOfOneTwoOrFiveOnRandomRanges() throws Exception {
        // Independent check: for each range, the painted labels must be consecutive multiples of
        // a 1-2-5 step, printed with exactly that step's decimals, covering the data, 4 to 7 of them.
        Random r = new Random(7);
        for (int t = 0; t < 40; t++) {
            int epochs = 1 + r.nextInt(5);
            double base = Math.pow(10, r.nextInt(5) - 2) * (1 + 9 * r.nextDouble());
            double spread = base * Math.pow(10, -r.nextInt(6)) * r.nextDouble();
            double[] loss = new double[epochs];
            double lo = Double.MAX_VALUE;
            double hi = -Double.MAX_VALUE;
            for (int e = 0; e < epochs; e++) {
                loss[e] = base + spread * r.nextDouble();
                lo = Math.min(lo, loss[e]);
                hi = Math.max(hi, loss[e]);
            }
            List<String> y = paintedTicks(lossChart(loss, null), false);
            String where = Arrays.toString(loss) + " -> " + y;
            assertTrue(y.size() >= 4 && y.size() <= 7, where);
            BigDecimal first = new BigDecimal(y.get(0));
            BigDecimal step = new BigDecimal(y.get(1)).subtract(first);
            long digits = step.stripTrailingZeros().unscaledValue().longValueExact();
            assertTrue(digits == 1 || digits == 2 || digits == 5, "step " + step + " is not 1, 2 or 5 times a power of"
                    + " ten: " + where);
            for (int i = 0; i < y.size(); i++) {
                BigDecimal v = new BigDecimal(y.get(i));
                assertEquals(0, first.add(step.multiply(BigDecimal.valueOf(i))).compareTo(v), where);
                assertEquals(Math.max(0, step.stripTrailingZeros().scale()), v.scale(), "decimals of " + where);
            }
            assertTrue(first.doubleValue() <= lo && new BigDecimal(y.get(y.size() - 1)).doubleValue() >= hi,
                    "axis does not cover the data: " + where);
        }
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
