package dev.fovea.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.fovea.data.Dataset;
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
}
