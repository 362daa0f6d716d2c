package dev.fovea.interop.onnx;

import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.OperatorSetIdProto;
import ai.onnx.proto.OnnxMl.StringStringEntryProto;
import com.fasterxml.jackson.core.type.TypeReference;
import dev.fovea.FoveaException;
import dev.fovea.io.ModelFile;
import dev.fovea.nn.Model;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads an ONNX classifier (opsets {@value #MIN_OPSET} to {@value #MAX_OPSET}) as a Fovea model
 * of channels-last layers that computes the same outputs from the same input, laid out
 * channels-last: an ONNX input (N, C, H, W) becomes Fovea's (H, W, C) (a tf2onnx input
 * (N, H, W, C) followed by its Transpose stays as it is). The operators read and what each
 * becomes are in {@link Ops}; anything else is one error naming the node, its operator and the
 * operators read. Nothing is written: the caller saves the model.
 *
 * <p>Not read: training graphs, grouped or depthwise convolutions, dilation, paddings Fovea's
 * valid/same/full windows cannot express, element-wise products of two computed tensors,
 * control flow, external weight files, other element types than float32.
 */
public final class OnnxImport {
    public static final int MIN_OPSET = 11;
    public static final int MAX_OPSET = 21;

    private OnnxImport() {
    }

    /** The model in {@code file}, weights set. */
    public static Model read(Path file) {
        return read(file, parse(file));
    }

    /**
     * The model with what a Fovea export recorded in the file's metadata: class names and
     * preprocessing; for other files no class names and an empty preprocessing (the file does
     * not say how pixels were scaled: the caller must). The provenance names the source file
     * ({@code source_file}, absolute), its {@code source_sha256} as {@code sha256sum} prints it and
     * the ONNX producer ({@code source_producer}, e.g. {@code pytorch 1.13.1}).
     */
    public static ModelFile.Loaded load(Path file) {
        ModelProto proto = parse(file);
        Model model = read(file, proto);
        Map<String, String> meta = new HashMap<>();
        for (StringStringEntryProto e : proto.getMetadataPropsList()) {
            meta.put(e.getKey(), e.getValue());
        }
        List<String> classes = meta.containsKey(OnnxNames.META_CLASS_NAMES)
                ? ModelFile.parse(file, meta.get(OnnxNames.META_CLASS_NAMES), new TypeReference<List<String>>() { })
                : List.of();
        Map<String, Object> pre = meta.containsKey(OnnxNames.META_PREPROCESSING)
                ? ModelFile.parse(file, meta.get(OnnxNames.META_PREPROCESSING), new TypeReference<Map<String, Object>>() { })
                : Map.of();
        Map<String, Object> provenance = new java.util.LinkedHashMap<>();
        provenance.put("source_file", file.toAbsolutePath().toString());
        provenance.put("source_sha256", dev.fovea.io.Sha256.file(file));
        provenance.put("source_producer", (proto.getProducerName() + " " + proto.getProducerVersion()).trim());
        return new ModelFile.Loaded(model, new ModelFile.Info(classes, pre, provenance));
    }

    private static Model read(Path file, ModelProto proto) {
        String where = file.toString();
        if (!proto.hasGraph() || proto.getGraph().getNodeCount() == 0) {
            throw new FoveaException(where + " holds no ONNX graph (no nodes); is it an ONNX model file? Pass the"
                    + " .onnx written by torch.onnx.export, tf2onnx or 'fovea export --format onnx'");
        }
        int opset = -1;
        for (OperatorSetIdProto o : proto.getOpsetImportList()) {
            if (o.getDomain().isEmpty() || o.getDomain().equals("ai.onnx")) {
                opset = (int) o.getVersion();
            }
        }
        if (opset < MIN_OPSET || opset > MAX_OPSET) {
            throw new FoveaException(where + ": ONNX opset " + (opset < 0 ? "(none)" : opset) + "; Fovea reads opsets "
                    + MIN_OPSET + " to " + MAX_OPSET + "; convert it with onnx.version_converter.convert_version(model, 17)");
        }
        return new GraphReader(proto.getGraph(), opset, where).read();
    }

    private static ModelProto parse(Path file) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new FoveaException(file + ": no such file; pass an .onnx model file", e);
        } catch (IOException e) {
            throw new FoveaException("cannot read " + file + " (" + e.getMessage() + "); check the path and its permissions", e);
        }
        try {
            ModelProto m = ModelProto.parseFrom(bytes);
            if (!m.hasGraph() && m.getIrVersion() == 0) {
                throw new com.google.protobuf.InvalidProtocolBufferException("no ONNX model fields");
            }
            return m;
        } catch (com.google.protobuf.InvalidProtocolBufferException e) {
            throw new FoveaException(file + " is not a readable ONNX model (" + bytes.length + " bytes; the protobuf does"
                    + " not parse: " + e.getMessage() + "); the file is truncated or not ONNX: export it again", e);
        }
    }
}
