package dev.fovea.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnx.proto.OnnxMl;
import dev.fovea.interop.onnx.OnnxExport;
import dev.fovea.io.ModelFile;
import dev.fovea.nn.ActivationFunction;
import dev.fovea.nn.Model;
import dev.fovea.nn.Presets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code fovea export --format onnx}: writes what {@link OnnxExport} writes for the model (whose
 * outputs fovea-interop's tests hold to ONNX Runtime's), and refuses bad input in one line with
 * exit 2, leaving any file at --out as it was.
 */
class ExportCommandTest {
    @TempDir
    Path tmp;

    private Path modelFile() throws Exception {
        Files.createDirectories(tmp.resolve("run"));
        Model m = TrainedModel.small(32, 32, 3, 3, ActivationFunction.SOFTMAX);
        m.initialize(5);
        Path file = tmp.resolve("run/model.safetensors");
        ModelFile.save(file, m, new ModelFile.Info(List.of("cat", "dog", "ship"),
                Map.of("scale", 1.0 / 255, "mean", List.of(0.5, 0.5, 0.5), "std", List.of(0.25, 0.25, 0.25)), Map.of()));
        return file;
    }

    private static Map<String, String> metadata(Path onnx) throws Exception {
        return OnnxMl.ModelProto.parseFrom(Files.readAllBytes(onnx)).getMetadataPropsList().stream()
                .collect(Collectors.toMap(OnnxMl.StringStringEntryProto::getKey, OnnxMl.StringStringEntryProto::getValue));
    }

    @Test
    void modelFileAndRunFolderExportAsTheLibraryWritesThem() throws Exception {
        Path file = modelFile();
        Path out = tmp.resolve("out/model.onnx");
        CliRun r = CliRun.of("export", "--format", "onnx", file.toString(), "--out", out.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.err().contains("wrote " + out), r.err());
        assertTrue(r.err().contains("(None, 32, 32, 3) NHWC"), r.err());
        assertTrue(r.err().contains("probabilities"), r.err());
        byte[] expected = OnnxExport.toProto(ModelFile.load(file).model(), ModelFile.load(file).info()).toByteArray();
        assertArrayEquals(expected, Files.readAllBytes(out));
        Map<String, String> meta = metadata(out);
        assertEquals("[\"cat\",\"dog\",\"ship\"]", meta.get("fovea.class_names"));
        assertTrue(meta.get("fovea.preprocessing").contains("\"mean\":[0.5,0.5,0.5]"), meta.get("fovea.preprocessing"));

        Path fromFolder = tmp.resolve("folder.onnx");
        CliRun folder = CliRun.of("export", "--format", "ONNX", file.getParent().toString(), "--out", fromFolder.toString());
        assertEquals(0, folder.code(), folder.err());
        assertArrayEquals(expected, Files.readAllBytes(fromFolder));
    }

    @Test
    void presetsExportAtTheGivenShape() throws Exception {
        Path out = tmp.resolve("tutorial.onnx");
        CliRun r = CliRun.of("export", "--format", "onnx", "tutorial-cnn", "--input", "24x24x3", "--classes", "4",
                "--out", out.toString());
        assertEquals(0, r.code(), r.err());
        OnnxMl.GraphProto g = OnnxMl.ModelProto.parseFrom(Files.readAllBytes(out)).getGraph();
        assertEquals(List.of(24L, 24L, 3L), g.getInput(0).getType().getTensorType().getShape().getDimList().subList(1, 4)
                .stream().map(OnnxMl.TensorShapeProto.Dimension::getDimValue).toList());
        assertEquals(4L, g.getOutput(0).getType().getTensorType().getShape().getDim(1).getDimValue());
        byte[] expected = OnnxExport.toProto(Presets.create("tutorial-cnn", 24, 24, 3, 4), ModelFile.Info.of(List.of()))
                .toByteArray();
        assertArrayEquals(expected, Files.readAllBytes(out));
    }

    /**
     * A MobileNet-style Keras file (ZeroPadding2D, ReLU(6.), LeakyReLU, DepthwiseConv2D with a
     * multiplier) exports as the library writes its import, depthwise convolutions as grouped
     * Convs (fovea-interop's OnnxExportTest runs the same export in ONNX Runtime).
     */
    @Test
    void importedKerasMobileNetExports() throws Exception {
        Path keras = Path.of("../fovea-interop/src/test/resources/dev/fovea/interop/keras/mobile.keras");
        Path out = tmp.resolve("mobile.onnx");
        CliRun r = CliRun.of("export", "--format", "onnx", keras.toString(), "--rescale", "1/255", "--out", out.toString());
        assertEquals(0, r.code(), r.err());
        ModelFile.Loaded loaded = dev.fovea.interop.ModelFiles.load(keras,
                dev.fovea.interop.Preprocessing.parse("1/255", null));
        assertArrayEquals(OnnxExport.toProto(loaded.model(), loaded.info()).toByteArray(), Files.readAllBytes(out));
        OnnxMl.GraphProto g = OnnxMl.ModelProto.parseFrom(Files.readAllBytes(out)).getGraph();
        assertEquals(2, g.getNodeList().stream().filter(n -> n.getOpType().equals("Conv") && n.getAttributeList().stream()
                .anyMatch(a -> a.getName().equals("group") && a.getI() > 1)).count(), "two depthwise Convs");
    }

    /** One error line, exit 2, and the file already at --out untouched. */
    private void refused(String expectedPart, String... args) throws Exception {
        Path out = tmp.resolve("keep.onnx");
        Files.writeString(out, "earlier export");
        java.util.List<String> a = new java.util.ArrayList<>(List.of(args));
        a.replaceAll(s -> s.equals("OUT") ? out.toString() : s);
        CliRun r = CliRun.of(a.toArray(new String[0]));
        assertEquals(2, r.code(), r.err());
        // A command line that does not parse adds the help command to run, as every command does.
        List<String> lines = r.err().lines().toList();
        assertTrue(lines.size() == 1 || lines.size() == 2 && lines.get(1).contains("./fovea help export"), r.err());
        assertTrue(r.err().startsWith("error: "), r.err());
        assertTrue(r.err().contains(expectedPart), r.err());
        assertFalse(r.err().contains("Exception"), r.err());
        assertEquals("earlier export", Files.readString(out));
    }

    @Test
    void badInputIsOneLineWithExitTwoAndWritesNothing() throws Exception {
        Path file = modelFile();
        Path text = tmp.resolve("notes.txt");
        Files.writeString(text, "# not a model\n");
        refused("--format tflite: expected onnx", "export", "--format", "tflite", file.toString(), "--out", "OUT");
        refused("neither a preset", "export", "--format", "onnx", tmp.resolve("nope.safetensors").toString(), "--out", "OUT");
        refused("is not a Fovea model file", "export", "--format", "onnx", text.toString(), "--out", "OUT");
        refused("--out " + tmp + " is a folder", "export", "--format", "onnx", file.toString(), "--out", tmp.toString());
        refused("--input 3x3: expected", "export", "--format", "onnx", "tutorial-cnn", "--input", "3x3", "--out", "OUT");
        refused("fovea export needs --out FILE (the ONNX file to write, such as model.onnx)", "export", "--format", "onnx", file.toString());
    }
}
