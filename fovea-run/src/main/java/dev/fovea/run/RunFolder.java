package dev.fovea.run;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.fovea.FoveaException;
import dev.fovea.data.DataSources;
import dev.fovea.io.AtomicFiles;
import dev.fovea.io.ModelFile;
import dev.fovea.io.NearestName;
import dev.fovea.io.SafeTensors;
import dev.fovea.nn.Presets;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A run folder and its {@code run.json}, as every front end writes and resumes them: the
 * effective options of the run with absolute paths (so {@code --resume} works from any folder),
 * the data's hashes ({@code data_decoded_sha256} is checked when resuming) and every command of
 * the run in order; the default folder name; and what may be written into an existing folder.
 * {@link #read} takes run.json files of earlier versions too ({@link #upgrade}).
 */
public final class RunFolder {
    public static final String FILE = "run.json";
    public static final String CHECKPOINT = "checkpoint.safetensors";
    public static final String MODEL = "model.safetensors";
    public static final String HISTORY = "history.csv";
    /** What a training run writes into its folder (removed by {@code --overwrite}). */
    static final List<String> OUTPUTS = List.of(MODEL, CHECKPOINT, HISTORY, FILE, "report.html");

    private RunFolder() {
    }

    /** {@code run.json} of the run folder {@code dir} ({@link #upgrade}d), or an error saying it is not a run folder. */
    public static Map<String, Object> read(Path dir) {
        Path f = dir.resolve(FILE);
        if (!Files.exists(dir)) {
            Path near = NearestName.suggest(dir);
            throw new FoveaException("--resume " + dir + ": no such folder; "
                    + (near == null ? "" : "did you mean " + near + "? Otherwise ") + "pass the run"
                    + " folder of an earlier 'fovea train --out DIR'");
        }
        if (!Files.isRegularFile(f)) {
            throw new FoveaException("--resume " + dir + ": no " + FILE + " there; pass the run folder of an earlier"
                    + " 'fovea train --out DIR'");
        }
        try {
            return upgrade(ModelFile.parse(f, Files.readString(f), new TypeReference<>() { }));
        } catch (IOException e) {
            throw new FoveaException(f.toAbsolutePath() + ": cannot read (" + OutputFolder.reason(e)
                    + "); check the file's permissions");
        }
    }

    /**
     * A {@code run.json} of an earlier version in today's keys. {@code data_sha256} (the decoded
     * training split) is {@code data_decoded_sha256}. {@code fovea spark train} used to write
     * {@code augment} ({@code tutorial}: 10% shifts and flips; {@code none}) where
     * {@code augmentation} holds the flags, and recorded {@code weight_decay 0} for adamw's
     * default 0.004, which it then used.
     */
    static Map<String, Object> upgrade(Map<String, Object> saved) {
        Map<String, Object> m = new LinkedHashMap<>(saved);
        if (m.containsKey("data_sha256") && !m.containsKey("data_decoded_sha256")) {
            m.put("data_decoded_sha256", m.remove("data_sha256"));
        }
        Object augment = m.remove("augment");
        if (augment != null && !m.containsKey("augmentation")) {
            Map<String, Object> a = new LinkedHashMap<>();
            if ("tutorial".equals(augment)) {
                a.put("width_shift", 0.1);
                a.put("height_shift", 0.1);
                a.put("horizontal_flip", true);
            }
            m.put("augmentation", a);
            if ("adamw".equals(m.get("optimizer")) && m.get("weight_decay") instanceof Number w
                    && w.doubleValue() == 0) {
                m.put("weight_decay", 0.004);
            }
        }
        return m;
    }

    public static void write(Path dir, Map<String, Object> record) {
        String json = ModelFile.json(record);
        try {
            AtomicFiles.write(dir.resolve(FILE), o -> o.write(json.getBytes(StandardCharsets.UTF_8)));
        } catch (IOException e) {
            throw OutputFolder.failure("cannot write", dir.resolve(FILE), "--out", e);
        }
    }

    /** The commands of the run so far, oldest first (empty for a new run). */
    @SuppressWarnings("unchecked")
    public static List<String> commands(Map<String, Object> saved) {
        Object c = saved.get("commands");
        return c instanceof List<?> l ? new ArrayList<>((List<String>) l) : new ArrayList<>();
    }

    /** A path argument made absolute (and normalized); {@code cifar10} and preset names stay as they are. */
    public static String absolute(String spec) {
        if (spec.equalsIgnoreCase(DataSources.CIFAR10) || Presets.names().contains(spec)) {
            return spec;
        }
        return Path.of(spec).toAbsolutePath().normalize().toString();
    }

    /**
     * On {@code --resume} without {@code --data}: the data named in run.json must still exist.
     * Older run files kept paths relative to the folder training started from.
     */
    static void checkDataExists(Path dir, String data) {
        if (data.equalsIgnoreCase(DataSources.CIFAR10) || Files.exists(Path.of(data))) {
            return;
        }
        throw new FoveaException("--resume " + dir + ": the training data recorded in " + dir.resolve(FILE) + " ("
                + data + ") does not exist" + (Path.of(data).isAbsolute() ? ""
                : " relative to the current folder " + Path.of("").toAbsolutePath())
                + "; pass --data PATH with the data the run was trained on");
    }

    /** On {@code --resume}: the data must be the data the run was trained on. */
    static void checkSameData(Path dir, Map<String, Object> saved, String sha256, String data) {
        Object was = saved.get("data_decoded_sha256");
        if (was == null || was.equals(sha256)) {
            return;
        }
        throw new FoveaException("--resume " + dir + ": the data at " + data + " is not the data this run was trained on"
                + " (SHA-256 " + abbreviate(sha256) + "…, but " + dir.resolve(FILE) + " records "
                + abbreviate(String.valueOf(was)) + "… for " + saved.get("data") + "); pass --data PATH with the"
                + " original data, or start a new run with --out NEWDIR");
    }

    private static String abbreviate(String sha) {
        return sha.length() > 12 ? sha.substring(0, 12) : sha;
    }

    /** {@code parent/<model>-<yyyyMMdd-HHmmss>}, with {@code -2}, {@code -3}, … when taken. */
    public static Path uniqueFolder(Path parent, String model, LocalDateTime now) {
        String name = Path.of(model).getFileName().toString().replaceFirst("\\.safetensors$", "")
                .replaceAll("[^A-Za-z0-9._-]", "_");
        String base = name + "-" + now.format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
        Path p = parent.resolve(base);
        for (int i = 2; Files.exists(p); i++) {
            p = parent.resolve(base + "-" + i);
        }
        return p;
    }

    /** Fails when {@code dir} holds files, naming a few and the two ways out. */
    static void refuseNonEmpty(Path dir) {
        if (!Files.isDirectory(dir)) {
            return;
        }
        List<String> names;
        try (Stream<Path> s = Files.list(dir)) {
            names = s.map(p -> p.getFileName().toString()).sorted().toList();
        } catch (IOException e) {
            throw new FoveaException("cannot list the run folder " + dir.toAbsolutePath() + ": " + OutputFolder.reason(e)
                    + "; choose another --out");
        }
        if (names.isEmpty()) {
            return;
        }
        String shown = String.join(", ", names.subList(0, Math.min(4, names.size())))
                + (names.size() > 4 ? ", … (" + names.size() + " entries)" : "");
        String resume = names.contains(FILE) && !names.contains(CHECKPOINT)
                ? " to start its recorded run again (it stopped before its first checkpoint)"
                : " to continue that run";
        throw new FoveaException("the run folder " + dir.toAbsolutePath() + " is not empty (it holds " + shown
                + "); pass --resume " + dir + resume + ", or --overwrite to replace it (or choose another --out)");
    }

    /** Removes what an earlier run wrote into {@code dir} (nothing else), for {@code --overwrite}. */
    static void clearOutputs(Path dir) {
        try {
            for (String f : OUTPUTS) {
                Files.deleteIfExists(dir.resolve(f));
            }
            Path plots = dir.resolve("plots");
            if (Files.isDirectory(plots)) {
                try (Stream<Path> s = Files.list(plots)) {
                    for (Path p : s.filter(p -> p.toString().endsWith(".png")).toList()) {
                        Files.delete(p);
                    }
                }
            }
        } catch (IOException e) {
            throw OutputFolder.failure("cannot remove the earlier run's files from", dir, "--out", e);
        }
    }

    /** Epochs completed and batches done in an interrupted epoch, from the checkpoint's metadata alone. */
    public static int[] progress(Path checkpoint) {
        String json = SafeTensors.read(checkpoint).metadata().get("fovea.checkpoint");
        if (json == null) {
            return new int[]{0, 0};
        }
        Map<String, Object> m = ModelFile.parse(checkpoint, json, new TypeReference<>() { });
        return new int[]{((Number) m.getOrDefault("epochs_done", 0)).intValue(),
                ((Number) m.getOrDefault("step_in_epoch", 0)).intValue()};
    }
}
