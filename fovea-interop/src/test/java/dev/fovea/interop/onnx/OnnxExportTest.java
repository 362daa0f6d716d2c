package dev.fovea.interop.onnx;

import static dev.fovea.interop.onnx.OnnxTesting.assertClose;
import static dev.fovea.interop.onnx.OnnxTesting.images;
import static dev.fovea.interop.onnx.OnnxTesting.randomizeBatchNorm;
import static dev.fovea.interop.onnx.OnnxTesting.runtime;
import static dev.fovea.nn.ActivationFunction.GELU;
import static dev.fovea.nn.ActivationFunction.LINEAR;
import static dev.fovea.nn.ActivationFunction.RELU;
import static dev.fovea.nn.ActivationFunction.SIGMOID;
import static dev.fovea.nn.ActivationFunction.SOFTMAX;
import static dev.fovea.nn.ActivationFunction.TANH;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
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
import dev.fovea.nn.DepthwiseConv2D;
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
import dev.fovea.nn.ReLU;
import dev.fovea.nn.Rescaling;
import dev.fovea.nn.SymbolicTensor;
import dev.fovea.nn.ZeroPadding2D;
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

    /**
     * MobileNet's layers, each option among them: ZeroPadding2D (before a convolution and before
     * a max pool, asymmetric), DepthwiseConv2D (depth multipliers 1, 2 and 3; valid and same;
     * strides 1, 2 and (2, 1); non-square kernels; with and without bias; an activation), and
     * ReLU as relu, relu6, leaky, leaky capped and min(x, max); BN statistics set. The zero pad
     * before the max pool reads negative values (tanh, min(x, 0.25)): ONNX Runtime's PadFusion
     * would fold a plain zero Pad into the MaxPool and lose its zeros (see OnnxExport's Pad).
     */
    static Model mobileLayers() {
        SymbolicTensor in = Input.of(32, 32, 3);
        SymbolicTensor x = new ZeroPadding2D(0, 1, 0, 1).apply(in);                                      // (33, 33, 3)
        x = new Conv2D(Conv2D.Config.of(8, 3).strides(2)).apply(x);                                    // (16, 16, 8)
        x = new BatchNormalization().apply(x);
        x = new ReLU(6f).apply(x);
        x = new DepthwiseConv2D(3, 3, 1, 1, Padding.SAME, 2, LINEAR, false, null).apply(x);            // (16, 16, 16)
        x = new BatchNormalization().apply(x);
        x = new ReLU(ReLU.NO_MAX, 0.1f, 0f).apply(x);
        x = new ZeroPadding2D(1, 2, 0, 1).apply(x);                                                     // (19, 17, 16)
        x = new DepthwiseConv2D(3, 2, 2, 1, Padding.VALID, 1, RELU, true, null).apply(x);              // (9, 16, 16)
        x = new ReLU(0.5f, 0.3f, 0f).apply(x);
        x = new DepthwiseConv2D(5, 5, 2, 2, Padding.SAME, 3, TANH, true, null).apply(x);               // (5, 8, 48)
        x = new ReLU(0.25f, 1f, 0f).apply(x);
        x = new ZeroPadding2D(1).apply(x);                                                              // (7, 10, 48)
        x = new MaxPooling2D(2).apply(x);                                                               // (3, 5, 48)
        x = new Conv2D(Conv2D.Config.of(12, 1)).apply(x);
        x = new ReLU(ReLU.NO_MAX).apply(x);
        SymbolicTensor out = new Dense(10).apply(new GlobalAveragePooling2D().apply(x));
        Model model = Model.of("mobile_layers", in, out);
        model.initialize(13);
        randomizeBatchNorm(model, 14);
        return model;
    }

    private static List<String> ops(Path onnx) throws Exception {
        return ModelProto.parseFrom(Files.readAllBytes(onnx)).getGraph().getNodeList().stream()
                .map(OnnxMl.NodeProto::getOpType).toList();
    }

    /** DepthwiseConv2D, ReLU and ZeroPadding2D in every option, against ONNX Runtime on real images. */
    @Test
    void mobileNetLayersEqualOnnxRuntime() throws Exception {
        Model model = mobileLayers();
        float[][] r = both(model);
        assertClose(r[0], r[1], 1e-4, "mobile layers");
        assertFalse(java.util.Arrays.equals(java.util.Arrays.copyOfRange(r[0], 0, 10),
                java.util.Arrays.copyOfRange(r[0], 10, 20)));
        ModelProto proto = ModelProto.parseFrom(Files.readAllBytes(dir.resolve("mobile_layers.onnx")));
        List<Long> groups = proto.getGraph().getNodeList().stream().filter(n -> n.getOpType().equals("Conv"))
                .map(n -> n.getAttributeList().stream().filter(a -> a.getName().equals("group")).findFirst()
                        .orElseThrow().getI()).toList();
        assertEquals(List.of(1L, 8L, 16L, 16L, 1L), groups, "a depthwise Conv has one group per input channel");
        List<String> ops = ops(dir.resolve("mobile_layers.onnx"));
        assertEquals(3, ops.stream().filter(o -> o.equals("Pad")).count());
        assertEquals(3, ops.stream().filter(o -> o.equals("Clip")).count(), "relu6, leaky capped, min(x, 0.25)");
        assertEquals(2, ops.stream().filter(o -> o.equals("LeakyRelu")).count());
    }

    /**
     * Each form of Fovea's ReLU written as the operators it names and computed by ONNX Runtime
     * exactly as Keras defines it (max for x ≥ max, x from the threshold t up, slope·(x − t)
     * below), on inputs that hit 0, t and max exactly.
     */
    @ParameterizedTest
    @org.junit.jupiter.params.provider.CsvSource({
            "Infinity, 0, 0, Relu",
            "1.5, 0, 0, Clip",
            "Infinity, 0.2, 0, LeakyRelu",
            "1.5, 0.2, 0, LeakyRelu Clip",
            "1.5, 1, 0, Clip",
            "Infinity, 1, 0, ''",
            "Infinity, 0, 0.5, GreaterOrEqual Where",
            "1.5, 0.3, -0.5, GreaterOrEqual Clip Sub Mul Where",
            "-0.25, 0.1, -1, GreaterOrEqual Clip Sub Mul Where"})
    void everyReluFormEqualsOnnxRuntimeExactly(float max, float slope, float threshold, String written)
            throws Exception {
        SymbolicTensor in = Input.of(49);
        Model model = Model.of("relu", in, new ReLU(max, slope, threshold).apply(in));
        model.initialize(1);
        float[] x = new float[2 * 49];
        float[] keras = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            x[i] = (i % 49 - 24) / 8f * (i < 49 ? 1 : 0.5f); // -3 to 3 by 1/8, then -1.5 to 1.5 by 1/16
            float v = x[i];
            keras[i] = v >= max ? max : v >= threshold ? v : slope * (v - threshold);
        }
        Path file = dir.resolve("relu.onnx");
        OnnxExport.write(model, file);
        float[] ort = runtime(file, x, 2, 49);
        // Exactly, but −0 (slope 0 times a negative) and 0 are one value.
        assertArrayEquals(keras, ort, 0f);
        assertArrayEquals(keras, model.forward(new Tensor(Shape.of(2, 49), x), false).data(), 0f);
        assertEquals(written, String.join(" ", ops(file).stream().filter(o -> !o.equals("Identity")).toList()));
    }

    /**
     * The MobileNet-style Keras model (ZeroPadding2D, ReLU(6.), DepthwiseConv2D with a
     * multiplier, LeakyReLU, SeparableConv2D, Softmax) imported from .keras and .h5 exports, and
     * ONNX Runtime computes what Fovea and the PyTorch reference of make_keras_files.py do.
     */
    @ParameterizedTest
    @ValueSource(strings = {"mobile.keras", "mobile.h5"})
    void importedKerasMobileNetEqualsOnnxRuntime(String name) throws Exception {
        Model model = dev.fovea.interop.keras.KerasImport.read(keras(name)).model();
        float[] x = kerasValues("mobile_input");
        Path file = dir.resolve("mobile.onnx");
        OnnxExport.write(model, file);
        float[] fovea = model.forward(new Tensor(Shape.of(2, 9, 9, 3), x), false).data();
        float[] ort = runtime(file, x, 2, 9, 9, 3);
        assertClose(fovea, ort, 1e-4, name);
        assertClose(kerasValues("mobile"), ort, 1e-4, name + " against PyTorch");
        assertTrue(ops(file).containsAll(List.of("Pad", "Clip", "LeakyRelu", "Conv", "Softmax")), ops(file).toString());
    }

    static Path keras(String name) throws Exception {
        return Path.of(OnnxExportTest.class.getResource("/dev/fovea/interop/keras/" + name).toURI());
    }

    /** An input or output array of the Keras test files' expected.json. */
    static float[] kerasValues(String key) throws Exception {
        List<?> v = (List<?>) new com.fasterxml.jackson.databind.ObjectMapper()
                .readValue(keras("expected.json").toFile(), Map.class).get(key);
        float[] f = new float[v.size()];
        for (int i = 0; i < f.length; i++) {
            f[i] = ((Number) v.get(i)).floatValue();
        }
        return f;
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
