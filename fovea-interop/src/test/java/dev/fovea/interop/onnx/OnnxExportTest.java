package dev.fovea.interop.onnx;

import static dev.fovea.interop.onnx.OnnxTesting.assertClose;
import static dev.fovea.interop.onnx.OnnxTesting.images;
import static dev.fovea.interop.onnx.OnnxTesting.randomizeBatchNorm;
import static dev.fovea.interop.onnx.OnnxTesting.runtime;
import static dev.fovea.nn.ActivationFunction.GELU;
import static dev.fovea.nn.ActivationFunction.RELU;
import static dev.fovea.nn.ActivationFunction.SIGMOID;
import static dev.fovea.nn.ActivationFunction.SOFTMAX;
import static dev.fovea.nn.ActivationFunction.TANH;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnx.proto.OnnxMl;
import ai.onnx.proto.OnnxMl.ModelProto;
import dev.fovea.FoveaException;
import dev.fovea.io.ModelFile;
import dev.fovea.nn.Activation;
import dev.fovea.nn.Add;
import dev.fovea.nn.AveragePooling2D;
import dev.fovea.nn.BatchNormalization;
import dev.fovea.nn.Concatenate;
import dev.fovea.nn.Conv2D;
import dev.fovea.nn.Dense;
import dev.fovea.nn.Dropout;
import dev.fovea.nn.Flatten;
import dev.fovea.nn.GlobalAveragePooling2D;
import dev.fovea.nn.GlobalMaxPooling2D;
import dev.fovea.nn.Input;
import dev.fovea.nn.MaxPooling2D;
import dev.fovea.nn.Model;
import dev.fovea.nn.Padding;
import dev.fovea.nn.PoolWindow;
import dev.fovea.nn.Presets;
import dev.fovea.nn.Rescaling;
import dev.fovea.nn.SymbolicTensor;
import dev.fovea.tensor.Shape;
import dev.fovea.tensor.Tensor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Every export checked against ONNX Runtime on real images: outputs within 1e-4 of Fovea's. */
class OnnxExportTest {
    @TempDir
    Path dir;

    static final int N = 4;

    /** Fovea's inference output and ONNX Runtime's on the exported file, for N real images. */
    private float[][] both(Model model) throws Exception {
        Path file = dir.resolve(model.name() + ".onnx");
        OnnxExport.write(model, file);
        Shape in = model.inputShape();
        float[] x = images(N);
        float[] fovea = model.forward(new Tensor(in.withBatch(N), x), false).data().clone();
        float[] ort = runtime(file, x, N, in.dim(0), in.dim(1), in.dim(2));
        return new float[][]{fovea, ort};
    }

    @ParameterizedTest
    @ValueSource(strings = {"tutorial-cnn", "fast", "fast-small"})
    void presetsEqualOnnxRuntime(String preset) throws Exception {
        Model model = Presets.create(preset, 32, 32, 3, 10);
        model.initialize(7);
        randomizeBatchNorm(model, 11);
        float[][] r = both(model);
        assertEquals(N * 10, r[0].length);
        assertClose(r[0], r[1], 1e-4, preset);
        // Not a trivial agreement: the images are told apart.
        assertFalse(java.util.Arrays.equals(java.util.Arrays.copyOfRange(r[0], 0, 10),
                java.util.Arrays.copyOfRange(r[0], 10, 20)));
    }

    /** Every other layer and option the export covers, a nested model and both merges among them. */
    @Test
    void everyLayerTypeEqualsOnnxRuntime() throws Exception {
        Model model = everyLayer();
        float[][] r = both(model);
        assertClose(r[0], r[1], 1e-4, "every layer");
        assertEquals(N, java.util.stream.IntStream.range(0, N).mapToDouble(i -> {
            double s = 0;
            for (int k = 0; k < 10; k++) {
                s += r[1][i * 10 + k];
            }
            return s;
        }).filter(s -> Math.abs(s - 1) < 1e-5).count(), "softmax rows sum to 1");
    }

    /** Every layer type the export covers, a nested model and both merges among them; BN statistics set. */
    static Model everyLayer() {
        SymbolicTensor innerIn = Input.of(16, 16, 8);
        SymbolicTensor a = new Conv2D(Conv2D.Config.of(6, 3).strides(2).padding(Padding.SAME).activation(TANH)).apply(innerIn);
        SymbolicTensor b = new AveragePooling2D(PoolWindow.of(3).strides(2).padding(Padding.SAME)).apply(innerIn);
        SymbolicTensor cat = new Concatenate().apply(a, b);
        SymbolicTensor bn = new BatchNormalization(BatchNormalization.Config.defaults().center(false)).apply(cat);
        Model inner = Model.of("inner", innerIn, new Activation(SIGMOID).apply(bn));

        SymbolicTensor in = Input.of(32, 32, 3);
        SymbolicTensor x = new Rescaling(0.5f, 0.25f).apply(in);
        x = new Conv2D(Conv2D.Config.of(8, 5).kernelSize(5, 3).strides(2, 1).padding(Padding.SAME).activation(RELU)).apply(x);
        x = new MaxPooling2D(PoolWindow.of(2).strides(1, 2).padding(Padding.SAME)).apply(x);
        SymbolicTensor y = inner.apply(x);                                          // (8, 8, 14)
        SymbolicTensor z = new Conv2D(Conv2D.Config.of(14, 1).activation(GELU)).apply(y);
        SymbolicTensor sum = new Add().apply(y, z, y);
        SymbolicTensor gap = new GlobalAveragePooling2D().apply(sum);
        SymbolicTensor gmp = new GlobalMaxPooling2D().apply(new AveragePooling2D(2).apply(sum));
        SymbolicTensor flat = new Flatten().apply(new Conv2D(Conv2D.Config.of(3, 2).padding(Padding.FULL)).apply(sum));
        SymbolicTensor feats = new Concatenate(0).apply(gap, gmp, flat);
        feats = new Dropout(0.3f).apply(feats);
        feats = new Dense(Dense.Config.of(20).activation(GELU)).apply(feats);
        feats = new BatchNormalization().apply(feats);
        SymbolicTensor out = new Dense(10, SOFTMAX).apply(feats);
        Model model = Model.of("every_layer", in, out);
        model.initialize(3);
        randomizeBatchNorm(model, 5);
        return model;
    }

    /** A model whose output is an image: ONNX's output is NHWC as Fovea's. */
    @Test
    void imageOutputIsChannelsLast() throws Exception {
        SymbolicTensor in = Input.of(32, 32, 3);
        SymbolicTensor x = new Conv2D(Conv2D.Config.of(5, 3).padding(Padding.SAME)).apply(in);
        Model model = Model.of("image_out", in, new Activation(SOFTMAX).apply(x));
        model.initialize(1);
        float[][] r = both(model);
        assertClose(r[0], r[1], 1e-5, "image output");
    }

    /** Layers named like the graph's input and output do not take those names from it. */
    @Test
    void layersNamedInputAndOutputKeepTheGraphNames() throws Exception {
        SymbolicTensor in = Input.of(8, 8, 3);
        Conv2D conv = new Conv2D(4, 3);
        conv.setName("input");
        SymbolicTensor x = new Flatten().apply(conv.apply(in));
        Dense dense = new Dense(5, SOFTMAX); // the node named "output" computes the logits, not the output
        dense.setName("output");
        Model model = Model.of("named", in, dense.apply(x));
        model.initialize(2);
        Path file = dir.resolve("named.onnx");
        OnnxExport.write(model, file);
        float[] x0 = images(1);
        float[] small = new float[8 * 8 * 3];
        for (int r = 0; r < 8; r++) {
            System.arraycopy(x0, r * 32 * 3, small, r * 8 * 3, 8 * 3);
        }
        assertClose(model.forward(new Tensor(Shape.of(1, 8, 8, 3), small), false).data(),
                runtime(file, small, 1, 8, 8, 3), 1e-5, "named");
    }

    @Test
    void metadataRecordsLayoutPreprocessingAndClasses() throws Exception {
        Model model = Presets.create("fast-small", 32, 32, 3, 2);
        Map<String, Object> pre = Map.of("scale", 1.0 / 255, "mean", List.of(0.5, 0.4, 0.3), "std", List.of(0.2, 0.2, 0.25));
        Path file = dir.resolve("m.onnx");
        OnnxExport.write(model, file, new ModelFile.Info(List.of("cat", "dog"), pre, Map.of()));
        ModelProto proto = ModelProto.parseFrom(Files.readAllBytes(file));
        Map<String, String> meta = proto.getMetadataPropsList().stream()
                .collect(Collectors.toMap(OnnxMl.StringStringEntryProto::getKey, OnnxMl.StringStringEntryProto::getValue));
        assertEquals("NHWC", meta.get("fovea.input_layout"));
        assertEquals("[\"cat\",\"dog\"]", meta.get("fovea.class_names"));
        assertEquals("logits", meta.get("fovea.output"));
        Map<?, ?> readBack = new com.fasterxml.jackson.databind.ObjectMapper().readValue(meta.get("fovea.preprocessing"), Map.class);
        assertEquals(List.of(0.5, 0.4, 0.3), readBack.get("mean"));
        assertEquals(List.of(0.2, 0.2, 0.25), readBack.get("std"));
        assertEquals(OnnxExport.OPSET, proto.getOpsetImport(0).getVersion());
        OnnxMl.TensorShapeProto s = proto.getGraph().getInput(0).getType().getTensorType().getShape();
        assertEquals("N", s.getDim(0).getDimParam());
        assertEquals(List.of(32L, 32L, 3L), s.getDimList().subList(1, 4).stream().map(OnnxMl.TensorShapeProto.Dimension::getDimValue).toList());
        assertTrue(proto.getGraph().getNodeList().stream().anyMatch(n -> n.getOpType().equals("Erf")), "GELU as erf");
    }

    @Test
    void aFailedWriteLeavesNoFile() {
        Model model = Presets.create("fast-small", 32, 32, 3, 10);
        Path file = dir.resolve("missing-folder-is-a-file");
        assertThrows(RuntimeException.class, () -> {
            Files.writeString(file, "x");
            OnnxExport.write(model, file.resolve("m.onnx"));
        });
        assertFalse(Files.exists(file.resolve("m.onnx")));
    }
}
