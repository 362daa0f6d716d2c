package dev.fovea.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fovea.io.ModelFile;
import dev.fovea.nn.ActivationFunction;
import dev.fovea.train.History;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ./fovea spark train} end to end from the packaged jars: the run folder gets a loadable
 * model, a checkpoint, the history, run.json and fovea train's report, the two replicas are reported identical; a user
 * error is one line and exit 2, before Spark runs a job.
 */
class SparkTrainLauncherIT {
    @TempDir
    Path tmp;

    private Launcher.Run fovea(String... args) throws IOException, InterruptedException {
        return Launcher.fovea(tmp, args);
    }

    @Test
    void trainWritesTheRunFolder() throws Exception {
        Path model = tmp.resolve("init.safetensors");
        ModelFile.save(model, TinyModel.small(32, 32, 3, 10, ActivationFunction.LINEAR), ModelFile.Info.of(List.of()));
        Path out = tmp.resolve("run");
        Launcher.Run r = fovea("spark", "train", "--master", "local[2]", "--workers", "2", "--model", model.toString(),
                "--data", TinyModel.SAMPLE.toString(), "--limit", "64", "--epochs", "2", "--batch-size", "16",
                "--optimizer", "sgd", "--lr", "0.05", "--out", out.toString());
        assertEquals(0, r.code(), r.out() + r.err());
        assertEquals("", r.jvmWarnings(), "the launcher keeps the JVM quiet:\n" + r.err());
        assertTrue(r.out().contains("trained to epoch 2 with 2 workers"), r.out());
        assertTrue(r.out().contains("replicas bit-identical"), r.out());
        assertTrue(r.out().contains("rank 1: 8 steps"), r.out());
        assertTrue(r.err().contains("epoch 2/2: accuracy"), r.err());
        assertEquals(10, ModelFile.load(out.resolve("model.safetensors")).info().classNames().size());
        assertTrue(Files.exists(out.resolve("checkpoint.safetensors")));
        History h = History.fromCsv(Files.readString(out.resolve("history.csv")));
        assertEquals(List.of(1, 2), h.epochs());
        assertTrue(h.asMap().containsKey("val_loss"), "validated on the sample's val split: " + h.asMap().keySet());
        assertTrue(Files.readString(out.resolve("run.json")).contains("\"exchange_ms_per_step\""));
        assertTrue(Files.readString(out.resolve("run.json")).replace(" ", "").contains("\"batch_norm\":\"per-worker\""),
                "the default batch-norm mode is recorded");
        // The report, as fovea train's: the final model on the validation data. Rank 0's last
        // validation (the history) scored the same weights on the same images, so its accuracy is
        // the one the driver's evaluation must print and show.
        double valAcc = h.get("val_accuracy").get(1);
        double valLoss = h.get("val_loss").get(1);
        assertTrue(r.out().contains(String.format(Locale.ROOT, "validation loss %.4f, accuracy %.4f", valLoss, valAcc)),
                r.out());
        assertTrue(r.out().contains("report: " + out.resolve("report.html")), r.out());
        String html = Files.readString(out.resolve("report.html"));
        assertTrue(html.contains(String.format(Locale.ROOT,
                "<div class=\"value\">%.2f%%</div><div class=\"label\">accuracy</div>", 100 * valAcc)), "accuracy card");
        for (String alt : List.of("Loss per epoch", "Accuracy per epoch", "Confusion matrix, counts")) {
            assertTrue(html.contains("alt=\"" + alt + "\""), alt);
        }
        assertTrue(html.contains("Grad-CAM at <code>"), "the mistakes' Grad-CAM (the tiny model is convolutional)");
        Matcher external = Pattern.compile("(src|href)=\"(?!data:|#)[^\"]*\"").matcher(html);
        assertFalse(external.find(), () -> "self-contained, but links " + external.group());
        for (String png : List.of("loss.png", "accuracy.png", "confusion_counts.png")) {
            assertTrue(Files.size(out.resolve("plots").resolve(png)) > 1000, png);
        }
    }

    @Test
    void anUnknownBatchNormModeIsOneLineWithoutStackTrace() throws Exception {
        Launcher.Run r = fovea("spark", "train", "--master", "local[2]", "--data", TinyModel.SAMPLE.toString(),
                "--batch-norm", "global", "--out", tmp.resolve("x").toString());
        assertEquals(2, r.code(), r.out() + r.err());
        assertEquals("", r.jvmWarnings(), "the launcher keeps the JVM quiet:\n" + r.err());
        assertTrue(r.err().contains("error: --batch-norm global: unknown; expected per-worker or sync"), r.err());
        assertFalse(r.err().contains("\tat "), r.err());
        assertFalse(Files.exists(tmp.resolve("x")));
    }

    @Test
    void anUnknownOptimizerIsOneLineWithoutStackTrace() throws Exception {
        Launcher.Run r = fovea("spark", "train", "--master", "local[2]", "--data", TinyModel.SAMPLE.toString(),
                "--optimizer", "rmsprop", "--out", tmp.resolve("x").toString());
        assertEquals(2, r.code(), r.out() + r.err());
        assertEquals("", r.jvmWarnings(), "the launcher keeps the JVM quiet:\n" + r.err());
        assertTrue(r.err().contains("error: --optimizer rmsprop: unknown; expected adam, adamw or sgd"), r.err());
        assertFalse(r.err().contains("\tat "), r.err());
        assertFalse(Files.exists(tmp.resolve("x")));
    }
}
