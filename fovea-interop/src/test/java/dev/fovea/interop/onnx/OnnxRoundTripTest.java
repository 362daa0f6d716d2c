package dev.fovea.interop.onnx;

import static dev.fovea.interop.onnx.OnnxTesting.assertClose;
import static dev.fovea.interop.onnx.OnnxTesting.images;
import static dev.fovea.interop.onnx.OnnxTesting.randomizeBatchNorm;
import static dev.fovea.interop.onnx.OnnxTesting.runtime;
import static org.junit.jupiter.api.Assertions.assertEquals;

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

    private void roundTrip(Model model) throws Exception {
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
        float[] x = images(N);
        float[] original = model.forward(new Tensor(in.withBatch(N), x), false).data().clone();
        float[] again = imported.model().forward(new Tensor(in.withBatch(N), x), false).data().clone();
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
        float[] ortFirst = runtime(first, x, N, in.dim(0), in.dim(1), in.dim(2));
        float[] ortSecond = runtime(second, x, N, in.dim(0), in.dim(1), in.dim(2));
        assertClose(ortFirst, ortSecond, 1e-4, model.name() + " exported again");
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
