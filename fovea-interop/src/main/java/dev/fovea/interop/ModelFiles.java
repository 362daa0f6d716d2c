package dev.fovea.interop;

import dev.fovea.FoveaException;
import dev.fovea.interop.keras.KerasImport;
import dev.fovea.interop.onnx.OnnxImport;
import dev.fovea.io.ModelFile;
import dev.fovea.io.Sha256;
import dev.fovea.nn.Model;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The one place a model file's path becomes a {@link Model}, by its extension:
 * {@code .safetensors} is Fovea's own file (weights, config, class names and preprocessing, read
 * by {@link ModelFile}); {@code .keras} and {@code .h5}/{@code .hdf5} are Keras files
 * ({@link KerasImport}), which do not say how pixels were scaled, so the caller passes a
 * {@link Preprocessing} and none is guessed; {@code .onnx} is ONNX. Any other name is read as a
 * Fovea file, whose reader names what the file is when it is not one. Every command that takes
 * a model file goes through {@link #load}, so each format works everywhere alike.
 */
public final class ModelFiles {
    private ModelFiles() {
    }

    /** The file kinds {@link #load} tells apart, by extension. */
    public enum Kind { FOVEA, KERAS, ONNX }

    public static Kind kind(Path file) {
        String n = file.getFileName() == null ? "" : file.getFileName().toString().toLowerCase(Locale.ROOT);
        if (n.endsWith(".keras") || n.endsWith(".h5") || n.endsWith(".hdf5")) {
            return Kind.KERAS;
        }
        if (n.endsWith(".onnx")) {
            return Kind.ONNX;
        }
        return Kind.FOVEA;
    }

    /** Whether the file's format does not record its preprocessing (Keras, ONNX): one must be given. */
    public static boolean needsPreprocessing(Path file) {
        return kind(file) != Kind.FOVEA;
    }

    /**
     * Reads {@code file} into a model with its metadata. {@code preprocessing} is required for a
     * Keras or ONNX file (recorded as the model's {@code preprocessing}) and refused for a Fovea
     * file, which records its own; an imported model has no class names, and its provenance names
     * the source file, its SHA-256 and format.
     */
    public static ModelFile.Loaded load(Path file, Preprocessing preprocessing) {
        Kind kind = kind(file);
        if (kind == Kind.FOVEA) {
            if (preprocessing != null) {
                throw new FoveaException(preprocessing.text() + " is for .keras, .h5 and .onnx files, which do not say"
                        + " how pixels were scaled; " + file.getFileName() + " is a Fovea model file and records its own"
                        + " preprocessing: drop the option");
            }
            return ModelFile.load(file);
        }
        ModelFile.Loaded onnx = kind == Kind.ONNX ? OnnxImport.load(file) : null;
        if (preprocessing == null && onnx != null && !onnx.info().preprocessing().isEmpty()) {
            // A Fovea export records its preprocessing and class names: taken as a Fovea file's are.
            return onnx;
        }
        if (preprocessing == null) {
            throw new FoveaException(file + ": " + (kind == Kind.ONNX ? "an ONNX" : "a Keras") + " file does not say how"
                    + " its pixels were scaled, and Fovea does not guess; pass the preprocessing the model was trained"
                    + " with: " + Preprocessing.RESCALE_HELP + " or " + Preprocessing.NORMALIZE_HELP);
        }
        Model model;
        Map<String, Object> provenance = new LinkedHashMap<>();
        switch (kind) {
            case KERAS -> {
                KerasImport.Imported k = KerasImport.read(file);
                model = k.model();
                provenance.putAll(k.provenance());
            }
            case ONNX -> {
                model = onnx.model();
                provenance.putAll(onnx.info().provenance());
                provenance.put("source_format", "onnx");
            }
            default -> throw new IllegalStateException("unhandled kind " + kind);
        }
        return imported(file, model, preprocessing, provenance, onnx == null ? List.of() : onnx.info().classNames());
    }

    private static ModelFile.Loaded imported(Path file, Model model, Preprocessing preprocessing,
                                             Map<String, Object> source, List<String> classNames) {
        // Fovea's commands feed images and read one score per class: refuse anything else here,
        // before a file is written, rather than in whichever command runs it first.
        if (model.inputShape().rank() != 3) {
            throw new FoveaException(file + ": the model takes inputs of shape " + model.inputShape().toBatchString()
                    + ", not images (None, height, width, channels); Fovea imports image classifiers");
        }
        if (model.outputShape().rank() != 1) {
            throw new FoveaException(file + ": the model outputs shape " + model.outputShape().toBatchString()
                    + ", not one score per class (None, K); Fovea imports image classifiers");
        }
        Map<String, Object> pre = preprocessing.toMap(model.inputShape().dim(-1), file.toString());
        Map<String, Object> provenance = new LinkedHashMap<>();
        provenance.put("imported_from", file.toAbsolutePath().normalize().toString());
        // The ONNX reader has hashed the file already; a Keras file is hashed here.
        Object sha = source.get("source_sha256");
        provenance.put("source_sha256", sha != null ? sha : Sha256.file(file));
        provenance.putAll(source);
        provenance.put("preprocessing_given", preprocessing.text());
        return new ModelFile.Loaded(model, new ModelFile.Info(classNames, pre, provenance));
    }
}
