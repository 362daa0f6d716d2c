package dev.fovea.interop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fovea.FoveaException;
import dev.fovea.data.Normalization;
import dev.fovea.io.ModelFile;
import dev.fovea.nn.Dense;
import dev.fovea.nn.Input;
import dev.fovea.nn.Model;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The one path → model switch: Fovea files as before, Keras files only with an explicit
 * preprocessing (recorded in the model's metadata with the source file's SHA-256), ONNX's marked
 * case, and the preprocessing options' syntax against hand-computed pixel values.
 */
class ModelFilesTest {
    private static Path keras(String name) throws Exception {
        return Path.of(ModelFilesTest.class.getResource("keras/" + name).toURI());
    }

    @Test
    void aKerasFileLoadsWithTheGivenPreprocessingAndNamesItsSource() throws Exception {
        Path small = keras("small.keras");
        ModelFile.Loaded l = ModelFiles.load(small, Preprocessing.parse("1/255", null));
        assertEquals(Map.of("scale", 1.0 / 255), l.info().preprocessing());
        assertEquals(List.of(), l.info().classNames());
        Map<String, Object> p = l.info().provenance();
        assertEquals(small.toAbsolutePath().toString(), p.get("imported_from"));
        String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(small)));
        assertEquals(sha, p.get("source_sha256"));
        assertEquals("keras", p.get("source_format"));
        assertEquals("3.3.3", p.get("source_keras_version"));
        assertEquals("--rescale 1/255", p.get("preprocessing_given"));
    }

    @Test
    void noPreprocessingIsGuessedAndAFoveaFileKeepsItsOwn(@TempDir Path dir) throws Exception {
        FoveaException e = assertThrows(FoveaException.class, () -> ModelFiles.load(keras("small.h5"), null));
        assertTrue(e.getMessage().endsWith("small.h5: a Keras file does not say how its pixels were scaled, and Fovea"
                + " does not guess; pass the preprocessing the model was trained with: " + Preprocessing.RESCALE_HELP
                + " or " + Preprocessing.NORMALIZE_HELP), e.getMessage());

        Path fovea = dir.resolve("m.safetensors");
        var in = Input.of(4);
        ModelFile.save(fovea, Model.of(in, new Dense(2).apply(in)), ModelFile.Info.of(List.of("a", "b")));
        assertEquals(List.of("a", "b"), ModelFiles.load(fovea, null).info().classNames());
        e = assertThrows(FoveaException.class, () -> ModelFiles.load(fovea, Preprocessing.parse("1/255", null)));
        assertEquals("--rescale 1/255 is for .keras, .h5 and .onnx files, which do not say how pixels were scaled;"
                + " m.safetensors is a Fovea model file and records its own preprocessing: drop the option",
                e.getMessage());

        e = assertThrows(FoveaException.class, () -> ModelFiles.load(keras("vectors.keras"),
                Preprocessing.parse("1/255", null)));
        assertTrue(e.getMessage().endsWith("vectors.keras: the model takes inputs of shape (None, 12), not images (None,"
                + " height, width, channels); Fovea imports image classifiers"), e.getMessage());

        Path onnx = Files.writeString(dir.resolve("m.onnx"), "x");
        e = assertThrows(FoveaException.class, () -> ModelFiles.load(onnx, Preprocessing.parse("1/255", null)));
        assertTrue(e.getMessage().startsWith(onnx.toString()), e.getMessage());
    }

    /**
     * Issue 18's acceptance: one model saved as .keras, .h5 and .onnx (functional.onnx is
     * torch.onnx.export of the same weights, make_onnx_twin.py) gives the same outputs and the
     * same predictions through all three, each equal to PyTorch's outputs within 1e-4.
     */
    @Test
    void oneModelSavedAsKerasH5AndOnnxGivesTheSamePredictionsThroughAllThree() throws Exception {
        Map<String, List<Double>> expected = new com.fasterxml.jackson.databind.ObjectMapper().readValue(
                keras("expected.json").toFile(), new com.fasterxml.jackson.core.type.TypeReference<>() { });
        List<Double> input = expected.get("input");
        List<Double> want = expected.get("functional");
        int images = 4;
        int per = input.size() / images;
        int classes = want.size() / images;
        List<List<Integer>> predictions = new java.util.ArrayList<>();
        for (String name : List.of("functional.keras", "functional.h5", "functional.onnx")) {
            ModelFile.Loaded l = ModelFiles.load(keras(name), Preprocessing.parse("1", null));
            dev.fovea.nn.InferencePlan plan = dev.fovea.nn.InferencePlan.of(l.model());
            List<Integer> top = new java.util.ArrayList<>();
            for (int i = 0; i < images; i++) {
                float[] x = new float[per];
                for (int j = 0; j < per; j++) {
                    x[j] = input.get(i * per + j).floatValue();
                }
                float[] y = plan.forward(new dev.fovea.tensor.Tensor(dev.fovea.tensor.Shape.of(1, 8, 8, 3), x)).data();
                int best = 0;
                for (int k = 0; k < classes; k++) {
                    double w = want.get(i * classes + k);
                    assertEquals(w, y[k], 1e-4 * Math.max(1, Math.abs(w)), name + " image " + i + " output " + k);
                    best = y[k] > y[best] ? k : best;
                }
                top.add(best);
            }
            predictions.add(top);
        }
        assertEquals(predictions.get(0), predictions.get(1));
        assertEquals(predictions.get(0), predictions.get(2));
    }

    /** ONNX through the one loader: PyTorch's files need the preprocessing; a Fovea export carries its own. */
    @Test
    void anOnnxFileLoadsThroughTheSameDoorAndAFoveaExportKeepsItsPreprocessingAndClasses(@TempDir Path dir)
            throws Exception {
        Path torch = Path.of(ModelFilesTest.class.getResource("/onnx/tutorial_cnn.onnx").toURI());
        FoveaException e = assertThrows(FoveaException.class, () -> ModelFiles.load(torch, null));
        assertTrue(e.getMessage().contains("an ONNX file does not say how its pixels were scaled"), e.getMessage());
        ModelFile.Loaded l = ModelFiles.load(torch, Preprocessing.parse("1/255", null));
        assertEquals(Map.of("scale", 1.0 / 255), l.info().preprocessing());
        assertEquals("onnx", l.info().provenance().get("source_format"));
        String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(torch)));
        assertEquals(sha, l.info().provenance().get("source_sha256"));
        // The same weights as OnnxImport's own reading: one image, outputs equal bit for bit.
        Model direct = dev.fovea.interop.onnx.OnnxImport.read(torch);
        dev.fovea.tensor.Tensor x = dev.fovea.tensor.Tensor.zeros(dev.fovea.tensor.Shape.of(1, 32, 32, 3));
        for (int i = 0; i < x.size(); i++) {
            x.data()[i] = (i % 17) / 17f;
        }
        assertEquals(java.util.Arrays.toString(direct.forward(x, false).data()),
                java.util.Arrays.toString(l.model().forward(x, false).data()));

        var in = Input.of(2, 2, 3);
        Model m = Model.of(in, new Dense(2).apply(new dev.fovea.nn.Flatten().apply(in)));
        m.initialize(1);
        Path exported = dir.resolve("m.onnx");
        Map<String, Object> pre = Map.of("scale", 1.0 / 255, "mean", List.of(0.5, 0.5, 0.5), "std", List.of(0.25, 0.25,
                0.25));
        dev.fovea.interop.onnx.OnnxExport.write(m, exported, new ModelFile.Info(List.of("cat", "dog"), pre, Map.of()));
        ModelFile.Loaded back = ModelFiles.load(exported, null);
        assertEquals(List.of("cat", "dog"), back.info().classNames());
        assertEquals(0.5, ((List<?>) back.info().preprocessing().get("mean")).get(0));
    }

    @Test
    void rescaleAndNormalizeGiveTheAffineMapsTheySay() {
        // x·(1/127.5) − 1: pixel 0 → −1, 255 → 1, 51 → −0.6.
        Normalization n = norm(Preprocessing.parse("1/127.5,-1", null), 3);
        assertPixels(n, new float[]{-1f, 1f, -0.6f}, 0, 255, 51);
        // Raw pixels: x·1.
        assertPixels(norm(Preprocessing.parse("1", null), 1), new float[]{0f, 255f, 51f}, 0, 255, 51);
        // (x/255 − 0.5)/0.25 on channel 0, (x/255 − 0.2)/0.5 on channel 1: 51 is 0.2 on the [0, 1] scale.
        n = norm(Preprocessing.parse(null, "0.5,0.2/0.25,0.5"), 2);
        float[] out = new float[2];
        n.toFloat(new byte[]{51, 51}, 0, out, 0, 2);
        assertEquals(-1.2f, out[0], 1e-6f);
        assertEquals(0f, out[1], 1e-6f);
        assertEquals(null, Preprocessing.parse(null, null));
    }

    @Test
    void malformedPreprocessingIsOneClearError() {
        assertRefused("--rescale 1/255 and --normalize 0.5/0.5 both given; pass one: they are two ways to say the same"
                + " affine map", "1/255", "0.5/0.5");
        assertRefused("--rescale abc: SCALE 'abc' is not a number (e.g. 0.5 or 1/255)", "abc", null);
        assertRefused("--rescale -1: expected a positive SCALE, received -1; a model's input grows with the pixel value",
                "-1", null);
        assertRefused("--normalize 0.5,0.5: expected MEAN/STD, each one value or one per channel separated by commas"
                + " (e.g. 0.4914,0.4822,0.4465/0.247,0.243,0.261)", null, "0.5,0.5");
        assertRefused("--normalize 0.5/0: every STD must be positive, received 0.0", null, "0.5/0");
        FoveaException e = assertThrows(FoveaException.class,
                () -> Preprocessing.parse(null, "0.5,0.5/0.2,0.2").toMap(3, "m.keras"));
        assertEquals("m.keras: --normalize 0.5,0.5/0.2,0.2 gives 2 mean(s) and 2 std(s), the model takes 3 input"
                + " channels; give one value or 3", e.getMessage());
    }

    private static void assertRefused(String message, String rescale, String normalize) {
        FoveaException e = assertThrows(FoveaException.class, () -> Preprocessing.parse(rescale, normalize));
        assertEquals(message, e.getMessage());
    }

    private static Normalization norm(Preprocessing p, int channels) {
        return Normalization.fromMap(p.toMap(channels, "m"), channels);
    }

    private static void assertPixels(Normalization n, float[] want, int... pixels) {
        int c = n.channels();
        for (int i = 0; i < pixels.length; i++) {
            byte[] src = new byte[c];
            java.util.Arrays.fill(src, (byte) pixels[i]);
            float[] out = new float[c];
            n.toFloat(src, 0, out, 0, c);
            assertEquals(want[i], out[0], 1e-4f * Math.max(1, Math.abs(want[i])), "pixel " + pixels[i]);
        }
    }
}
