package dev.fovea.io;

import dev.fovea.FoveaException;
import dev.fovea.tensor.Shape;
import dev.fovea.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * One PyTorch reference case (a file of /shared/reference/ops, format in its README): the op
 * name and its settings from {@code __metadata__}, and the inputs, parameters, outputs and
 * gradients as tensors. Settings are strings in the file; the typed accessors accept the forms
 * Python writes for sizes ({@code 2}, {@code [2, 2]}, {@code (2, 2)}, {@code 2,2}). Not a
 * dispatcher: running the op and comparing (with {@link Compare}) is the caller's job.
 */
public final class ReferenceCase {
    private static final String SUFFIX = ".safetensors";

    private final SafeTensors file;
    private final String op;

    private ReferenceCase(SafeTensors file, String op) {
        this.file = file;
        this.op = op;
    }

    /** Loads a case; a file without an {@code op} in its metadata is rejected. */
    public static ReferenceCase load(Path path) {
        SafeTensors file = SafeTensors.read(path);
        String op = file.metadata().get("op");
        if (op == null || op.isBlank()) {
            throw new FoveaException(path + ": no 'op' in __metadata__ (found keys " + file.metadata().keySet()
                    + "); is this a reference case?");
        }
        return new ReferenceCase(file, op);
    }

    /** The {@code *.safetensors} files directly in {@code dir}, sorted by name. */
    public static List<Path> list(Path dir) {
        if (!Files.isDirectory(dir)) {
            throw new FoveaException(dir + ": not a folder of reference cases");
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().endsWith(SUFFIX) && Files.isRegularFile(p))
                    .sorted().collect(Collectors.toList());
        } catch (IOException e) {
            throw new FoveaException(dir + ": cannot list: " + e.getMessage(), e);
        }
    }

    /** The file name without {@code .safetensors}, e.g. {@code 003_conv2d}. */
    public String name() {
        String n = file.path().getFileName().toString();
        return n.endsWith(SUFFIX) ? n.substring(0, n.length() - SUFFIX.length()) : n;
    }

    public Path path() {
        return file.path();
    }

    public String op() {
        return op;
    }

    /** All of {@code __metadata__}, including {@code op}, {@code seed} and free-text notes. */
    public Map<String, String> settings() {
        return file.metadata();
    }

    public boolean hasSetting(String key) {
        return file.metadata().containsKey(key);
    }

    public String stringSetting(String key) {
        String v = file.metadata().get(key);
        if (v == null) {
            throw problem("has no setting '" + key + "' (settings: " + file.metadata().keySet() + ")");
        }
        return v;
    }

    public String stringSetting(String key, String defaultValue) {
        return hasSetting(key) ? stringSetting(key) : defaultValue;
    }

    /** A single integer; a list is accepted only if all its elements are equal ({@code (3, 3)}). */
    public int intSetting(String key) {
        int[] v = ints(key);
        for (int x : v) {
            if (x != v[0]) {
                throw problem("setting '" + key + "' is \"" + stringSetting(key) + "\", expected a single integer");
            }
        }
        return v[0];
    }

    public int intSetting(String key, int defaultValue) {
        return hasSetting(key) ? intSetting(key) : defaultValue;
    }

    public float floatSetting(String key) {
        String v = stringSetting(key).trim();
        try {
            return Float.parseFloat(v);
        } catch (NumberFormatException e) {
            throw problem("setting '" + key + "' is \"" + v + "\", expected a number");
        }
    }

    public float floatSetting(String key, float defaultValue) {
        return hasSetting(key) ? floatSetting(key) : defaultValue;
    }

    /** A 2-D size as {@code {height, width}}: {@code 2} gives {2, 2}, {@code (2, 3)} gives {2, 3}. */
    public int[] pair(String key) {
        int[] v = ints(key);
        if (v.length == 1) {
            return new int[] {v[0], v[0]};
        }
        if (v.length != 2) {
            throw problem("setting '" + key + "' is \"" + stringSetting(key) + "\", expected one or two integers");
        }
        return v;
    }

    public int[] pair(String key, int defaultValue) {
        return hasSetting(key) ? pair(key) : new int[] {defaultValue, defaultValue};
    }

    /** A list of integers in any of the forms {@code 2}, {@code [2, 2]}, {@code (2, 2)}, {@code (2,)}, {@code 2,2}. */
    public int[] ints(String key) {
        String raw = stringSetting(key);
        String s = raw.trim();
        if (s.length() >= 2 && (s.startsWith("[") && s.endsWith("]") || s.startsWith("(") && s.endsWith(")"))) {
            s = s.substring(1, s.length() - 1).trim();
        }
        if (s.endsWith(",")) {
            s = s.substring(0, s.length() - 1); // Python's one-element tuple (2,)
        }
        String[] parts = s.split(",", -1);
        int[] out = new int[parts.length];
        for (int i = 0; i < parts.length; i++) {
            try {
                out[i] = Integer.parseInt(parts[i].trim());
            } catch (NumberFormatException e) {
                throw problem("setting '" + key + "' is \"" + raw
                        + "\", expected an integer or a list of integers such as 2, [2, 2] or (2, 2)");
            }
        }
        return out;
    }

    public List<String> names() {
        return file.names();
    }

    public boolean has(String name) {
        return file.has(name);
    }

    public Shape shape(String name) {
        return file.shape(name);
    }

    public float[] floats(String name) {
        return file.floats(name);
    }

    public Tensor tensor(String name) {
        return file.tensor(name);
    }

    /** Integer class labels, which the cases store as floats; each must be a whole number. */
    public int[] labels(String name) {
        float[] f = file.floats(name);
        int[] out = new int[f.length];
        for (int i = 0; i < f.length; i++) {
            if (f[i] != Math.rint(f[i]) || Math.abs(f[i]) > 1 << 24) {
                throw problem("tensor '" + name + "' holds " + f[i] + " at index " + i + ", expected whole-number labels");
            }
            out[i] = (int) f[i];
        }
        return out;
    }

    /** The underlying file, for dtypes or tensors this class has no accessor for. */
    public SafeTensors file() {
        return file;
    }

    @Override
    public String toString() {
        return name() + " (" + op + ")";
    }

    private FoveaException problem(String what) {
        return new FoveaException(file.path() + ": " + what);
    }
}
