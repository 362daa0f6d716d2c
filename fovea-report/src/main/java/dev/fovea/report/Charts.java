package dev.fovea.report;

import dev.fovea.eval.ClassMetrics;
import dev.fovea.eval.ConfusionMatrix;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.HeatMapChart;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.internal.chartpart.Chart;
import org.knowm.xchart.style.AxesChartStyler;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * The report's charts, drawn with XChart 3.8.8 and returned as PNG bytes: training curves per
 * epoch, the confusion matrix as a heat map (XChart's {@link HeatMapChart}), and per-class
 * precision/recall/F1 bars. One visual style for all of them. Not an HTML writer and not a
 * plotting API: each method draws one fixed kind of chart.
 *
 * <p>Loading this class sets {@code java.awt.headless=true} (unless the property is already set)
 * so charts render on servers and in CI without a display.
 */
public final class Charts {
    /** Size of the loss and accuracy curves. */
    /** The per-epoch key of cumulative training seconds (the trainer's {@code History.ELAPSED}). */
    public static final String ELAPSED = "elapsed_s";

    public static final int CURVE_WIDTH = 640;
    public static final int CURVE_HEIGHT = 400;
    /** Size of each confusion-matrix heat map. */
    public static final int HEATMAP_WIDTH = 640;
    public static final int HEATMAP_HEIGHT = 580;
    /** Size of the per-class bar chart. */
    public static final int BARS_WIDTH = 1000;
    public static final int BARS_HEIGHT = 400;

    private static final Color TEXT = new Color(0x1f2937);
    private static final Color GRID = new Color(0xe5e7eb);
    private static final Color[] SERIES = {new Color(0x2563eb), new Color(0xea580c), new Color(0x059669),
        new Color(0x7c3aed)};
    // Sequential blues kept light enough that the black cell values stay readable on every shade.
    private static final Color[] HEAT = {new Color(0xf7fbff), new Color(0xc6dbef), new Color(0x6baed6),
        new Color(0x3b8bc8)};

    static {
        if (System.getProperty("java.awt.headless") == null) {
            System.setProperty("java.awt.headless", "true");
        }
    }

    private Charts() {
    }

    /**
     * Lines of the named metrics over epochs 1..E, e.g. {@code ("Loss", ["loss", "val_loss"])};
     * metrics missing from {@code curves} are skipped (a run without validation data).
     *
     * @throws IllegalArgumentException if none of the metrics is present or there are no epochs
     */
    public static byte[] curves(TrainingCurves curves, String title, List<String> metrics,
                                Styler.LegendPosition legend) {
        return png(curvesChart(curves, title, metrics, legend));
    }

    /** The chart behind {@link #curves}, before encoding; tests read its tick labels. */
    static XYChart curvesChart(TrainingCurves curves, String title, List<String> metrics,
                               Styler.LegendPosition legend) {
        List<Double> epochs = new ArrayList<>();
        for (int e = 1; e <= curves.epochs(); e++) {
            epochs.add((double) e);
        }
        return lineChart(curves, title, title.toLowerCase(Locale.ROOT), metrics, legend, "epoch", epochs, "0");
    }

    /**
     * Validation accuracy (training accuracy when there is no validation data) against the
     * cumulative seconds of training, {@code elapsed_s}, one point per epoch: the time-to-accuracy
     * curve. Epochs without a time (a history from before times were logged) are left out.
     *
     * @throws IllegalArgumentException if the curves have no {@code elapsed_s} or no accuracy
     */
    public static byte[] timeToAccuracy(TrainingCurves curves) {
        return png(timeToAccuracyChart(curves));
    }

    static XYChart timeToAccuracyChart(TrainingCurves curves) {
        if (!curves.has(ELAPSED)) {
            throw new IllegalArgumentException("time-to-accuracy chart: no '" + ELAPSED + "' in "
                    + curves.series().keySet());
        }
        String metric = curves.has("val_accuracy") ? "val_accuracy" : "accuracy";
        return lineChart(curves, "Time to accuracy", "accuracy", List.of(metric), Styler.LegendPosition.OutsideS,
                "seconds of training (validation excluded)", curves.get(ELAPSED), "#,##0.##");
    }

    private static XYChart lineChart(TrainingCurves curves, String title, String yTitle, List<String> metrics,
                                     Styler.LegendPosition legend, String xTitle, List<Double> xs,
                                     String xPattern) {
        XYChart chart = new XYChart(CURVE_WIDTH, CURVE_HEIGHT);
        chart.setTitle(title);
        chart.setXAxisTitle(xTitle);
        chart.setYAxisTitle(yTitle);
        style(chart.getStyler());
        chart.getStyler().setLegendPosition(legend);
        chart.getStyler().setLegendLayout(legend == Styler.LegendPosition.OutsideS
                ? Styler.LegendLayout.Horizontal : Styler.LegendLayout.Vertical);
        chart.getStyler().setXAxisDecimalPattern(xPattern);
        chart.getStyler().setMarkerSize(curves.epochs() > 30 ? 0 : 6);
        List<String> drawn = new ArrayList<>();
        double lo = Double.POSITIVE_INFINITY;
        double hi = Double.NEGATIVE_INFINITY;
        for (String metric : metrics) {
            if (curves.has(metric) && curves.epochs() > 0) {
                drawn.add(metric);
                for (double v : curves.get(metric)) {
                    if (Double.isFinite(v)) {
                        lo = Math.min(lo, v);
                        hi = Math.max(hi, v);
                    }
                }
            }
        }
        if (drawn.isEmpty()) {
            throw new IllegalArgumentException("chart '" + title + "': none of " + metrics + " in " + curves.series().keySet()
                    + " has values");
        }
        // XChart's own y ticks are the data values themselves on short runs (1.357967538166046)
        // and erratic on narrow ranges, so the axis is ours: the series are plotted in units of a
        // NiceTicks step, where XChart only has to place ticks on whole numbers between two whole
        // bounds, and each whole number is labelled as a value.
        NiceTicks ticks = lo <= hi ? NiceTicks.of(lo, hi) : null;
        double unit = ticks == null ? 1 : ticks.step();
        if (ticks != null) {
            chart.getStyler().setYAxisMin((double) ticks.first());
            chart.getStyler().setYAxisMax((double) ticks.last());
            // XChart divides the plot height by this pixel hint to choose its grid step: a hint
            // of 1.1 intervals of about 0.8 × the chart's height makes it choose exactly 1 unit
            // (its 1-2-5 rounding absorbs the estimate's error; ChartsTest sweeps ranges).
            int intervals = (int) (ticks.last() - ticks.first());
            chart.getStyler().setYAxisTickMarkSpacingHint((int) Math.round(0.8 * CURVE_HEIGHT * 1.1 / intervals) + 5);
            chart.getStyler().setyAxisTickLabelsFormattingFunction(k -> {
                long whole = Math.round(k);
                // Should XChart ever pick a finer grid, an unlabelled tick beats a mis-rounded one.
                return Math.abs(k - whole) < 1e-6 ? ticks.label(whole) : "";
            });
        }
        for (int i = 0; i < drawn.size(); i++) {
            List<Double> y = curves.get(drawn.get(i));
            List<Double> x = new ArrayList<>(y.size());
            List<Double> scaled = new ArrayList<>(y.size());
            for (int e = 0; e < y.size(); e++) {
                if (!Double.isNaN(xs.get(e))) {
                    x.add(xs.get(e));
                    scaled.add(y.get(e) / unit);
                }
            }
            if (x.isEmpty()) {
                throw new IllegalArgumentException("chart '" + title + "': no epoch has a value of " + xTitle);
            }
            XYSeries s = chart.addSeries(drawn.get(i), x, scaled);
            s.setLineColor(SERIES[i % SERIES.length]);
            s.setMarkerColor(SERIES[i % SERIES.length]);
            s.setMarker(SeriesMarkers.CIRCLE);
            s.setLineStyle(new BasicStroke(2f));
        }
        return chart;
    }

    /** {@code loss} and {@code val_loss} per epoch. */
    public static byte[] loss(TrainingCurves curves) {
        // Below the plot: inside it, the legend hid the last epochs' points whenever validation
        // and training diverged.
        return curves(curves, "Loss", List.of("loss", "val_loss"), Styler.LegendPosition.OutsideS);
    }

    /** {@code accuracy} and {@code val_accuracy} per epoch. */
    public static byte[] accuracy(TrainingCurves curves) {
        return curves(curves, "Accuracy", List.of("accuracy", "val_accuracy"), Styler.LegendPosition.OutsideS);
    }

    /**
     * The confusion matrix as a heat map, true classes down the side (first class at the top),
     * predicted classes along the bottom; {@code normalized} shows each row as fractions of the
     * true class (the diagonal is per-class recall) instead of counts.
     */
    public static byte[] confusionHeatmap(ConfusionMatrix cm, boolean normalized) {
        int k = cm.numClasses();
        double[][] values = normalized ? cm.rowNormalized() : toDouble(cm.counts());
        HeatMapChart chart = new HeatMapChart(HEATMAP_WIDTH, HEATMAP_HEIGHT, Styler.ChartTheme.XChart);
        chart.setTitle(normalized ? "Confusion matrix (row-normalized)" : "Confusion matrix (counts)");
        chart.setXAxisTitle("predicted");
        chart.setYAxisTitle("true");
        style(chart.getStyler());
        chart.getStyler().setLegendVisible(false);
        chart.getStyler().setPlotGridLinesVisible(false);
        chart.getStyler().setRangeColors(HEAT);
        chart.getStyler().setShowValue(true);
        chart.getStyler().setValueFont(new Font(Font.SANS_SERIF, Font.PLAIN, k > 12 ? 9 : 12));
        chart.getStyler().setValueFontColor(Color.BLACK);
        chart.getStyler().setHeatMapValueDecimalPattern(normalized ? "0.00" : "0");
        chart.getStyler().setXAxisLabelRotation(k > 6 ? 45 : 0);
        chart.getStyler().setMin(0);
        chart.getStyler().setMax(normalized ? 1.0 : Math.max(1.0, max(values)));
        List<String> x = new ArrayList<>(cm.classNames());
        // XChart puts y index 0 at the bottom; reversing the rows puts the first class on top,
        // as in scikit-learn's ConfusionMatrixDisplay.
        List<String> y = new ArrayList<>(k);
        for (int t = k - 1; t >= 0; t--) {
            y.add(cm.classNames().get(t));
        }
        List<Number[]> cells = new ArrayList<>(k * k);
        for (int t = 0; t < k; t++) {
            for (int p = 0; p < k; p++) {
                cells.add(new Number[] {p, k - 1 - t, values[t][p]});
            }
        }
        chart.addSeries(normalized ? "fraction of true class" : "count", x, y, cells);
        return png(chart);
    }

    /** Precision, recall and F1 of each class as grouped bars on a 0..1 axis. */
    public static byte[] perClassBars(ClassMetrics m) {
        CategoryChart chart = new CategoryChart(BARS_WIDTH, BARS_HEIGHT);
        chart.setTitle("Per-class precision, recall and F1");
        style(chart.getStyler());
        chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE);
        chart.getStyler().setYAxisMin(0.0);
        chart.getStyler().setYAxisMax(1.0);
        chart.getStyler().setYAxisDecimalPattern("0.0");
        chart.getStyler().setPlotGridVerticalLinesVisible(false);
        chart.getStyler().setAvailableSpaceFill(0.8);
        chart.getStyler().setXAxisLabelRotation(m.numClasses() > 10 ? 45 : 0);
        chart.getStyler().setSeriesColors(new Color[] {SERIES[0], SERIES[1], SERIES[2]});
        List<String> names = m.classNames();
        List<Double> p = new ArrayList<>();
        List<Double> r = new ArrayList<>();
        List<Double> f = new ArrayList<>();
        for (int c = 0; c < m.numClasses(); c++) {
            p.add(m.precision(c));
            r.add(m.recall(c));
            f.add(m.f1(c));
        }
        chart.addSeries("precision", names, p);
        chart.addSeries("recall", names, r);
        chart.addSeries("F1", names, f);
        return png(chart);
    }

    /**
     * The learning-rate range test: each step's loss and the smoothed loss against the rate on a
     * log axis, with the suggested rate marked. The y axis stops a little above the first
     * smoothed loss, so the blow-up at the end does not flatten the part that matters.
     */
    public static byte[] learningRateFinder(dev.fovea.train.LearningRateFinder.Result r) {
        return png(learningRateFinderChart(r));
    }

    static XYChart learningRateFinderChart(dev.fovea.train.LearningRateFinder.Result r) {
        XYChart chart = new XYChart(CURVE_WIDTH, CURVE_HEIGHT);
        chart.setTitle("Learning-rate range test");
        chart.setXAxisTitle("learning rate (log scale)");
        chart.setYAxisTitle("training loss");
        style(chart.getStyler());
        chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideS);
        chart.getStyler().setLegendLayout(Styler.LegendLayout.Horizontal);
        chart.getStyler().setXAxisLogarithmic(true);
        chart.getStyler().setXAxisDecimalPattern("0.#E0");
        List<Double> x = new ArrayList<>();
        List<Double> raw = new ArrayList<>();
        List<Double> smooth = new ArrayList<>();
        double lo = Double.POSITIVE_INFINITY;
        for (int i = 0; i < r.steps(); i++) {
            if (Double.isFinite(r.losses()[i]) && Double.isFinite(r.smoothed()[i])) {
                x.add(r.lrs()[i]);
                raw.add(r.losses()[i]);
                smooth.add(r.smoothed()[i]);
                lo = Math.min(lo, Math.min(r.losses()[i], r.smoothed()[i]));
            }
        }
        if (x.isEmpty()) {
            throw new IllegalArgumentException("learning-rate chart: no step has a finite loss");
        }
        double top = Math.max(smooth.get(0), lo) * 1.25;
        chart.getStyler().setYAxisMin(Math.max(0, lo - 0.05 * (top - lo)));
        chart.getStyler().setYAxisMax(top);
        chart.getStyler().setYAxisDecimalPattern("0.00");
        XYSeries a = chart.addSeries("loss per step", x, clip(raw, top));
        a.setLineColor(GRID.darker());
        a.setLineStyle(new BasicStroke(1f));
        a.setMarker(SeriesMarkers.NONE);
        XYSeries b = chart.addSeries("smoothed loss", x, clip(smooth, top));
        b.setLineColor(SERIES[0]);
        b.setLineStyle(new BasicStroke(2f));
        b.setMarker(SeriesMarkers.NONE);
        int k = r.suggestedIndex();
        XYSeries c = chart.addSeries(String.format(Locale.ROOT, "suggested rate %.3g", r.suggestion()),
                List.of(r.lrs()[k]), List.of(Math.min(r.smoothed()[k], top)));
        c.setMarker(SeriesMarkers.CIRCLE);
        c.setMarkerColor(SERIES[1]);
        c.setLineColor(SERIES[1]);
        c.setLineStyle(new BasicStroke(0f));
        chart.getStyler().setMarkerSize(10);
        return chart;
    }

    /** Values above the axis drawn at its top, where XChart would draw them off the plot. */
    private static List<Double> clip(List<Double> v, double top) {
        List<Double> out = new ArrayList<>(v.size());
        for (double d : v) {
            out.add(Math.min(d, top));
        }
        return out;
    }

    /** PNG encoding of any image, e.g. a grid of misclassified examples. */
    public static byte[] png(BufferedImage image) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            if (!ImageIO.write(image, "png", out)) {
                throw new IllegalStateException("no PNG writer for image type " + image.getType());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    private static void style(AxesChartStyler s) {
        s.setChartBackgroundColor(Color.WHITE);
        s.setPlotBackgroundColor(Color.WHITE);
        s.setPlotBorderVisible(false);
        s.setPlotGridLinesColor(GRID);
        s.setPlotGridLinesStroke(new BasicStroke(1f));
        s.setChartTitleFont(new Font(Font.SANS_SERIF, Font.BOLD, 15));
        s.setChartTitleBoxVisible(false);
        s.setChartFontColor(TEXT);
        s.setAxisTitleFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        s.setAxisTickLabelsFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
        s.setAxisTickLabelsColor(TEXT);
        s.setAxisTickMarksColor(GRID);
        s.setLegendFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        s.setLegendBorderColor(GRID);
        s.setAntiAlias(true);
        s.setLocale(Locale.ROOT);
    }

    private static byte[] png(Chart<?, ?> chart) {
        try {
            return BitmapEncoder.getBitmapBytes(chart, BitmapEncoder.BitmapFormat.PNG);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static double[][] toDouble(long[][] counts) {
        double[][] out = new double[counts.length][];
        for (int i = 0; i < counts.length; i++) {
            out[i] = new double[counts[i].length];
            for (int j = 0; j < counts[i].length; j++) {
                out[i][j] = counts[i][j];
            }
        }
        return out;
    }

    private static double max(double[][] values) {
        double m = 0;
        for (double[] row : values) {
            for (double v : row) {
                m = Math.max(m, v);
            }
        }
        return m;
    }
}
