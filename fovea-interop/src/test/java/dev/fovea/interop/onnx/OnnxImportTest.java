package dev.fovea.interop.onnx;

import static dev.fovea.interop.onnx.OnnxTesting.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fovea.FoveaException;
import dev.fovea.nn.Model;
import dev.fovea.tensor.Shape;
import dev.fovea.tensor.Tensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * ONNX files written by PyTorch's exporter and by hand in tf2onnx's layout
 * (src/test/resources/onnx/make_onnx_cases.py), imported and run by Fovea on 8 real images:
 * the outputs PyTorch computed, within 1e-4. Then the files the import must refuse.
 */
class OnnxImportTest {
    @TempDir
    Path dir;

    static final int N = 8;

    static Path resource(String name) throws Exception {
        return Path.of(OnnxImportTest.class.getResource("/onnx/" + name).toURI());
    }

    static float[] floats(String name) throws Exception {
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(resource(name))).order(ByteOrder.LITTLE_ENDIAN);
        float[] f = new float[b.remaining() / 4];
        b.asFloatBuffer().get(f);
        return f;
    }

    @ParameterizedTest
    @ValueSource(strings = {"tutorial_cnn", "branches", "strided", "view_flatten", "tf2onnx_nhwc", "tf2onnx_gap", "opset21_ops", "mobile_block"})
    void importedModelsComputeWhatPyTorchComputed(String name) throws Exception {
        Model model = OnnxImport.read(resource(name + ".onnx"));
        assertEquals(Shape.of(32, 32, 3), model.inputShape());
        float[] x = floats("images.bin");
        float[] expected = floats("expected_" + name + ".bin");
        assertEquals(N * 10, expected.length);
        float[] y = model.forward(new Tensor(Shape.of(N, 32, 32, 3), x), false).data();
        assertClose(expected, y, 1e-4, name);
        // What evaluate, predict and serve run: the plan that fuses BN and activations into convolutions.
        float[] planned = dev.fovea.nn.InferencePlan.of(model).forward(new Tensor(Shape.of(N, 32, 32, 3), x)).data();
        assertClose(expected, planned, 1e-4, name + " (inference plan)");
        // The images are told apart, so agreement is not a constant output's.
        assertTrue(!Arrays.equals(Arrays.copyOfRange(expected, 0, 10), Arrays.copyOfRange(expected, 10, 20)));
    }

    /** An imported model is a Fovea model like any other: saved as a model file, it loads back and computes the same. */
    @ParameterizedTest
    @ValueSource(strings = {"tutorial_cnn", "branches", "strided", "view_flatten", "tf2onnx_nhwc", "tf2onnx_gap", "opset21_ops", "mobile_block"})
    void importedModelsSaveAndLoadAsFoveaModelFiles(String name) throws Exception {
        Model model = OnnxImport.read(resource(name + ".onnx"));
        Path file = dir.resolve(name + ".safetensors");
        dev.fovea.io.ModelFile.save(file, model, dev.fovea.io.ModelFile.Info.of(java.util.List.of()));
        Model loaded = dev.fovea.io.ModelFile.load(file).model();
        Tensor x = new Tensor(Shape.of(N, 32, 32, 3), floats("images.bin"));
        float[] before = model.forward(x, false).data().clone();
        assertTrue(Arrays.equals(before, loaded.forward(x, false).data()), name + ": same outputs after save and load");
        assertClose(floats("expected_" + name + ".bin"), before, 1e-4, name);
    }

    /**
     * An imported model fine-tunes like a Fovea one: every layer an import makes (the diagonal
     * 1×1 convolution of an input normalization, Rescaling, Add, Concatenate, GELU) has a backward,
     * so a few SGD steps on 8 labelled images lower their loss.
     */
    @ParameterizedTest
    @ValueSource(strings = {"tutorial_cnn", "branches", "mobile_block"})
    void importedModelsTrain(String name) throws Exception {
        Model model = OnnxImport.read(resource(name + ".onnx"));
        var trainer = new dev.fovea.train.Trainer(model, new dev.fovea.optim.SGD(0.05),
                new dev.fovea.loss.SparseCategoricalCrossentropy());
        var batch = new dev.fovea.train.Batch(new Tensor(Shape.of(N, 32, 32, 3), floats("images.bin")),
                new int[]{0, 1, 2, 3, 4, 5, 6, 7});
        float first = trainer.trainStep(batch);
        float last = first;
        for (int i = 0; i < 8; i++) {
            last = trainer.trainStep(batch);
        }
        assertTrue(Float.isFinite(first) && Float.isFinite(last) && last < first - 0.05f,
                name + ": loss " + first + " -> " + last);
    }

    /** Imported models export too: ONNX Runtime on Fovea's export of each computes what PyTorch did. */
    @ParameterizedTest
    @ValueSource(strings = {"tutorial_cnn", "branches", "strided", "view_flatten", "tf2onnx_nhwc", "tf2onnx_gap", "opset21_ops", "mobile_block"})
    void importedModelsExportAgain(String name) throws Exception {
        Path again = dir.resolve(name + "_again.onnx");
        OnnxExport.write(OnnxImport.read(resource(name + ".onnx")), again);
        float[] y = OnnxTesting.runtime(again, floats("images.bin"), N, 32, 32, 3);
        assertClose(floats("expected_" + name + ".bin"), y, 1e-4, name + " exported by Fovea");
    }

    /** The checked-in files themselves: ONNX Runtime computes from them what PyTorch did. */
    @ParameterizedTest
    @ValueSource(strings = {"tutorial_cnn", "branches", "strided", "view_flatten", "tf2onnx_nhwc", "tf2onnx_gap", "opset21_ops", "mobile_block"})
    void onnxRuntimeAgreesWithThePyTorchOutputs(String name) throws Exception {
        float[] x = floats("images.bin");
        boolean nhwc = name.startsWith("tf2onnx");
        float[] in = nhwc ? x : nchw(x, N, 32, 32, 3);
        long[] shape = nhwc ? new long[]{N, 32, 32, 3} : new long[]{N, 3, 32, 32};
        assertClose(floats("expected_" + name + ".bin"), OnnxTesting.runtime(resource(name + ".onnx"), in, shape), 1e-4,
                name + " in ONNX Runtime");
    }

    static float[] nchw(float[] x, int n, int h, int w, int c) {
        float[] out = new float[x.length];
        for (int i = 0; i < n; i++) {
            for (int p = 0; p < h * w; p++) {
                for (int ch = 0; ch < c; ch++) {
                    out[(i * c + ch) * h * w + p] = x[(i * h * w + p) * c + ch];
                }
            }
        }
        return out;
    }

    /** The flatten of a channels-first image reaches the first Dense as a row permutation of its kernel. */
    @Test
    void channelsFirstFlattenPermutesTheFirstDenseKernel() throws Exception {
        Model model = OnnxImport.read(resource("tutorial_cnn.onnx"));
        assertTrue(model.namedLayers().values().stream().anyMatch(l -> l.typeName().equals("Flatten")));
        assertEquals(Shape.of(24 * 4 * 4, 48), model.namedParams().get("fc1_Gemm/kernel").shape());
    }

    @Test
    void geluErfFormIsOneGeluLayer() throws Exception {
        Model model = OnnxImport.read(resource("branches.onnx"));
        long gelus = model.namedLayers().values().stream()
                .filter(l -> l instanceof dev.fovea.nn.Activation a && a.function() == dev.fovea.nn.ActivationFunction.GELU)
                .count();
        assertEquals(1, gelus);
        assertTrue(model.namedLayers().values().stream().noneMatch(l -> l.name().contains("Erf")));
    }

    private static String refusal(Path file) {
        FoveaException e = assertThrows(FoveaException.class, () -> OnnxImport.read(file));
        assertEquals(1, e.getMessage().lines().count(), e.getMessage());
        assertTrue(e.getMessage().startsWith(file.toString()), e.getMessage());
        return e.getMessage();
    }

    @Test
    void unknownOperatorNamesTheOpItsNodeAndWhatIsSupported() throws Exception {
        String m = refusal(resource("unknown_op.onnx"));
        assertTrue(m.contains("node 'act/HardSwish' is a HardSwish operator"), m);
        assertTrue(m.contains("Conv, Div, Dropout"), m);
        assertTrue(m.contains("opsets 11 to 21"), m);
    }

    private static <T extends dev.fovea.nn.Layer> List<T> layers(Model m, Class<T> type) {
        return m.namedLayers().values().stream().filter(type::isInstance).map(type::cast).toList();
    }

    /**
     * PyTorch's groups=C convolutions are DepthwiseConv2D layers with their multipliers (a
     * stride-2 one with padding 1 as a 4×4 'same' kernel); Relu + Clip(0, 6) and LeakyRelu are
     * one ReLU layer each; the input normalization and the per-channel Mul fold into depthwise
     * kernels. Its outputs are checked against PyTorch's in importedModelsComputeWhatPyTorchComputed.
     */
    @Test
    void depthwiseConvolutionsAndReluFormsAreFoveasLayers() throws Exception {
        Model model = OnnxImport.read(resource("mobile_block.onnx"));
        List<dev.fovea.nn.DepthwiseConv2D> dw = layers(model, dev.fovea.nn.DepthwiseConv2D.class);
        assertEquals(List.of(2, 2, 1, 2), dw.stream().map(dev.fovea.nn.DepthwiseConv2D::depthMultiplier).toList());
        assertEquals(Shape.of(4, 4, 24, 1), model.namedParams().get("dw2_Conv/depthwise_kernel").shape());
        assertEquals(List.of("6.0/0.0", "6.0/0.0", "Infinity/0.1"), layers(model, dev.fovea.nn.ReLU.class).stream()
                .map(r -> r.maxValue() + "/" + r.negativeSlope()).toList());
        List<String> types = model.namedLayers().values().stream().map(dev.fovea.nn.Layer::typeName).toList();
        assertEquals(List.of("DepthwiseConv2D", "Conv2D", "ReLU", "DepthwiseConv2D", "ReLU", "Conv2D", "ReLU",
                "DepthwiseConv2D", "DepthwiseConv2D", "Activation", "GlobalAveragePooling2D", "Dense"), types);
    }

    /** branches.onnx's ReLU6 and LeakyRelu: ReLU layers, none of the older Rescaling and Add compositions. */
    @Test
    void clipAndLeakyReluImportAsReLULayers() throws Exception {
        Model model = OnnxImport.read(resource("branches.onnx"));
        assertEquals(List.of("6.0/0.0", "Infinity/0.1"), layers(model, dev.fovea.nn.ReLU.class).stream()
                .map(r -> r.maxValue() + "/" + r.negativeSlope()).toList());
        assertTrue(model.namedLayers().keySet().stream().noneMatch(n -> n.endsWith("_max_minus") || n.endsWith("_positive")),
                model.namedLayers().keySet().toString());
    }

    /** The depthwise file the import refused before it read depthwise Convs: now it computes what ONNX Runtime does. */
    @Test
    void depthwiseConvolutionOnceRefusedNowImports() throws Exception {
        Model model = OnnxImport.read(resource("grouped_conv.onnx"));
        assertEquals(1, layers(model, dev.fovea.nn.DepthwiseConv2D.class).size());
        for (int i = 0; i < 3; i++) { // the file was written for a batch of one
            float[] x = Arrays.copyOfRange(floats("images.bin"), i * 32 * 32 * 3, (i + 1) * 32 * 32 * 3);
            float[] fovea = model.forward(new Tensor(Shape.of(1, 32, 32, 3), x), false).data();
            assertClose(OnnxTesting.runtime(resource("grouped_conv.onnx"), nchw(x, 1, 32, 32, 3), 1, 3, 32, 32),
                    fovea, 1e-4, "grouped_conv image " + i);
        }
    }

    @Test
    void groupedConvolutionIsRefused() throws Exception {
        String m = refusal(resource("grouped_conv_g2.onnx"));
        assertTrue(m.contains("(Conv): group = 2 over 8 input channels"), m);
        assertTrue(m.contains("no other grouped convolution"), m);
    }

    /** PyTorch's strided convolutions import as larger 'same' kernels; a padded max pool has no such form. */
    @Test
    void stridedConvolutionsEmbedAndPaddedMaxPoolIsRefused() throws Exception {
        Model model = OnnxImport.read(resource("strided.onnx"));
        assertEquals(Shape.of(8, 8, 3, 8), model.namedParams().get("stem_Conv/kernel").shape());
        assertEquals(Shape.of(4, 4, 8, 12), model.namedParams().get("c1_Conv/kernel").shape());
        assertEquals(Shape.of(3, 3, 12, 12), model.namedParams().get("c2_Conv/kernel").shape());
        String m = refusal(resource("padded_maxpool.onnx"));
        assertTrue(m.contains("(MaxPool): pads (top, left, bottom, right) = [1, 1, 1, 1] for a 3x3 window with"
                + " strides [2, 2] over 32x32"), m);
    }

    /** A node named like Fovea's model input still saves and loads: the import never takes that name. */
    @Test
    void aNodeNamedInputLayerDoesNotTakeTheInputsName() throws Exception {
        GraphWriter g = new GraphWriter();
        String r = g.node("Relu", "input_layer", java.util.List.of("input"));
        String p = g.node("GlobalAveragePool", "pool", java.util.List.of(r));
        g.graph.addNode(ai.onnx.proto.OnnxMl.NodeProto.newBuilder().setOpType("Flatten").setName("flatten")
                .addInput(p).addOutput("output"));
        var proto = OnnxExport.toProto(dev.fovea.nn.Model.sequential(dev.fovea.nn.Input.of(4, 4, 3),
                new dev.fovea.nn.Flatten()), dev.fovea.io.ModelFile.Info.of(java.util.List.of())).toBuilder();
        var nchw = proto.getGraph().getInput(0).toBuilder();
        var dims = nchw.getTypeBuilder().getTensorTypeBuilder().getShapeBuilder();
        dims.setDim(1, dims.getDim(1).toBuilder().setDimValue(3)).setDim(2, dims.getDim(2).toBuilder().setDimValue(4))
                .setDim(3, dims.getDim(3).toBuilder().setDimValue(4));
        var out = proto.getGraph().getOutput(0).toBuilder();
        out.getTypeBuilder().getTensorTypeBuilder().getShapeBuilder().getDimBuilder(1).setDimValue(3);
        g.graph.addInput(nchw).addOutput(out).setName("named");
        Path file = dir.resolve("named.onnx");
        Files.write(file, proto.setGraph(g.graph).build().toByteArray());
        Model model = OnnxImport.read(file);
        assertTrue(model.namedLayers().containsKey("input_layer_1"), model.namedLayers().keySet().toString());
        Path saved = dir.resolve("named.safetensors");
        dev.fovea.io.ModelFile.save(saved, model, dev.fovea.io.ModelFile.Info.of(java.util.List.of()));
        float[] x = new float[4 * 4 * 3];
        for (int i = 0; i < x.length; i++) {
            x[i] = (i % 5) - 2f;
        }
        Tensor t = new Tensor(Shape.of(1, 4, 4, 3), x);
        float[] expected = new float[3];
        for (int i = 0; i < x.length; i++) {
            expected[i % 3] += Math.max(x[i], 0f) / 16f;
        }
        assertClose(expected, dev.fovea.io.ModelFile.load(saved).model().forward(t, false).data(), 1e-6, "relu + mean");
    }

    @Test
    void inputWithoutFixedSizeIsRefused() throws Exception {
        String m = refusal(resource("dynamic_size.onnx"));
        assertTrue(m.contains("input 'input' has shape (N, 3, H, W), whose axis 2 has no fixed size"), m);
    }

    @Test
    void truncatedFileIsRefused() throws Exception {
        byte[] whole = Files.readAllBytes(resource("tutorial_cnn.onnx"));
        Path cut = dir.resolve("cut.onnx");
        Files.write(cut, Arrays.copyOf(whole, whole.length / 2));
        String m = refusal(cut);
        assertTrue(m.contains("is not a readable ONNX model"), m);
        assertTrue(m.contains("truncated"), m);
        Path text = dir.resolve("notes.onnx");
        Files.writeString(text, "# not a model\n");
        assertTrue(refusal(text).contains("is not a readable ONNX model"));
        Path missing = dir.resolve("missing.onnx");
        assertTrue(refusal(missing).contains("no such file"));
    }

    @Test
    void imagesOfAnotherSizeAreRefusedByTheImportedModel() throws Exception {
        Model model = OnnxImport.read(resource("tf2onnx_nhwc.onnx"));
        FoveaException e = assertThrows(FoveaException.class,
                () -> model.forward(new Tensor(Shape.of(1, 28, 28, 3), new float[28 * 28 * 3]), false));
        assertTrue(e.getMessage().contains("expects input of shape (None, 32, 32, 3)"), e.getMessage());
    }
}
