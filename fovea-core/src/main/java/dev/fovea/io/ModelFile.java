package dev.fovea.io;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fovea.FoveaException;
import dev.fovea.nn.Model;
import dev.fovea.nn.ModelConfig;
import dev.fovea.nn.Param;
import dev.fovea.tensor.Tensor;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The model file: one {@code .safetensors} holding every weight under its Keras-style name
 * ({@code conv2d/kernel}, {@code batch_normalization_5/moving_variance}) and, in
 * {@code __metadata__}, {@code fovea.format} ({@value #FORMAT}), {@code fovea.config} (the
 * architecture, see {@link ModelConfig}), {@code fovea.class_names}, {@code fovea.preprocessing}
 * and {@code fovea.provenance} as JSON strings. Python's {@code safetensors} reads the weights.
 */
public final class ModelFile {
    public static final String FORMAT = "fovea-model/1";
    static final ObjectMapper JSON = new ObjectMapper();

    private ModelFile() {
    }

    /**
     * What a model file says besides its weights.
     *
     * @param classNames    label names in class-index order (may be empty)
     * @param preprocessing how raw images become inputs: {@code scale} (1/255), optional {@code mean}/{@code std}
     * @param provenance    seed, Fovea version, dataset checksum, command line, …
     */
    public record Info(List<String> classNames, Map<String, Object> preprocessing, Map<String, Object> provenance) {
        public Info {
            classNames = List.copyOf(classNames);
            // Insertion order kept: the provenance is read by people, in the file and the report.
            preprocessing = Collections.unmodifiableMap(new LinkedHashMap<>(preprocessing));
            provenance = Collections.unmodifiableMap(new LinkedHashMap<>(provenance));
        }

        public static Info of(List<String> classNames) {
            return new Info(classNames, Map.of("scale", 1.0 / 255), Map.of());
        }
    }

    /** A loaded model with its metadata. */
    public record Loaded(Model model, Info info) {
    }

    /** Writes {@code model} and {@code info} to {@code file} atomically. */
    public static void save(Path file, Model model, Info info) {
        writer(model, info).write(file);
    }

    /** A writer pre-filled with the model's weights and metadata (checkpoints add to it). */
    public static SafeTensors.Writer writer(Model model, Info info) {
        SafeTensors.Writer w = SafeTensors.writer();
        w.metadata("fovea.format", FORMAT);
        w.metadata("fovea.config", json(model.config()));
        w.metadata("fovea.class_names", json(info.classNames()));
        w.metadata("fovea.preprocessing", json(new LinkedHashMap<>(info.preprocessing())));
        w.metadata("fovea.provenance", json(new LinkedHashMap<>(info.provenance())));
        for (Map.Entry<String, Param> e : model.namedParams().entrySet()) {
            Param p = e.getValue();
            w.put(e.getKey(), new Tensor(p.shape(), p.value()));
        }
        return w;
    }

    /** Reads a model file, rebuilding the architecture and loading every weight. */
    public static Loaded load(Path file) {
        String kind = FileKind.notSafeTensors(file);
        if (kind != null) {
            throw new FoveaException(file + " is not a Fovea model file: it is " + kind + "; " + WHAT_TO_PASS);
        }
        return fromFile(SafeTensors.read(file));
    }

    /** The end of every "not a model file" message. */
    private static final String WHAT_TO_PASS = "pass a .safetensors model written by 'fovea train'"
            + " (RUN/model.safetensors) or by ModelFile.save";

    public static Loaded fromFile(SafeTensors st) {
        Map<String, String> md = st.metadata();
        Path file = st.path();
        String config = md.get("fovea.config");
        if (config == null) {
            throw new FoveaException(file + " is not a Fovea model file: it is a safetensors file without Fovea's"
                    + " metadata (no 'fovea.config' describing the layers), such as weights saved by another"
                    + " library; " + WHAT_TO_PASS);
        }
        String format = md.getOrDefault("fovea.format", "");
        if (!format.equals(FORMAT)) {
            throw new FoveaException(file + ": model format '" + format + "' is not " + FORMAT
                    + "; it was written by another Fovea version");
        }
        Map<String, Object> cfg = parse(file, config, new TypeReference<>() { });
        Model model = ModelConfig.fromConfig(cfg, file.toString());
        loadWeights(st, model);
        List<String> classes = parse(file, md.getOrDefault("fovea.class_names", "[]"), new TypeReference<>() { });
        Map<String, Object> pre = parse(file, md.getOrDefault("fovea.preprocessing", "{}"), new TypeReference<>() { });
        Map<String, Object> prov = parse(file, md.getOrDefault("fovea.provenance", "{}"), new TypeReference<>() { });
        return new Loaded(model, new Info(classes, pre, prov));
    }

    /** Copies every weight of {@code model} from {@code st}, checking names and shapes. */
    public static void loadWeights(SafeTensors st, Model model) {
        for (Map.Entry<String, Param> e : model.namedParams().entrySet()) {
            String name = e.getKey();
            Param p = e.getValue();
            if (!st.has(name)) {
                throw new FoveaException(st.path() + ": weight '" + name + "' of shape " + p.shape()
                        + " is missing; the file does not match this model");
            }
            if (!st.shape(name).equals(p.shape())) {
                throw new FoveaException(st.path() + ": weight '" + name + "' has shape " + st.shape(name)
                        + ", the model expects " + p.shape());
            }
            float[] v = st.floats(name);
            System.arraycopy(v, 0, p.value(), 0, v.length);
        }
    }

    public static String json(Object o) {
        try {
            return JSON.writeValueAsString(o);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialize " + o, e);
        }
    }

    public static <T> T parse(Path file, String json, TypeReference<T> type) {
        try {
            return JSON.readValue(json, type);
        } catch (JsonProcessingException e) {
            throw new FoveaException(file + ": metadata is not valid JSON (" + e.getOriginalMessage()
                    + "); the file is corrupted", e);
        }
    }
}
