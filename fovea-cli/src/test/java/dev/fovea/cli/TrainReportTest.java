package dev.fovea.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.fovea.data.Dataset;
import dev.fovea.eval.GradCam;
import dev.fovea.eval.Misclassified;
import dev.fovea.nn.Model;
import dev.fovea.report.Heatmaps;
import dev.fovea.tensor.Shape;
import dev.fovea.tensor.Tensor;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import dev.fovea.eval.TestTimeAugmentation;
import dev.fovea.train.History;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The end-of-training report with a test-time augmentation level and a history that has times. */
class TrainReportTest {
    private static History timedHistory() {
        History h = new History();
        double[] valAcc = {0.2, 0.3, 0.35};
        for (int e = 0; e < 3; e++) {
            Map<String, Double> logs = new LinkedHashMap<>();
            logs.put("accuracy", 0.25 + 0.1 * e);
            logs.put("loss", 2.0 - 0.3 * e);
            logs.put("val_accuracy", valAcc[e]);
            logs.put("val_loss", 2.1 - 0.2 * e);
            logs.put(History.ELAPSED, 12.5 * (e + 1));
            h.add(e + 1, logs);
        }
        return h;
    }

    @Test
    void bothAccuraciesArePrintedAndShownAndTheTimeCurveIsDrawn(@TempDir Path tmp) throws IOException {
        assumeTrue(Files.isDirectory(TrainedModel.SAMPLE), "shared image sample not present");
        Dataset val = TrainedModel.sample().test();
        float[] plain = TrainedModel.predict(TrainedModel.model(), val, TrainedModel.norm());
        float[] views = TtaViews.average(TrainedModel.model(), val, TrainedModel.norm(), "6view");
        double acc = TrainedModel.accuracy(plain, val.labels(), 10);
        double ttaAcc = TrainedModel.accuracy(views, val.labels(), 10);

        PrintStream old = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        TrainReport.Scores scores;
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            scores = TrainReport.write(tmp, TrainedModel.model(), timedHistory(), val, false, TrainedModel.norm(),
                    TrainedModel.cifarNames(), "run", Map.of("seed", "1"), TestTimeAugmentation.Level.SIX_VIEW);
        } finally {
            System.setOut(old);
        }
        assertEquals(acc, scores.accuracy(), 1e-12);
        assertEquals(ttaAcc, scores.ttaAccuracy(), 1e-12);
        // Keras's loss on probabilities (softmax head): −mean log(clip(p[label], 1e-7, 1 − 1e-7)).
        double ce = 0;
        for (int i = 0; i < val.size(); i++) {
            ce -= Math.log(Math.min(Math.max(views[i * 10 + val.label(i)], 1e-7f), 1f - 1e-7f));
        }
        assertEquals(ce / val.size(), scores.ttaLoss(), 5e-5);
        String printed = out.toString(StandardCharsets.UTF_8);
        assertTrue(printed.contains(String.format(Locale.ROOT, "validation with test-time augmentation 6view: loss"
                + " %.4f, accuracy %.4f", scores.ttaLoss(), ttaAcc)), printed);
        assertTrue(printed.contains(String.format(Locale.ROOT, "validation loss %.4f, accuracy %.4f",
                scores.loss(), acc)), printed);

        String html = Files.readString(tmp.resolve("report.html"));
        assertTrue(html.contains(String.format(Locale.ROOT, "<div class=\"value\">%.2f%%</div><div class=\"label\">"
                + "accuracy with TTA (6view)</div>", 100 * ttaAcc)), "TTA card");
        assertTrue(html.contains(String.format(Locale.ROOT, "<div class=\"value\">%.2f%%</div><div class=\"label\">"
                + "accuracy</div>", 100 * acc)), "plain accuracy card");
        assertTrue(html.contains("alt=\"Accuracy against seconds of training\""), "time-to-accuracy curve");
        assertTrue(Files.size(tmp.resolve("plots/time_to_accuracy.png")) > 1000);
    }

    @Test
    void withoutTtaOrTimesTheReportHasNeither(@TempDir Path tmp) throws IOException {
        assumeTrue(Files.isDirectory(TrainedModel.SAMPLE), "shared image sample not present");
        History h = new History();
        h.add(1, Map.of("loss", 2.0, "accuracy", 0.2));
        PrintStream old = System.out;
        TrainReport.Scores scores;
        try {
            System.setOut(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
            scores = TrainReport.write(tmp, TrainedModel.model(), h, TrainedModel.sample().test(), false,
                    TrainedModel.norm(), TrainedModel.cifarNames(), "run", Map.of());
        } finally {
            System.setOut(old);
        }
        assertTrue(Double.isNaN(scores.ttaAccuracy()));
        String html = Files.readString(tmp.resolve("report.html"));
        assertFalse(html.contains("with TTA"), "no TTA card");
        assertFalse(Files.exists(tmp.resolve("plots/time_to_accuracy.png")));
        assertFalse(html.contains("seconds of training"), "no time curve");
    }

    /**
     * The misclassified section shows, for each of the mistakes listed, the image and its
     * Grad-CAM overlays for the predicted and the true class, recomputed here from the model.
     */
    @Test
    void theMisclassifiedGalleryShowsEachMistakesHeatmapsForThePredictedAndTheTrueClass(@TempDir Path tmp)
            throws Exception {
        assumeTrue(Files.isDirectory(TrainedModel.SAMPLE), "shared image sample not present");
        Dataset val = TrainedModel.sample().test();
        History h = new History();
        h.add(1, Map.of("loss", 2.0, "accuracy", 0.2));
        PrintStream old = System.out;
        try {
            System.setOut(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
            TrainReport.write(tmp, TrainedModel.model(), h, val, false, TrainedModel.norm(),
                    TrainedModel.cifarNames(), "run", Map.of());
        } finally {
            System.setOut(old);
        }
        String html = Files.readString(tmp.resolve("report.html"));
        Model m = TrainedModel.model();
        float[] probs = TrainedModel.predict(m, val, TrainedModel.norm());
        List<Misclassified.Example> ex = Misclassified.mostConfident(val.labels(), Misclassified.argmax(probs, 10),
                probs, 10, 24);
        assertTrue(ex.size() >= 2, "the sample model makes mistakes");
        assertTrue(html.contains("Grad-CAM at <code>" + new GradCam(m).layerName() + "</code>"), "layer named");
        Matcher items = Pattern.compile("<figure class=\"gradcam-item\">(.*?)</figure>").matcher(html);
        Pattern img = Pattern.compile("<img src=\"data:image/png;base64,([A-Za-z0-9+/=]+)\" width=\"96\""
                + " height=\"96\" alt=\"([^\"]*)\"");
        List<String> names = TrainedModel.cifarNames();
        int n = 0;
        while (items.find()) {
            Misclassified.Example e = ex.get(n);
            Matcher im = img.matcher(items.group(1));
            List<String> alts = new java.util.ArrayList<>();
            List<BufferedImage> pngs = new java.util.ArrayList<>();
            while (im.find()) {
                alts.add(im.group(2));
                pngs.add(ImageIO.read(new ByteArrayInputStream(Base64.getDecoder().decode(im.group(1)))));
            }
            String t = names.get(e.trueLabel());
            String p = names.get(e.predicted());
            assertEquals(List.of("example " + e.index() + ": " + t, "Grad-CAM for the predicted class " + p,
                    "Grad-CAM for the true class " + t), alts);
            // The overlays of this example, from GradCam and Heatmaps on the image as evaluated.
            float[] x = new float[32 * 32 * 3];
            TrainedModel.norm().toFloat(val.image(e.index()), 0, x, 0, x.length);
            BufferedImage shown = Heatmaps.enlarge(Heatmaps.fromRgb(val.image(e.index()), 32, 32), 3);
            for (int k = 0; k < 2; k++) {
                int cls = k == 0 ? e.predicted() : e.trueLabel();
                GradCam.Result r = new GradCam(m).compute(new Tensor(Shape.of(1, 32, 32, 3), x), new int[]{cls});
                BufferedImage expected = Heatmaps.overlay(shown, r.heatmap(0), r.height(), r.width(),
                        GradCamImages.ALPHA);
                for (int y = 0; y < 96; y += 7) {
                    for (int xx = 0; xx < 96; xx += 5) {
                        assertEquals(expected.getRGB(xx, y), pngs.get(k + 1).getRGB(xx, y),
                                "example " + e.index() + " overlay " + k + " at " + xx + "," + y);
                    }
                }
            }
            assertEquals(shown.getRGB(50, 50), pngs.get(0).getRGB(50, 50));
            n++;
        }
        assertEquals(ex.size(), n, "one gallery item per mistake listed");
    }
}
