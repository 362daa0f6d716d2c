package dev.fovea.train;

import dev.fovea.io.ModelFile;
import dev.fovea.kernel.Vectors;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * What a model file records about how it was trained (Tribuo's provenance), as one typed record
 * in four parts, stored flat under {@code fovea.provenance} (one JSON object, keys below).
 * {@link Trainer#fit} writes the first three for every run, whatever the front end; front ends
 * fill {@link Run} (through {@code dev.fovea.run}, shared by {@code fovea train} and
 * {@code fovea spark train}) and never write keys of their own.
 *
 * <ul>
 * <li>{@link Environment} — where it trained: {@code fovea_version}, {@code java_version},
 *     {@code java_vendor}, {@code os_name}, {@code os_arch}, {@code cpu} (the processor's model
 *     name from /proc/cpuinfo, absent where there is none), {@code vector_bits} (the kernels'
 *     vector width: reductions outside the register kernels, and so the weights a seed gives, may
 *     differ at another width, and the speed does) and {@code register_tiles} ({@code 8x3} or
 *     {@code 6x2}: speed only).</li>
 * <li>{@link Fit} — how: {@code optimizer}, {@code learning_rate} (the schedule's value when the
 *     fit began), {@code loss}, {@code metrics}, {@code batch_size}, {@code epochs} (the total
 *     after this fit), {@code shuffle}, {@code drop_last}, {@code validation}, {@code callbacks}.</li>
 * <li>{@link TrainingData} — what the feed trained on ({@link Feed.Source#describe()}):
 *     {@code seed}, {@code images}, {@code augmentation} and {@code data_used_sha256}, the SHA-256
 *     of the images and labels trained on (after {@code --limit} and a validation hold-out).</li>
 * <li>{@link Run} — the command lines and the data as given: {@code commands} (oldest first),
 *     {@code data} (the path, absolute), {@code data_file_sha256} (the file's bytes, as
 *     {@code sha256sum} prints; for a folder see {@code DataSources.fileSha256}),
 *     {@code data_decoded_sha256} (the whole training split as decoded, the same for an archive
 *     and its extracted folder), {@code limit}, and on Spark {@code workers} and
 *     {@code batch_norm}.</li>
 * </ul>
 *
 * <p>Reading is tolerant: a missing key is null, older names are read under the new ones
 * ({@code data_sha256} → {@code data_used_sha256}, {@code data_source_sha256} →
 * {@code data_decoded_sha256}, a lone {@code command} → {@code commands}), and any other key, or
 * a known key with a value of another type, is kept in {@link #other()} and written back as it was.
 */
public record Provenance(Environment environment, Fit fit, TrainingData data, Run run, Map<String, Object> other) {
    private static final String VERSION = readVersion();
    private static final String CPU = cpuModel(Path.of("/proc/cpuinfo"));

    public Provenance {
        other = new LinkedHashMap<>(other);
    }

    /** Nothing recorded yet. */
    public static Provenance empty() {
        return new Provenance(null, null, null, null, Map.of());
    }

    /** Where a model trained. */
    public record Environment(String foveaVersion, String javaVersion, String javaVendor, String osName,
                              String osArch, String cpu, Integer vectorBits, String registerTiles) {
        /** This JVM, this machine and the kernels' vector shape. */
        public static Environment current() {
            return new Environment(VERSION, System.getProperty("java.version"), Provenance.javaVendor(),
                    System.getProperty("os.name"), System.getProperty("os.arch"), CPU, Provenance.vectorBits(), Vectors.tileSet());
        }
    }

    /** How {@code fit} trained, from the trainer and its {@link FitOptions}. */
    public record Fit(String optimizer, Double learningRate, String loss, List<String> metrics, Integer batchSize,
                      Double epochs, Boolean shuffle, Boolean dropLast, String validation, List<String> callbacks) {
    }

    /**
     * What the training feed held: its seed, image count, augmentation (Keras's names; empty when
     * none) and the SHA-256 of the images and labels it trained on ({@code Dataset.sha256()}).
     */
    public record TrainingData(Long seed, Integer images, Map<String, Object> augmentation, String usedSha256) {
    }

    /**
     * What a front end adds: the commands of the run (oldest first), the data as given (an absolute
     * path or {@code cifar10}), its file's SHA-256, the decoded training split's SHA-256, the
     * {@code --limit} as words, and for data-parallel training the workers and batch-norm mode.
     */
    public record Run(List<String> commands, String data, String dataFileSha256, String dataDecodedSha256,
                      String limit, Integer workers, String batchNorm) {
        /** This run with data-parallel fields. */
        public Run withWorkers(int workers, String batchNorm) {
            return new Run(commands, data, dataFileSha256, dataDecodedSha256, limit, workers, batchNorm);
        }
    }

    public Provenance withEnvironment(Environment e) {
        return new Provenance(e, fit, data, run, other);
    }

    public Provenance withFit(Fit f) {
        return new Provenance(environment, f, data, run, other);
    }

    public Provenance withData(TrainingData d) {
        return new Provenance(environment, fit, d, run, other);
    }

    public Provenance withRun(Run r) {
        return new Provenance(environment, fit, data, r, other);
    }

    /** The Fovea version this library was built as ("dev" when unknown). */
    public static String foveaVersion() {
        return VERSION;
    }

    /** The vendor of the JDK that runs this JVM ({@code java.vendor}: "Eclipse Adoptium", "Debian"). */
    public static String javaVendor() {
        return System.getProperty("java.vendor");
    }

    /**
     * The width in bits of the float vectors every kernel uses ({@code kernel.Vectors}): the
     * machine's preferred width unless {@code -Dfovea.vector.bits} forces another; 256 on AVX2
     * machines (8 floats), 512 on AVX-512 ones (16).
     */
    public static int vectorBits() {
        return Vectors.S.vectorBitSize();
    }

    /** {@code info} with the provenance of a {@code fit} of {@code options.epochs} epochs about to start. */
    static ModelFile.Info atFit(ModelFile.Info info, Trainer t, Feed.Source train, FitOptions o) {
        double epochs = t.epochsDone() + o.epochs;
        List<String> callbacks = new ArrayList<>();
        o.callbacks.forEach(c -> callbacks.add(c.getClass().getSimpleName()));
        Fit fit = new Fit(t.optimizer().name(), t.optimizer().learningRate() * t.learningRateScale(), t.loss().name(),
                List.copyOf(t.metricNames()), o.batchSize, epochs, o.shuffle, o.dropLast,
                o.validation != null ? "data of " + o.validation.size() + " samples"
                        : o.validationSplit > 0 ? "split " + o.validationSplit : "none", callbacks);
        Provenance p = fromMap(info.provenance()).withEnvironment(Environment.current()).withFit(fit);
        TrainingData d = train.describe();
        if (d != null) {
            p = p.withData(d);
        }
        return new ModelFile.Info(info.classNames(), info.preprocessing(), p.toMap());
    }

    /** The flat JSON form: the known keys in the order above (nulls left out), then {@link #other()}. */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        if (environment != null) {
            Environment e = environment;
            put(m, "fovea_version", e.foveaVersion);
            put(m, "java_version", e.javaVersion);
            put(m, "java_vendor", e.javaVendor);
            put(m, "os_name", e.osName);
            put(m, "os_arch", e.osArch);
            put(m, "cpu", e.cpu);
            put(m, "vector_bits", e.vectorBits);
            put(m, "register_tiles", e.registerTiles);
        }
        if (fit != null) {
            Fit f = fit;
            put(m, "optimizer", f.optimizer);
            put(m, "learning_rate", f.learningRate);
            put(m, "loss", f.loss);
            put(m, "metrics", f.metrics);
            put(m, "batch_size", f.batchSize);
            put(m, "epochs", f.epochs == null ? null
                    : f.epochs == Math.rint(f.epochs) ? (Object) f.epochs.longValue() : (Object) f.epochs);
            put(m, "shuffle", f.shuffle);
            put(m, "drop_last", f.dropLast);
            put(m, "validation", f.validation);
            put(m, "callbacks", f.callbacks);
        }
        if (data != null) {
            put(m, "seed", data.seed);
            put(m, "images", data.images);
            put(m, "augmentation", data.augmentation == null ? null
                    : data.augmentation.isEmpty() ? "none" : data.augmentation);
            put(m, "data_used_sha256", data.usedSha256);
        }
        if (run != null) {
            put(m, "commands", run.commands);
            put(m, "data", run.data);
            put(m, "data_file_sha256", run.dataFileSha256);
            put(m, "data_decoded_sha256", run.dataDecodedSha256);
            put(m, "limit", run.limit);
            put(m, "workers", run.workers);
            put(m, "batch_norm", run.batchNorm);
        }
        other.forEach(m::putIfAbsent);
        return m;
    }

    private static void put(Map<String, Object> m, String key, Object value) {
        if (value != null) {
            m.put(key, value);
        }
    }

    /** The typed form of a provenance map as written by this or an older version (see the class comment). */
    public static Provenance fromMap(Map<String, Object> map) {
        Reader r = new Reader(map);
        r.rename("data_sha256", "data_used_sha256");
        r.rename("data_source_sha256", "data_decoded_sha256");
        if (!r.rest.containsKey("commands") && r.rest.get("command") instanceof String c) {
            r.rest.put("commands", List.of(c));
        }
        r.rest.remove("command"); // the last of commands, written beside them by older versions
        Environment e = r.any("fovea_version", "java_version", "java_vendor", "os_name", "os_arch", "cpu",
                "vector_bits", "register_tiles") ? new Environment(r.str("fovea_version"), r.str("java_version"),
                r.str("java_vendor"), r.str("os_name"), r.str("os_arch"), r.str("cpu"), r.integer("vector_bits"),
                r.str("register_tiles")) : null;
        Fit f = r.any("optimizer", "learning_rate", "loss", "metrics", "batch_size", "epochs", "shuffle", "drop_last",
                "validation", "callbacks") ? new Fit(r.str("optimizer"), r.dbl("learning_rate"), r.str("loss"),
                r.strings("metrics"), r.integer("batch_size"), r.dbl("epochs"), r.bool("shuffle"),
                r.bool("drop_last"), r.str("validation"), r.strings("callbacks")) : null;
        TrainingData d = r.any("seed", "images", "augmentation", "data_used_sha256") ? new TrainingData(
                r.lng("seed"), r.integer("images"), r.augmentation(), r.str("data_used_sha256")) : null;
        Run run = r.any("commands", "data", "data_file_sha256", "data_decoded_sha256", "limit", "workers",
                "batch_norm") ? new Run(r.strings("commands"), r.str("data"), r.str("data_file_sha256"),
                r.str("data_decoded_sha256"), r.str("limit"), r.integer("workers"), r.str("batch_norm")) : null;
        return new Provenance(e, f, d, run, r.rest);
    }

    /** Takes known keys out of a copy of the map when their value has the expected type; the rest stays. */
    private static final class Reader {
        final Map<String, Object> rest;

        Reader(Map<String, Object> map) {
            rest = new LinkedHashMap<>(map);
        }

        void rename(String old, String now) {
            if (rest.containsKey(old) && !rest.containsKey(now)) {
                rest.put(now, rest.remove(old));
            }
        }

        boolean any(String... keys) {
            for (String k : keys) {
                if (rest.get(k) != null) {
                    return true;
                }
            }
            return false;
        }

        private <T> T take(String key, Class<T> type) {
            Object v = rest.get(key);
            if (type.isInstance(v)) {
                rest.remove(key);
                return type.cast(v);
            }
            return null;
        }

        String str(String key) {
            return take(key, String.class);
        }

        Boolean bool(String key) {
            return take(key, Boolean.class);
        }

        Integer integer(String key) {
            Number n = take(key, Number.class);
            return n == null ? null : n.intValue();
        }

        Long lng(String key) {
            Number n = take(key, Number.class);
            return n == null ? null : n.longValue();
        }

        Double dbl(String key) {
            Number n = take(key, Number.class);
            return n == null ? null : n.doubleValue();
        }

        List<String> strings(String key) {
            Object v = rest.get(key);
            if (!(v instanceof List<?> l) || !l.stream().allMatch(x -> x instanceof String)) {
                return null;
            }
            rest.remove(key);
            List<String> out = new ArrayList<>();
            l.forEach(x -> out.add((String) x));
            return List.copyOf(out);
        }

        Map<String, Object> augmentation() {
            Object v = rest.get("augmentation");
            if ("none".equals(v)) {
                rest.remove("augmentation");
                return Map.of();
            }
            if (v instanceof Map<?, ?> a) {
                rest.remove("augmentation");
                Map<String, Object> out = new LinkedHashMap<>();
                a.forEach((k, x) -> out.put(String.valueOf(k), x));
                return out;
            }
            return null;
        }
    }

    /** The "model name" line of a /proc/cpuinfo text ({@code AMD EPYC 7B13}), or null when it has none. */
    static String cpuModel(String cpuinfo) {
        for (String line : cpuinfo.split("\n")) {
            int colon = line.indexOf(':');
            if (colon > 0 && line.substring(0, colon).strip().equals("model name")) {
                String v = line.substring(colon + 1).strip();
                return v.isEmpty() ? null : v;
            }
        }
        return null;
    }

    private static String cpuModel(Path cpuinfo) {
        try {
            return Files.isReadable(cpuinfo) ? cpuModel(Files.readString(cpuinfo)) : null;
        } catch (IOException | RuntimeException e) {
            return null; // not Linux, or unreadable: the processor stays unnamed
        }
    }

    private static String readVersion() {
        try (InputStream in = Provenance.class.getResourceAsStream("/dev/fovea/version.properties")) {
            if (in == null) {
                return "dev";
            }
            Properties p = new Properties();
            p.load(in);
            String v = p.getProperty("version", "dev");
            // Unfiltered (an IDE copying resources as they are) leaves the placeholder.
            return v.isBlank() || v.startsWith("${") ? "dev" : v;
        } catch (IOException e) {
            return "dev";
        }
    }
}
