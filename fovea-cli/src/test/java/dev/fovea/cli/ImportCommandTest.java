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
    void kerasFilesWorkDirectlyWhereAModelIsTakenAndPredictAliveAsKerasAndH5() {
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
        assertTrue(summary.out().contains("head_dense") || summary.out().contains("head"), summary.out());
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

    @Test
    void serveRefusesAKerasModelWithoutPreprocessingAndPreprocessingWithoutOne() {
        Path out = tmp.resolve("never");
        assertRefused(out, "small.keras: a Keras file does not say how its pixels were scaled", "serve", "--model",
                KERAS.resolve("small.keras").toString(), "--port", "0");
        assertRefused(out, "error: --rescale 1/255 is for .keras and .h5 model files, and none is served", "serve",
                "--model", KERAS.resolve("expected.json").toString(), "--rescale", "1/255", "--port", "0");
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
