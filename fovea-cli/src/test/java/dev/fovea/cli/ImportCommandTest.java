package dev.fovea.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fovea.io.ModelFile;
import dev.fovea.io.ReferenceFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code fovea import} and Keras files taken directly by the commands that take a model: the real
 * tf.keras model in {@code ../shared/models/} scores the accuracy its README states (0.6894 on the
 * shared test split with x/255) both imported and read directly; the Keras files fovea-interop's
 * tests write (make_keras_files.py) predict alike as .keras and .h5; and every broken or refused
 * input is one {@code error:} line, exit 2, and no file written.
 */
class ImportCommandTest {
    /** The Keras files of fovea-interop's tests (written in Keras's layouts by make_keras_files.py there). */
    private static final Path KERAS = Path.of("../fovea-interop/src/test/resources/dev/fovea/interop/keras");
    private static final Path SYLVAIN = ReferenceFiles.shared().resolve("models/sylvain-cifar10-bn.h5");
    private static final String CIFAR = ReferenceFiles.datasets().resolve("cifar-10-binary.tar.gz").toString();

    @TempDir
    Path tmp;

    private static String printed(String out, String what) {
        Matcher m = Pattern.compile("(?m)^" + what + ":\\s+([0-9.]+)").matcher(out);
        assertTrue(m.find(), what + " not printed:\n" + out);
        return m.group(1);
    }

    @Test
    void theRealKerasModelImportsAndEvaluatesToItsStatedAccuracyImportedOrDirect() {
        Path out = tmp.resolve("sylvain.safetensors");
        CliRun r = CliRun.of("import", SYLVAIN.toString(), "--rescale", "1/255", "--out", out.toString(),
                "--class-names", "airplane,automobile,bird,cat,deer,dog,frog,horse,ship,truck");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("keras-h5, Keras 2.1.6-tf"), r.out());
        ModelFile.Loaded saved = ModelFile.load(out);
        assertEquals(Map.of("scale", 1.0 / 255), saved.info().preprocessing());
        assertEquals("airplane", saved.info().classNames().get(0));
        assertEquals(List.of("fovea import " + SYLVAIN + " --rescale 1/255 --out " + out + " --class-names"
                + " airplane,automobile,bird,cat,deer,dog,frog,horse,ship,truck"), saved.info().provenance().get("commands"));

        CliRun imported = CliRun.of("evaluate", "--model", out.toString(), "--data", CIFAR);
        assertEquals(0, imported.code(), imported.err());
        assertEquals("0.6894", printed(imported.out(), "accuracy"));
        CliRun direct = CliRun.of("evaluate", "--model", SYLVAIN.toString(), "--rescale", "1/255", "--data", CIFAR);
        assertEquals(0, direct.code(), direct.err());
        assertEquals("0.6894", printed(direct.out(), "accuracy"));
    }

    @Test
    void kerasFilesWorkDirectlyWhereAModelIsTakenAndPredictAlikeAsKerasAndH5() {
        Path image = ReferenceFiles.datasets().resolve("cifar10-images-sample/val");
        CliRun keras = CliRun.of("predict", "--model", KERAS.resolve("small.keras").toString(), "--rescale", "1/255",
                "--json", image.toString());
        CliRun h5 = CliRun.of("predict", "--model", KERAS.resolve("small.h5").toString(), "--rescale", "1/255",
                "--json", image.toString());
        assertEquals(0, keras.code(), keras.err());
        // The same weights in the two formats: the same classes and probabilities for every image.
        assertEquals(keras.out().replace("small.keras", "small.h5"), h5.out());
        assertTrue(keras.out().contains("class_0"), keras.out());

        CliRun summary = CliRun.of("summary", "--model", KERAS.resolve("nested.keras").toString(), "--normalize",
                "0.5/0.25");
        assertEquals(0, summary.code(), summary.err());
        assertTrue(summary.out().contains("block (Sequential)") && summary.out().contains("head (Functional)"),
                summary.out());
        // explain: the convolution arithmetic of the imported layers, and a Grad-CAM overlay.
        CliRun explain = CliRun.of("explain", "--model", KERAS.resolve("small.h5").toString(), "--rescale", "1/255");
        assertEquals(0, explain.code(), explain.err());
        assertTrue(explain.out().contains("conv2d_1"), explain.out());
        Path cam = tmp.resolve("cam");
        CliRun gradCam = CliRun.of("explain", "--grad-cam", "--model", KERAS.resolve("functional.keras").toString(),
                "--rescale", "1/255", "--image", image.resolve("cat").toFile().listFiles()[0].toString(), "--out",
                cam.toString());
        assertEquals(0, gradCam.code(), gradCam.err());
        assertEquals(1, cam.toFile().listFiles((d, n) -> n.endsWith("_gradcam.png")).length);
    }

    @Test
    void refusedInputIsOneLineExitTwoAndNothingWritten() {
        Path out = tmp.resolve("m.safetensors");
        assertRefused(out, "error: fovea import needs the preprocessing the model was trained with, and does not"
                + " guess: pass --rescale SCALE[,OFFSET]", "import", KERAS.resolve("small.keras").toString(), "--out",
                out.toString());
        assertRefused(out, "truncated.keras is not a complete zip (", "import",
                KERAS.resolve("truncated.keras").toString(), "--rescale", "1/255", "--out", out.toString());
        assertRefused(out, "noweights.h5: the HDF5 file holds a model config but no weights", "import",
                KERAS.resolve("noweights.h5").toString(), "--rescale", "1/255", "--out", out.toString());
        assertRefused(out, "unknown_layer.keras: layer 'conv3d': unknown layer type 'Conv3D'", "import",
                KERAS.resolve("unknown_layer.keras").toString(), "--rescale", "1/255", "--out", out.toString());
        assertRefused(out, "dynamic.keras: the input shape [null, null, null, 3] has a dimension of unknown size",
                "import", KERAS.resolve("dynamic.keras").toString(), "--rescale", "1/255", "--out", out.toString());
        // The model takes 8×8 images; CIFAR-10's are 32×32.
        assertRefused(out, "error: --model " + KERAS.resolve("small.keras") + " expects images of 8×8×3"
                + " (height×width×channels) but --data " + CIFAR + " holds images of 32×32×3", "evaluate", "--model",
                KERAS.resolve("small.keras").toString(), "--rescale", "1/255", "--data", CIFAR);
        assertRefused(out, "small.keras: a Keras file does not say how its pixels were scaled, and Fovea does not"
                + " guess", "evaluate", "--model", KERAS.resolve("small.keras").toString(), "--data", CIFAR);
    }

    /**
     * Fine-tuning an imported model on data with other classes: --init keeps the file's layers,
     * weights and preprocessing, --new-head replaces the 5-output Dense by a 3-output one, and
     * --freeze takes the imported layer names (the frozen kernel is the file's to the bit).
     */
    @Test
    void anImportedModelFineTunesWithANewHeadAndFrozenImportedLayers() throws Exception {
        Path imported = tmp.resolve("small.safetensors");
        assertEquals(0, CliRun.of("import", KERAS.resolve("small.keras").toString(), "--rescale", "1/127.5,-1",
                "--out", imported.toString()).code());
        Path data = TinyFolders.flat(tmp.resolve("data"), 3, 8, 5);
        Path run = tmp.resolve("run");
        CliRun r = CliRun.of(TinyFolders.train(data, run, "--init", imported.toString(), "--new-head", "--epochs", "1",
                "--freeze", "conv2d/kernel", "--no-report"));
        assertEquals(0, r.code(), r.err());
        assertTrue(r.err().contains("new head: dense (Dense) now has 3 outputs instead of 5, one per class of the data,"
                + " its weights new (seed 1); every other layer's come from " + imported), r.err());
        ModelFile.Loaded before = ModelFile.load(imported);
        ModelFile.Loaded after = ModelFile.load(run.resolve("model.safetensors"));
        assertEquals("(None, 3)", after.model().outputShape().toBatchString());
        org.junit.jupiter.api.Assertions.assertArrayEquals(before.model().namedParams().get("conv2d/kernel").value(),
                after.model().namedParams().get("conv2d/kernel").value());
        // The file's preprocessing, x/127.5 − 1, is what training fed and what the new file records.
        assertEquals(before.info().preprocessing().get("mean"), after.info().preprocessing().get("mean"));
        assertEquals(before.info().preprocessing().get("std"), after.info().preprocessing().get("std"));
        String json = Files.readString(run.resolve("run.json"));
        assertTrue(json.contains("\"init\":\"" + imported + "\"") && json.contains("\"new_head\":true"), json);
        String sha = java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                .digest(Files.readAllBytes(imported)));
        assertTrue(json.contains("\"init_sha256\":\"" + sha + "\""), json);
        // The model file (and so the report's provenance) names the file it started from.
        assertEquals(imported.toString(), after.info().provenance().get("init"));
        assertEquals(sha, after.info().provenance().get("init_sha256"));
    }

    @Test
    void importSaysWhichTrainingOnlySettingsItDropped() {
        Path out = tmp.resolve("r.safetensors");
        CliRun r = CliRun.of("import", KERAS.resolve("regularized.h5").toString(), "--rescale", "1/255", "--out",
                out.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("ignored:  kernel_constraint on 1 layer, kernel_regularizer on 2 layers, trainable"
                + " false on 1 layer (training-only settings: the weights are the file's; to fine-tune, regularize with"
                + " --weight-decay and freeze with --freeze)"), r.out());
    }

    @Test
    void serveRefusesAKerasModelWithoutPreprocessingAndPreprocessingWithoutOne() {
        Path out = tmp.resolve("never");
        assertRefused(out, "small.keras: a Keras file does not say how its pixels were scaled", "serve", "--model",
                KERAS.resolve("small.keras").toString(), "--port", "0");
        assertRefused(out, "error: --rescale 1/255 is for .keras and .h5 model files, and none is served", "serve",
                "--model", KERAS.resolve("expected.json").toString(), "--rescale", "1/255", "--port", "0");
    }

    /**
     * ONNX files through the same commands: one model written as .keras, .h5 and .onnx predicts
     * the same classes and probabilities through all three, the ONNX one imports to a Fovea
     * file that predicts the same again, and an ONNX file with an unknown operator is one line.
     */
    @Test
    void oneModelAsKerasH5AndOnnxPredictsAlikeAndOnnxImports() throws Exception {
        Path image = ReferenceFiles.datasets().resolve("cifar10-images-sample/val/cat");
        // The three files hold one 8×8 model: real images, shrunk to 8×8 PNGs.
        Path small = Files.createDirectories(tmp.resolve("small"));
        java.io.File[] cats = image.toFile().listFiles();
        java.util.Arrays.sort(cats);
        for (int i = 0; i < 4; i++) {
            java.awt.image.BufferedImage src = javax.imageio.ImageIO.read(cats[i]);
            java.awt.image.BufferedImage dst = new java.awt.image.BufferedImage(8, 8,
                    java.awt.image.BufferedImage.TYPE_INT_RGB);
            dst.getGraphics().drawImage(src, 0, 0, 8, 8, null);
            javax.imageio.ImageIO.write(dst, "png", small.resolve("cat" + i + ".png").toFile());
        }
        java.util.List<String> outs = new java.util.ArrayList<>();
        for (String f : java.util.List.of("functional.keras", "functional.h5", "functional.onnx")) {
            CliRun r = CliRun.of("predict", "--model", KERAS.resolve(f).toString(), "--rescale", "1/255", "--json",
                    small.toString());
            assertEquals(0, r.code(), f + ": " + r.err());
            outs.add(r.out().replace(KERAS.resolve(f).toString(), "MODEL").replace(f, "MODEL"));
        }
        assertTrue(outs.get(0).contains("cat3.png"), outs.get(0));
        // .keras and .h5 hold the same weights for the same Fovea graph: the same to the bit. The
        // ONNX graph computes the batch norm as a per-channel product and sum: the same classes,
        // probabilities within 1e-5.
        assertEquals(outs.get(0), outs.get(1));
        com.fasterxml.jackson.databind.JsonNode a = new com.fasterxml.jackson.databind.ObjectMapper().readTree(outs.get(0));
        com.fasterxml.jackson.databind.JsonNode b = new com.fasterxml.jackson.databind.ObjectMapper().readTree(outs.get(2));
        assertEquals(a.get("predictions").size(), b.get("predictions").size());
        for (int i = 0; i < a.get("predictions").size(); i++) {
            var ta = a.get("predictions").get(i).get("top");
            var tb = b.get("predictions").get(i).get("top");
            for (int k = 0; k < ta.size(); k++) {
                assertEquals(ta.get(k).get("class").asText(), tb.get(k).get("class").asText(), "image " + i);
                assertEquals(ta.get(k).get("probability").asDouble(), tb.get(k).get("probability").asDouble(), 1e-5);
            }
        }

        Path onnx = Path.of("../fovea-interop/src/test/resources/onnx");
        Path out = tmp.resolve("tutorial.safetensors");
        CliRun imported = CliRun.of("import", onnx.resolve("tutorial_cnn.onnx").toString(), "--rescale", "1/255",
                "--out", out.toString());
        assertEquals(0, imported.code(), imported.err());
        CliRun direct = CliRun.of("predict", "--model", onnx.resolve("tutorial_cnn.onnx").toString(), "--rescale",
                "1/255", "--json", image.toString());
        CliRun viaFile = CliRun.of("predict", "--model", out.toString(), "--json", image.toString());
        assertEquals(0, direct.code(), direct.err());
        assertEquals(direct.out().replace(onnx.resolve("tutorial_cnn.onnx").toString(), "M"),
                viaFile.out().replace(out.toString(), "M"));

        Path refused = tmp.resolve("unknown.safetensors");
        assertRefused(refused, "node", "import", onnx.resolve("unknown_op.onnx").toString(), "--rescale", "1/255",
                "--out", refused.toString());
    }

    private static void assertRefused(Path out, String expected, String... args) {
        CliRun r = CliRun.of(args);
        assertEquals(2, r.code(), r.err() + r.out());
        assertTrue(r.err().contains(expected), r.err());
        assertTrue(r.err().startsWith("error: "), r.err());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertFalse(r.err().contains("\tat "), r.err());
        assertFalse(Files.exists(out), "written although refused: " + out);
    }
}
