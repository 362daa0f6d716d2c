package dev.fovea.cli;

import static dev.fovea.cli.TrainedModel.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.fovea.data.Dataset;
import dev.fovea.data.ImageFolder;
import dev.fovea.data.Normalization;
import dev.fovea.io.ModelFile;
import dev.fovea.nn.ActivationFunction;
import dev.fovea.nn.Model;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EvaluateCommandTest {
    @TempDir
    static Path shared;

    @TempDir
    Path tmp;

    static Path modelFile;
    static Path bin;
    static int[] binIndices;

    @BeforeAll
    static void trainOnce() throws IOException {
        assumeTrue(Files.isDirectory(TrainedModel.SAMPLE), "shared image sample not present");
        modelFile = TrainedModel.write(shared.resolve("model.safetensors"));
        // Every 5th validation image (4 per class): a held-out batch file of 40 records.
        binIndices = new int[40];
        for (int i = 0; i < binIndices.length; i++) {
            binIndices[i] = 5 * i;
        }
        bin = TrainedModel.writeBin(shared.resolve("heldout.bin"), TrainedModel.sample().test(), binIndices);
    }

    @BeforeEach
    void sampleThere() {
        assumeTrue(modelFile != null);
    }

    private static double printed(String out, String what) {
        Matcher m = Pattern.compile("(?m)^" + what + ":\\s+([0-9.]+)$").matcher(out);
        assertTrue(m.find(), what + " not printed:\n" + out);
        return Double.parseDouble(m.group(1));
    }

    private static String fixed4(double v) {
        return String.format(Locale.ROOT, "%.4f", v);
    }

    /** Keras's loss on probabilities: −mean log(clip(p[label], 1e-7, 1 − 1e-7)). */
    private static double crossEntropy(float[] p, int[] labels, int k) {
        double s = 0;
        for (int i = 0; i < labels.length; i++) {
            s -= Math.log(Math.min(Math.max(p[i * k + labels[i]], 1e-7f), 1f - 1e-7f));
        }
        return s / labels.length;
    }

    private static void assertNoStackTrace(CliRun r) {
        assertFalse(r.err().contains("\tat "), "stack trace printed:\n" + r.err());
        assertFalse(r.err().contains("internal error"), r.err());
    }

    @Test
    void imageFolderIsScoredOnItsValidationSplit() {
        CliRun r = run("evaluate", "--model", modelFile.toString(), "--data", TrainedModel.SAMPLE.toString());
        assertEquals(0, r.code(), r.err());
        Dataset val = TrainedModel.sample().test();
        float[] p = TrainedModel.predict(TrainedModel.model(), val, TrainedModel.norm());
        double acc = TrainedModel.accuracy(p, val.labels(), 10);
        assertTrue(acc > 0.15 && acc < 1, "the fixture should have learned something: " + acc);
        assertTrue(r.out().contains("(validation split)"), r.out());
        assertTrue(r.out().contains("images:   200"), r.out());
        assertEquals(fixed4(acc), r.out().lines().filter(l -> l.startsWith("accuracy:")).findFirst()
                .orElseThrow().substring(9).trim());
        assertEquals(crossEntropy(p, val.labels(), 10), printed(r.out(), "loss"), 5.1e-5);
        assertTrue(r.out().contains("confusion matrix"), r.out());
        assertTrue(r.out().contains("precision"), r.out());
    }

    @Test
    void singleBatchFileIsEvaluatedWhole() {
        CliRun r = run("evaluate", "--model", modelFile.toString(), "--data", bin.toString(), "--batch-size", "7");
        assertEquals(0, r.code(), r.err());
        Dataset sub = TrainedModel.sample().test().subset(binIndices);
        float[] p = TrainedModel.predict(TrainedModel.model(), sub, TrainedModel.norm());
        assertTrue(r.out().contains("(all 40 images)"), r.out());
        assertTrue(r.out().contains("images:   40"), r.out());
        assertEquals(TrainedModel.accuracy(p, sub.labels(), 10), printed(r.out(), "accuracy"), 0);
        assertEquals(fixed4(TrainedModel.accuracy(p, sub.labels(), 10)), fixed4(printed(r.out(), "accuracy")));
        assertEquals(crossEntropy(p, sub.labels(), 10), printed(r.out(), "loss"), 5.1e-5);
    }

    @Test
    void logitsModelIsScoredThroughSoftmax() {
        Model logits = TrainedModel.small(32, 32, 3, 10, ActivationFunction.LINEAR);
        logits.initialize(11);
        Path f = tmp.resolve("logits.safetensors");
        ModelFile.save(f, logits, ModelFile.Info.of(TrainedModel.cifarNames()));
        CliRun r = run("evaluate", "--model", f.toString(), "--data", bin.toString());
        assertEquals(0, r.code(), r.err());
        Dataset sub = TrainedModel.sample().test().subset(binIndices);
        float[] z = TrainedModel.predict(logits, sub, Normalization.scale(3));
        double loss = 0;
        for (int i = 0; i < sub.size(); i++) {
            double max = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < 10; j++) {
                max = Math.max(max, z[i * 10 + j]);
            }
            double sum = 0;
            for (int j = 0; j < 10; j++) {
                sum += Math.exp(z[i * 10 + j] - max);
            }
            loss += Math.log(sum) + max - z[i * 10 + sub.label(i)];
        }
        assertEquals(loss / sub.size(), printed(r.out(), "loss"), 5.1e-5);
        assertEquals(fixed4(TrainedModel.accuracy(z, sub.labels(), 10)), fixed4(printed(r.out(), "accuracy")));
    }

    @Test
    void folderWithSomeClassesIsRelabelledByName() throws IOException {
        Path pets = tmp.resolve("pets");
        for (String c : List.of("cat", "dog")) {
            Files.createDirectories(pets.resolve(c));
            try (var s = Files.list(TrainedModel.SAMPLE.resolve("val").resolve(c))) {
                for (Path jpg : s.sorted().limit(6).toList()) {
                    Files.copy(jpg, pets.resolve(c).resolve(jpg.getFileName()));
                }
            }
        }
        CliRun r = run("evaluate", "--model", modelFile.toString(), "--data", pets.toString());
        assertEquals(0, r.code(), r.err());
        Dataset ds = ImageFolder.load(pets, new ImageFolder.Options(32, 32, true), w -> { }).train();
        int[] labels = new int[ds.size()];
        for (int i = 0; i < labels.length; i++) {
            labels[i] = TrainedModel.cifarNames().indexOf(ds.classNames().get(ds.label(i)));
        }
        assertEquals(3, labels[0]);
        assertEquals(5, labels[labels.length - 1]);
        float[] p = TrainedModel.predict(TrainedModel.model(), ds, TrainedModel.norm());
        assertEquals(fixed4(TrainedModel.accuracy(p, labels, 10)), fixed4(printed(r.out(), "accuracy")));
        assertTrue(r.out().contains("(all 12 images)"), r.out());
        // Supports in the per-class table: the images count as cat and dog, not as classes 0 and 1.
        for (String c : List.of("cat", "dog")) {
            assertTrue(Pattern.compile("(?m)^" + c + "\\s+[0-9.]+\\s+[0-9.]+\\s+[0-9.]+\\s+6$").matcher(r.out()).find(),
                    r.out());
        }
        assertTrue(Pattern.compile("(?m)^airplane\\s+[0-9.]+\\s+[0-9.]+\\s+[0-9.]+\\s+0$").matcher(r.out()).find(),
                r.out());
    }

    @Test
    void reportIsSelfContainedWithEverySection() throws IOException {
        Path dir = tmp.resolve("eval");
        CliRun r = run("evaluate", "--model", modelFile.toString(), "--data", bin.toString(),
                "--report", dir.toString());
        assertEquals(0, r.code(), r.err());
        String html = Files.readString(dir.resolve("report.html"));
        for (String id : List.of("overview", "confusion", "per-class", "most-confused", "misclassified", "model")) {
            assertTrue(html.contains("id=\"" + id + "\""), "section " + id + " missing");
        }
        assertTrue(html.contains("Fovea evaluation report"), "evaluation variant");
        assertFalse(html.contains("id=\"curves\""), "no training curves in an evaluation report");
        assertTrue(html.contains("conv2d_1"), "model summary");
        assertTrue(html.contains("training: seed"), "the model file's provenance");
        assertTrue(html.contains("<code>" + bin + " (all 40 images)</code>"), "data row");
        assertTrue(html.contains("<code>fovea evaluate --model " + modelFile + " --data " + bin), "command row");
        assertFalse(html.contains("http://") || html.contains("https://"), "external URL in the report");
        Matcher src = Pattern.compile("src=\"([^\"]{0,30})").matcher(html);
        int images = 0;
        while (src.find()) {
            assertTrue(src.group(1).startsWith("data:image/png;base64,"), src.group(1));
            images++;
        }
        assertTrue(images >= 3, "embedded images: " + images);
        for (String png : List.of("confusion_counts.png", "confusion_normalized.png", "per_class.png")) {
            assertTrue(Files.size(dir.resolve("plots").resolve(png)) > 1000, png);
        }
        assertTrue(r.out().contains("report:   " + dir.resolve("report.html")), r.out());
    }

    @Test
    void missingOrPresetModelIsAUserError() {
        CliRun missing = run("evaluate", "--model", tmp.resolve("none.safetensors").toString(),
                "--data", bin.toString());
        assertEquals(2, missing.code());
        assertTrue(missing.err().startsWith("error: --model " + tmp.resolve("none.safetensors") + ": no such file"),
                missing.err());
        assertNoStackTrace(missing);
        CliRun preset = run("evaluate", "--model", "tutorial-cnn", "--data", bin.toString());
        assertEquals(2, preset.code());
        assertTrue(preset.err().contains("tutorial-cnn is a preset without trained weights; pass a model file"),
                preset.err());
        CliRun folder = run("evaluate", "--model", tmp.toString(), "--data", bin.toString());
        assertEquals(2, folder.code());
        assertTrue(folder.err().contains("is a folder without model.safetensors"), folder.err());
        CliRun runFolder = run("evaluate", "--model", shared.toString(), "--data", bin.toString());
        assertEquals(0, runFolder.code(), "a run folder stands for its model file: " + runFolder.err());
        CliRun notAModel = run("evaluate", "--model", bin.toString(), "--data", bin.toString());
        assertEquals(2, notAModel.code());
        assertTrue(notAModel.err().startsWith("error: ") && notAModel.err().contains(bin.toString()),
                notAModel.err());
        assertNoStackTrace(notAModel);
    }

    /** --tta flip and 6view score the averaged probabilities (softmax head), views built independently. */
    @Test
    void ttaScoresTheOutputsAveragedOverTheViews() {
        Dataset sub = TrainedModel.sample().test().subset(binIndices);
        float[] plain = TrainedModel.predict(TrainedModel.model(), sub, TrainedModel.norm());
        for (String level : List.of("flip", "6view")) {
            CliRun r = run("evaluate", "--model", modelFile.toString(), "--data", bin.toString(), "--tta", level,
                    "--batch-size", "16");
            assertEquals(0, r.code(), r.err());
            float[] p = TtaViews.average(TrainedModel.model(), sub, TrainedModel.norm(), level);
            assertTrue(crossEntropy(p, sub.labels(), 10) != crossEntropy(plain, sub.labels(), 10),
                    level + ": the views must change the outputs, or this test could not tell");
            assertEquals(fixed4(TrainedModel.accuracy(p, sub.labels(), 10)), fixed4(printed(r.out(), "accuracy")));
            assertEquals(crossEntropy(p, sub.labels(), 10), printed(r.out(), "loss"), 5.1e-5);
            int views = level.equals("flip") ? 2 : 6;
            assertTrue(r.out().contains("tta:      " + level + " (" + views
                    + " forward passes per image, outputs averaged)"), r.out());
        }
        CliRun none = run("evaluate", "--model", modelFile.toString(), "--data", bin.toString(), "--tta", "none");
        assertEquals(crossEntropy(plain, sub.labels(), 10), printed(none.out(), "loss"), 5.1e-5);
        assertFalse(none.out().contains("tta:"), none.out());
    }

    @Test
    void badTtaIsAUserErrorAndTheHelpListsTheLevels() {
        CliRun r = run("evaluate", "--model", modelFile.toString(), "--data", bin.toString(), "--tta", "8view");
        assertEquals(2, r.code());
        assertEquals("error: --tta: expected none, flip or 6view, received '8view'; pass none (one pass), flip"
                + " (image and mirror) or 6view (airbench's six views)", r.err().strip());
        CliRun help = run("evaluate", "--help");
        assertEquals(0, help.code());
        assertTrue(help.out().contains("--tta=LEVEL            Test-time augmentation, LEVEL = none (one"), help.out());
        assertTrue(help.out().contains("Default: none."), help.out());
    }

    @Test
    void missingDataIsAnError() {
        Path none = tmp.resolve("nowhere/test_batch.bin");
        CliRun r = run("evaluate", "--model", modelFile.toString(), "--data", none.toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains(none + " does not exist"), r.err());
        assertNoStackTrace(r);
    }

    @Test
    void inputShapeThatDoesNotFitSaysExpectedReceivedAndWhatToDo() {
        Path gray = tmp.resolve("mnist.safetensors");
        ModelFile.save(gray, TrainedModel.small(28, 28, 1, 10, ActivationFunction.SOFTMAX),
                ModelFile.Info.of(TrainedModel.cifarNames()));
        CliRun r = run("evaluate", "--model", gray.toString(), "--data", bin.toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("expects images of 28×28×1 (height×width×channels) but --data " + bin
                + " holds images of 32×32×3"), r.err());
        assertTrue(r.err().contains("3-channel RGB"), r.err());
        assertNoStackTrace(r);

        Path small = tmp.resolve("small.safetensors");
        ModelFile.save(small, TrainedModel.small(16, 16, 3, 10, ActivationFunction.SOFTMAX),
                ModelFile.Info.of(TrainedModel.cifarNames()));
        CliRun s = run("evaluate", "--model", small.toString(), "--data", bin.toString());
        assertEquals(2, s.code());
        assertTrue(s.err().contains("expects images of 16×16×3"), s.err());
        assertTrue(s.err().contains("or pass an image folder, which is resized to 16×16 automatically"), s.err());
    }

    @Test
    void classCountMismatchAndBadSplitAreUserErrors() throws IOException {
        Path three = tmp.resolve("three.safetensors");
        ModelFile.save(three, TrainedModel.small(32, 32, 3, 3, ActivationFunction.SOFTMAX),
                new ModelFile.Info(List.of("cat", "dog", "frog"), Map.of("scale", 1.0 / 255), Map.of()));
        CliRun r = run("evaluate", "--model", three.toString(), "--data", bin.toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("--data " + bin + " has 10 classes [airplane, automobile,"), r.err());
        assertTrue(r.err().contains("predicts 3 [cat, dog, frog]; evaluate with data of the classes"), r.err());
        assertNoStackTrace(r);

        CliRun split = run("evaluate", "--model", modelFile.toString(), "--data", bin.toString(), "--split", "test");
        assertEquals(2, split.code());
        assertTrue(split.err().contains("is a single set of 40 images without a held-out part; omit --split"),
                split.err());
        Path empty = tmp.resolve("empty.bin");
        Files.write(empty, new byte[0]);
        CliRun none = run("evaluate", "--model", modelFile.toString(), "--data", empty.toString());
        assertEquals(2, none.code());
        assertTrue(none.err().contains("holds no images to evaluate"), none.err());
        CliRun train = run("evaluate", "--model", modelFile.toString(), "--data", bin.toString(), "--split", "train");
        assertEquals(0, train.code(), train.err());
    }
}
