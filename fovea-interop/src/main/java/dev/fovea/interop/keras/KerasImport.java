package dev.fovea.interop.keras;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fovea.FoveaException;
import dev.fovea.nn.Model;
import io.jhdf.HdfFile;
import io.jhdf.api.Attribute;
import io.jhdf.api.Group;
import io.jhdf.api.Node;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;

/**
 * Reads a Keras model file into a Fovea {@link Model} with its trained weights: a {@code .keras}
 * zip (Keras 3, tf.keras 2.13+: {@code metadata.json}, {@code config.json},
 * {@code model.weights.h5}) or a legacy HDF5 file (Keras 2's {@code model.save("m.h5")}: the
 * {@code model_config} attribute and the {@code model_weights} group). Which one is decided by
 * the file's first bytes, not its name. The architecture is built by {@link KerasGraph}, the
 * weights copied by {@link KerasWeights}; HDF5 is read in pure Java by jHDF. The file is only
 * read. Every problem is a {@link FoveaException} naming the file and what to do.
 */
public final class KerasImport {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final byte[] ZIP = {'P', 'K', 3, 4};
    private static final byte[] HDF5 = {(byte) 0x89, 'H', 'D', 'F', '\r', '\n', 0x1a, '\n'};

    private KerasImport() {
    }

    /**
     * A model read from a Keras file, and where it came from: {@code format} ({@code keras} for
     * the zip, {@code keras-h5} for the legacy file), the Keras version the file names, and the
     * training-only settings it had that the import dropped, by key with the number of layers
     * ({@code kernel_regularizer} on 12 layers, {@code trainable false} on 3).
     */
    public record Imported(Model model, String format, String kerasVersion, Map<String, Integer> ignored) {
        /** The provenance entries an imported model records. */
        public Map<String, Object> provenance() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("source_format", format);
            if (kerasVersion != null) {
                m.put("source_keras_version", kerasVersion);
            }
            if (!ignored.isEmpty()) {
                m.put("source_training_settings_ignored", ignored());
            }
            return m;
        }
    }

    /** Reads {@code file}, a {@code .keras} zip or a legacy {@code .h5}. */
    public static Imported read(Path file) {
        byte[] head = head(file);
        if (startsWith(head, ZIP)) {
            return readZip(file);
        }
        if (startsWith(head, HDF5)) {
            return readH5(file);
        }
        throw new FoveaException(file + " is neither a .keras zip nor an HDF5 file (it begins with "
                + hex(head) + "); pass a model saved by Keras's model.save(\"m.keras\") or model.save(\"m.h5\")");
    }

    private static Imported readH5(Path file) {
        String where = file.toString();
        try (HdfFile h5 = new HdfFile(file)) {
            String config = stringAttribute(h5.getAttribute("model_config"));
            if (config == null) {
                String what = h5.getAttribute("layer_names") != null
                        ? "a weights-only file (Keras's save_weights): it has no model config"
                        : "an HDF5 file without a Keras 'model_config' attribute";
                throw new FoveaException(where + " is " + what + "; Fovea needs the whole model: save it with"
                        + " model.save(\"m.keras\") or model.save(\"m.h5\")");
            }
            Node weights = h5.getChild("model_weights");
            if (!(weights instanceof Group group)) {
                throw new FoveaException(where + ": the HDF5 file holds a model config but no weights (no"
                        + " 'model_weights' group); save the trained model with model.save(\"m.h5\")");
            }
            KerasGraph.Built built = KerasGraph.read(json(config, where + "'s model_config"), where);
            Model model = built.model();
            java.util.Set<String> nested = new java.util.HashSet<>();
            for (dev.fovea.nn.Layer l : model.layers()) {
                if (l instanceof Model) {
                    nested.add(l.name());
                }
            }
            KerasWeights w = KerasWeights.legacy(group, nested, where);
            w.copyInto(model, built.split());
            String version = stringAttribute(h5.getAttribute("keras_version"));
            return new Imported(model, "keras-h5", version, built.ignored());
        } catch (io.jhdf.exceptions.HdfException e) {
            throw new FoveaException(where + " cannot be read as HDF5 (" + e.getMessage() + "); the file is truncated"
                    + " or damaged: save the model again", e);
        }
    }

    private static Imported readZip(Path file) {
        String where = file.toString();
        try (ZipFile zip = new ZipFile(file.toFile())) {
            Map<String, Object> metadata = json(text(zip, "metadata.json", where), where + "'s metadata.json");
            Map<String, Object> config = json(text(zip, "config.json", where), where + "'s config.json");
            KerasGraph.Built built = KerasGraph.read(config, where);
            Model model = built.model();
            byte[] weights = bytes(zip, "model.weights.h5", where);
            try (HdfFile h5 = HdfFile.fromBytes(weights)) {
                KerasWeights w = KerasWeights.v3(h5, where + "'s model.weights.h5");
                w.copyInto(model, built.split());
            } catch (io.jhdf.exceptions.HdfException e) {
                throw new FoveaException(where + ": its model.weights.h5 cannot be read as HDF5 (" + e.getMessage()
                        + "); the file is damaged: save the model again", e);
            }
            Object version = metadata.get("keras_version");
            return new Imported(model, "keras", version instanceof String s ? s : null, built.ignored());
        } catch (ZipException e) {
            throw new FoveaException(where + " is not a complete zip (" + e.getMessage() + "); a .keras file is a zip"
                    + " that Keras writes whole: the file is truncated or damaged, copy or save it again", e);
        } catch (IOException e) {
            throw new FoveaException(where + " cannot be read: " + e.getMessage(), e);
        }
    }

    private static ZipEntry entry(ZipFile zip, String name, String where) {
        ZipEntry e = zip.getEntry(name);
        if (e == null) {
            throw new FoveaException(where + " is a zip without " + name + ", so not a .keras model file (which holds"
                    + " metadata.json, config.json and model.weights.h5); pass a model saved by model.save(\"m.keras\")");
        }
        return e;
    }

    private static byte[] bytes(ZipFile zip, String name, String where) throws IOException {
        try (InputStream in = zip.getInputStream(entry(zip, name, where))) {
            return in.readAllBytes();
        }
    }

    private static String text(ZipFile zip, String name, String where) throws IOException {
        return new String(bytes(zip, name, where), java.nio.charset.StandardCharsets.UTF_8);
    }

    private static Map<String, Object> json(String text, String what) {
        try {
            return JSON.readValue(text, new TypeReference<>() { });
        } catch (JsonProcessingException e) {
            throw new FoveaException(what + " is not valid JSON (" + e.getOriginalMessage() + "); the file is damaged",
                    e);
        }
    }

    /** A string attribute as h5py writes it (a variable- or fixed-length string, or bytes); null when absent. */
    private static String stringAttribute(Attribute a) {
        if (a == null) {
            return null;
        }
        Object d = a.getData();
        if (d instanceof String s) {
            return s;
        }
        if (d instanceof String[] s && s.length == 1) {
            return s[0];
        }
        return null;
    }

    private static byte[] head(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            return in.readNBytes(8);
        } catch (NoSuchFileException e) {
            throw new FoveaException(file + ": no such file", e);
        } catch (IOException e) {
            throw new FoveaException(file + " cannot be read: " + e.getMessage(), e);
        }
    }

    private static boolean startsWith(byte[] head, byte[] magic) {
        if (head.length < magic.length) {
            return false;
        }
        for (int i = 0; i < magic.length; i++) {
            if (head[i] != magic[i]) {
                return false;
            }
        }
        return true;
    }

    private static String hex(byte[] b) {
        StringBuilder s = new StringBuilder();
        for (byte x : b) {
            s.append(String.format("%02x ", x & 0xFF));
        }
        return s.toString().trim();
    }
}
