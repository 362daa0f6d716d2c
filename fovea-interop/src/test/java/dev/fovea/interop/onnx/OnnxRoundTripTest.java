package dev.fovea.interop.onnx;

import static dev.fovea.interop.onnx.OnnxTesting.assertClose;
import static dev.fovea.interop.onnx.OnnxTesting.images;
import static dev.fovea.interop.onnx.OnnxTesting.randomizeBatchNorm;
import static dev.fovea.interop.onnx.OnnxTesting.runtime;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fovea.io.ModelFile;
import dev.fovea.nn.Model;
import dev.fovea.nn.Presets;
import dev.fovea.tensor.Shape;
import dev.fovea.tensor.Tensor;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Export → import → export: the imported model computes what the original does, and its own
 * export what ONNX Runtime computes from the first file, on real images.
 */
class OnnxRoundTripTest {
    @TempDir
    Path dir;

    static final int N = 4;

    private Model roundTrip(Model model) throws Exception {
        return roundTrip(model, images(N), N);
    }

    /** Checks the round trip of {@code model} on {@code x} ({@code n} inputs); returns the imported model. */
    private Model roundTrip(Model model, float[] x, int n) throws Exception {
        Path first = dir.resolve("first.onnx");
        Map<String, Object> pre = Map.of("scale", 1.0 / 255, "mean", List.of(0.49, 0.48, 0.45), "std", List.of(0.25, 0.24, 0.26));
        OnnxExport.write(model, first, new ModelFile.Info(List.of("a", "b", "c", "d", "e", "f", "g", "h", "i", "j"), pre, Map.of()));
        ModelFile.Loaded imported = OnnxImport.load(first);
        assertEquals(pre, imported.info().preprocessing());
        assertEquals(10, imported.info().classNames().size());
        String sha = java.util.HexFormat.of().formatHex(
                java.security.MessageDigest.getInstance("SHA-256").digest(java.nio.file.Files.readAllBytes(first)));
        assertEquals(sha, imported.info().provenance().get("source_sha256"));
        assertEquals(first.toAbsolutePath().toString(), imported.info().provenance().get("source_file"));
        Shape in = model.inputShape();
        assertEquals(in, imported.model().inputShape());
        float[] original = model.forward(new Tensor(in.withBatch(n), x), false).data().clone();
        float[] again = imported.model().forward(new Tensor(in.withBatch(n), x), false).data().clone();
        assertClose(original, again, 1e-4, model.name() + " imported");
        // Fine-tuning the import moves its statistics as the original would.
        List<Float> momenta = model.namedLayers().values().stream()
                .filter(l -> l instanceof dev.fovea.nn.BatchNormalization)
                .map(l -> ((dev.fovea.nn.BatchNormalization) l).momentum()).toList();
        assertEquals(momenta, imported.model().namedLayers().values().stream()
                .filter(l -> l instanceof dev.fovea.nn.BatchNormalization)
                .map(l -> ((dev.fovea.nn.BatchNormalization) l).momentum()).toList());

        Path second = dir.resolve("second.onnx");
        OnnxExport.write(imported.model(), second, imported.info());
        float[] ortFirst = runtime(first, x, n, in.dim(0), in.dim(1), in.dim(2));
        float[] ortSecond = runtime(second, x, n, in.dim(0), in.dim(1), in.dim(2));
        assertClose(ortFirst, ortSecond, 1e-4, model.name() + " exported again");
        return imported.model();
    }

    private static List<String> types(Model m) {
        return m.namedLayers().values().stream().map(dev.fovea.nn.Layer::typeName).toList();
    }

    /**
     * DepthwiseConv2D, ReLU and ZeroPadding2D come back as themselves: a grouped Conv as a
     * DepthwiseConv2D with its multiplier, Clip and LeakyRelu as ReLU layers, a Pad before a
     * convolution as its padding where a padding mode lines up, else (and before a max pool) as a
     * ZeroPadding2D.
     */
    @Test
    void mobileNetLayersRoundTrip() throws Exception {
        Model imported = roundTrip(OnnxExportTest.mobileLayers());
        List<dev.fovea.nn.DepthwiseConv2D> dw = imported.namedLayers().values().stream()
                .filter(l -> l instanceof dev.fovea.nn.DepthwiseConv2D).map(l -> (dev.fovea.nn.DepthwiseConv2D) l)
                .toList();
        assertEquals(List.of(2, 1, 3), dw.stream().map(dev.fovea.nn.DepthwiseConv2D::depthMultiplier).toList());
        List<String> relus = imported.namedLayers().values().stream().filter(l -> l instanceof dev.fovea.nn.ReLU)
                .map(l -> (dev.fovea.nn.ReLU) l)
                .map(r -> r.maxValue() + "/" + r.negativeSlope()).toList();
        // relu6; leaky; leaky then min(x, 0.5); min(x, 0.25). The last relu is a relu Activation.
        assertEquals(List.of("6.0/0.0", "Infinity/0.1", "Infinity/0.3", "0.5/1.0", "0.25/1.0"), relus);
        // The stem's pad becomes its 'same' padding; the pad (1, 2, 0, 1) before a (3, 2) stride-(2, 1)
        // valid window lines up with no padding mode, so it stays a layer, as does the max pool's.
        assertEquals(2, types(imported).stream().filter(t -> t.equals("ZeroPadding2D")).count(), types(imported).toString());
        assertTrue(types(imported).stream().noneMatch(t -> t.equals("Rescaling") || t.equals("Add")),
                types(imported).toString());
    }

    /**
     * ReLUs with a threshold, which export as Where(x ≥ t, min(x, max), slope·(x − t)), import
     * back as the same ReLU layers, capped or not, with a slope or not.
     */
    @Test
    void thresholdedReluRoundTrips() throws Exception {
        dev.fovea.nn.SymbolicTensor in = dev.fovea.nn.Input.of(32, 32, 3);
        dev.fovea.nn.SymbolicTensor x = new dev.fovea.nn.Conv2D(dev.fovea.nn.Conv2D.Config.of(6, 3)).apply(in);
        x = new dev.fovea.nn.ReLU(1.5f, 0.3f, -0.5f).apply(x);
        x = new dev.fovea.nn.Conv2D(dev.fovea.nn.Conv2D.Config.of(6, 3)).apply(x);
        x = new dev.fovea.nn.ReLU(dev.fovea.nn.ReLU.NO_MAX, 0f, 0.25f).apply(x);
        x = new dev.fovea.nn.GlobalAveragePooling2D().apply(x);
        Model model = Model.of("thresholds", in, new dev.fovea.nn.Dense(10).apply(x));
        model.initialize(31);
        Model imported = roundTrip(model);
        assertEquals(List.of("1.5/0.3/-0.5", "Infinity/0.0/0.25"), imported.namedLayers().values().stream()
                .filter(l -> l instanceof dev.fovea.nn.ReLU).map(l -> (dev.fovea.nn.ReLU) l)
                .map(r -> r.maxValue() + "/" + r.negativeSlope() + "/" + r.threshold()).toList());
        assertEquals(List.of("Conv2D", "ReLU", "Conv2D", "ReLU", "GlobalAveragePooling2D", "Dense"), types(imported));
    }

    /** The MobileNet-style Keras model, imported from .keras, round-trips on its own inputs. */
    @Test
    void importedKerasMobileNetRoundTrips() throws Exception {
        Model keras = dev.fovea.interop.keras.KerasImport.read(OnnxExportTest.keras("mobile.keras")).model();
        Model imported = roundTrip(keras, OnnxExportTest.kerasValues("mobile_input"), 2);
        assertEquals(types(keras).stream().filter(t -> t.equals("DepthwiseConv2D")).count(),
                types(imported).stream().filter(t -> t.equals("DepthwiseConv2D")).count());
    }

    @ParameterizedTest
    @ValueSource(strings = {"tutorial-cnn", "fast-small", "fast"})
    void presetsRoundTrip(String preset) throws Exception {
        Model model = Presets.create(preset, 32, 32, 3, 10);
        model.initialize(21);
        randomizeBatchNorm(model, 22);
        roundTrip(model);
    }

    @Test
    void everyLayerTypeRoundTrips() throws Exception {
        roundTrip(OnnxExportTest.everyLayer());
    }
}
