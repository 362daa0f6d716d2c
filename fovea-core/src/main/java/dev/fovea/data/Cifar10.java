package dev.fovea.data;

import dev.fovea.FoveaException;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/**
 * Reader of CIFAR-10 in the official binary layout: records of 3,073 bytes (one label byte,
 * then 1,024 red, 1,024 green and 1,024 blue bytes, each plane row-major 32×32), in
 * {@code data_batch_1..5.bin} (training) and {@code test_batch.bin}, with label names one per
 * line in {@code batches.meta.txt}. Accepts the {@code cifar-10-binary.tar.gz} archive (read
 * as a stream, never extracted to disk), the extracted {@code cifar-10-batches-bin/} folder
 * (or a folder holding it) and single {@code .bin} files. Record counts come from the file
 * sizes, so shortened test batches work. Not a downloader: see {@link Cifar10Download}.
 */
public final class Cifar10 {
    public static final int SIZE = 32;
    public static final int RECORD = 1 + 3 * SIZE * SIZE;
    public static final List<String> LABELS = List.of("airplane", "automobile", "bird", "cat",
            "deer", "dog", "frog", "horse", "ship", "truck");
    private static final int PLANE = SIZE * SIZE;
    private static final int CHUNK_RECORDS = 512;

    private Cifar10() {
    }

    /** True when {@code path} looks like a CIFAR-10 binary source (archive, folder or .bin). */
    public static boolean recognizes(Path path) {
        String name = path.getFileName() == null ? "" : path.getFileName().toString()
                .toLowerCase(Locale.ROOT);
        if (Files.isDirectory(path)) {
            return Files.isRegularFile(path.resolve("data_batch_1.bin"))
                    || Files.isRegularFile(path.resolve("test_batch.bin"))
                    || Files.isDirectory(path.resolve("cifar-10-batches-bin"));
        }
        return name.endsWith(".tar.gz") || name.endsWith(".tgz") || name.endsWith(".bin");
    }

    /** Reads all images and labels. */
    public static Splits load(Path path) {
        return read(path, true).splits(path);
    }

    /** Counts images per split and class from the label bytes alone, decoding no pixels. */
    public static DataInfo info(Path path) {
        Parts p = read(path, false);
        List<DataInfo.Split> splits = new ArrayList<>();
        if (!p.train.isEmpty()) {
            splits.add(new DataInfo.Split("train", p.count(p.train), p.classCounts(p.train)));
        }
        if (!p.test.isEmpty()) {
            splits.add(new DataInfo.Split("test", p.count(p.test), p.classCounts(p.test)));
        }
        return new DataInfo(path.toString(), splits, p.names(), SIZE, SIZE, 3);
    }

    /** The decoded contents of one .bin file: labels, and pixels (N,32,32,3) unless skipped. */
    private record Part(int[] labels, byte[] pixels) {
    }

    /** Batches found in a source, keyed by file name so data_batch_1..5 concatenate in order. */
    private static final class Parts {
        final TreeMap<String, Part> train = new TreeMap<>();
        final TreeMap<String, Part> test = new TreeMap<>();
        final TreeMap<String, String> where = new TreeMap<>();
        List<String> meta;

        List<String> names() {
            return meta != null ? meta : LABELS;
        }

        int count(TreeMap<String, Part> m) {
            return m.values().stream().mapToInt(p -> p.labels.length).sum();
        }

        int[] classCounts(TreeMap<String, Part> m) {
            int[] c = new int[names().size()];
            for (Map.Entry<String, Part> e : m.entrySet()) {
                int[] labels = e.getValue().labels;
                for (int i = 0; i < labels.length; i++) {
                    if (labels[i] >= c.length) {
                        throw new FoveaException(where.get(e.getKey()) + ": record " + i
                                + " has label " + labels[i] + ", expected 0.." + (c.length - 1)
                                + " (" + c.length + " label names); the file is not CIFAR-10"
                                + " binary data or batches.meta.txt is incomplete");
                    }
                    c[labels[i]]++;
                }
            }
            return c;
        }

        Dataset dataset(TreeMap<String, Part> m) {
            classCounts(m); // validates labels with the file name in the message
            int n = count(m);
            byte[] px = new byte[n * 3 * PLANE];
            int[] labels = new int[n];
            int at = 0;
            for (Part p : m.values()) {
                System.arraycopy(p.pixels, 0, px, at * 3 * PLANE, p.pixels.length);
                System.arraycopy(p.labels, 0, labels, at, p.labels.length);
                at += p.labels.length;
            }
            return new Dataset(px, labels, names(), SIZE, SIZE, 3);
        }

        Splits splits(Path path) {
            if (train.isEmpty() && test.isEmpty()) {
                throw new FoveaException("no CIFAR-10 batches found in " + path
                        + ": expected data_batch_1.bin … data_batch_5.bin and test_batch.bin"
                        + " (the binary version, cifar-10-binary.tar.gz, not the Python one)");
            }
            if (train.isEmpty()) {
                // A lone test batch still works as a dataset (e.g. `data show test_batch.bin`).
                return new Splits(dataset(test), null, null);
            }
            return new Splits(dataset(train), test.isEmpty() ? null : dataset(test), "test");
        }
    }

    private static Parts read(Path path, boolean pixels) {
        if (!Files.exists(path)) {
            throw new FoveaException("CIFAR-10 data not found: " + path + " does not exist;"
                    + " pass cifar-10-binary.tar.gz, the cifar-10-batches-bin folder or a .bin"
                    + " batch file, or use --data cifar10 to download it");
        }
        Parts parts = new Parts();
        String lower = path.getFileName().toString().toLowerCase(Locale.ROOT);
        try {
            if (Files.isDirectory(path)) {
                Path dir = Files.isDirectory(path.resolve("cifar-10-batches-bin"))
                        ? path.resolve("cifar-10-batches-bin") : path;
                List<Path> files;
                try (Stream<Path> s = Files.list(dir)) {
                    files = s.sorted().toList();
                }
                for (Path f : files) {
                    try (InputStream in = Files.newInputStream(f)) {
                        accept(parts, f.getFileName().toString(), f.toString(), Files.size(f), in,
                                pixels);
                    }
                }
            } else if (lower.endsWith(".bin")) {
                try (InputStream in = Files.newInputStream(path)) {
                    String name = lower.startsWith("test_batch") ? lower : "data_batch_" + lower;
                    accept(parts, name, path.toString(), Files.size(path), in, pixels);
                }
            } else {
                readArchive(path, parts, pixels);
            }
        } catch (ZipException | java.io.EOFException e) {
            throw new FoveaException("cannot read " + path + " as a gzip-compressed tar archive ("
                    + e.getMessage() + "); the file is damaged or truncated: download it again,"
                    + " or pass the extracted cifar-10-batches-bin folder");
        } catch (IOException e) {
            throw new FoveaException("cannot read " + path + ": " + e.getMessage(), e);
        }
        return parts;
    }

    private static void readArchive(Path path, Parts parts, boolean pixels) throws IOException {
        // A big inflater buffer matters: inflating the 160 MB archive dominates `data info`.
        try (InputStream raw = new BufferedInputStream(Files.newInputStream(path), 1 << 16);
             TarArchiveInputStream tar = new TarArchiveInputStream(
                     new GZIPInputStream(raw, 1 << 16))) {
            TarArchiveEntry e;
            while ((e = tar.getNextEntry()) != null) {
                if (!e.isFile()) {
                    continue;
                }
                String entry = e.getName();
                String name = entry.substring(entry.lastIndexOf('/') + 1);
                accept(parts, name, path + "!/" + entry, e.getSize(), tar, pixels);
            }
        }
    }

    private static void accept(Parts parts, String name, String where, long size,
                               InputStream in, boolean pixels) throws IOException {
        if (name.equals("batches.meta.txt")) {
            List<String> names = new String(in.readAllBytes(), StandardCharsets.UTF_8).lines()
                    .map(String::strip).filter(s -> !s.isEmpty()).toList();
            if (names.isEmpty()) {
                throw new FoveaException(where + " holds no label names; expected one name per"
                        + " line (airplane, automobile, …)");
            }
            parts.meta = names;
            return;
        }
        boolean train = name.startsWith("data_batch") && name.endsWith(".bin");
        boolean test = name.startsWith("test_batch") && name.endsWith(".bin");
        if (!train && !test) {
            return;
        }
        if (size % RECORD != 0) {
            throw new FoveaException(where + " has " + size + " bytes, which is not a multiple"
                    + " of the 3,073-byte CIFAR-10 record (1 label + 3×32×32 pixels); "
                    + (size / RECORD) + " whole records and " + (size % RECORD)
                    + " bytes left over: the file is truncated or not CIFAR-10 binary data");
        }
        if (size / RECORD > Integer.MAX_VALUE / (3 * PLANE)) {
            throw new FoveaException(where + " has " + size + " bytes, too many records for"
                    + " one in-memory dataset");
        }
        parts.where.put(name, where);
        (train ? parts.train : parts.test).put(name, decode(in, (int) (size / RECORD), where,
                pixels));
    }

    /** Reads n records, converting planar R,G,B to interleaved (H,W,C) when pixels are kept. */
    private static Part decode(InputStream in, int n, String where, boolean pixels)
            throws IOException {
        int[] labels = new int[n];
        byte[] px = pixels ? new byte[n * 3 * PLANE] : null;
        byte[] buf = new byte[CHUNK_RECORDS * RECORD];
        for (int r0 = 0; r0 < n; r0 += CHUNK_RECORDS) {
            int k = Math.min(CHUNK_RECORDS, n - r0);
            int got = in.readNBytes(buf, 0, k * RECORD);
            if (got != k * RECORD) {
                throw new FoveaException(where + " ended after " + (r0 * (long) RECORD + got)
                        + " bytes, expected " + (n * (long) RECORD) + "; the file is truncated:"
                        + " download or extract it again");
            }
            for (int r = 0; r < k; r++) {
                int src = r * RECORD;
                labels[r0 + r] = buf[src] & 0xFF;
                if (px != null) {
                    int dst = (r0 + r) * 3 * PLANE;
                    for (int p = 0; p < PLANE; p++) {
                        px[dst + 3 * p] = buf[src + 1 + p];
                        px[dst + 3 * p + 1] = buf[src + 1 + PLANE + p];
                        px[dst + 3 * p + 2] = buf[src + 1 + 2 * PLANE + p];
                    }
                }
            }
        }
        return new Part(labels, px);
    }
}
