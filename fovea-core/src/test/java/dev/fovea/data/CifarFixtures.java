package dev.fovea.data;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/** Small synthetic CIFAR-10 binary files whose pixel values encode their position. */
final class CifarFixtures {
    private CifarFixtures() {
    }

    /** Pixel value of record r, channel ch, pixel p (row-major) in batch number b. */
    static int value(int b, int r, int ch, int p) {
        return (b * 37 + r * 11 + ch * 53 + p * 7) & 0xFF;
    }

    static byte[] batch(int b, int[] labels) {
        byte[] out = new byte[labels.length * Cifar10.RECORD];
        for (int r = 0; r < labels.length; r++) {
            int at = r * Cifar10.RECORD;
            out[at] = (byte) labels[r];
            for (int ch = 0; ch < 3; ch++) {
                for (int p = 0; p < 1024; p++) {
                    out[at + 1 + ch * 1024 + p] = (byte) value(b, r, ch, p);
                }
            }
        }
        return out;
    }

    /** data_batch_1 (labels 0,1,2), data_batch_2 (3,9), test_batch (4,4), optional meta. */
    static Map<String, byte[]> files(boolean meta) {
        Map<String, byte[]> m = new LinkedHashMap<>();
        if (meta) {
            m.put("batches.meta.txt", "a\nb\nc\nd\ne\nf\ng\nh\ni\nj\n\n"
                    .getBytes(StandardCharsets.UTF_8));
        }
        // Written out of order on purpose: batches must still concatenate as 1, 2.
        m.put("data_batch_2.bin", batch(2, new int[]{3, 9}));
        m.put("data_batch_1.bin", batch(1, new int[]{0, 1, 2}));
        m.put("test_batch.bin", batch(3, new int[]{4, 4}));
        return m;
    }

    static Path tarGz(Path dir, Map<String, byte[]> files) throws IOException {
        Path p = dir.resolve("cifar-10-binary.tar.gz");
        try (OutputStream os = new GZIPOutputStream(Files.newOutputStream(p));
             TarArchiveOutputStream tar = new TarArchiveOutputStream(os)) {
            TarArchiveEntry d = new TarArchiveEntry("cifar-10-batches-bin/");
            tar.putArchiveEntry(d);
            tar.closeArchiveEntry();
            for (Map.Entry<String, byte[]> e : files.entrySet()) {
                TarArchiveEntry t = new TarArchiveEntry("cifar-10-batches-bin/" + e.getKey());
                t.setSize(e.getValue().length);
                tar.putArchiveEntry(t);
                tar.write(e.getValue());
                tar.closeArchiveEntry();
            }
        }
        return p;
    }

    static Path folder(Path dir, Map<String, byte[]> files) throws IOException {
        Path bin = dir.resolve("cifar-10-batches-bin");
        Files.createDirectories(bin);
        for (Map.Entry<String, byte[]> e : files.entrySet()) {
            Files.write(bin.resolve(e.getKey()), e.getValue());
        }
        return bin;
    }
}
