package dev.fovea.io;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What a file that should be safetensors holds instead, from its first bytes, so that a wrong
 * file is reported as "not a model file: it is text (it begins '# Fovea')" rather than as a
 * header length of 747990572467626019 bytes, which is what the first 8 bytes of a README mean
 * when read as one. Recognizes only what people pass by mistake; it names formats, it does not
 * read them.
 */
final class FileKind {
    private static final int SNIFF = 64;

    private FileKind() {
    }

    /**
     * Null when {@code file} starts as a safetensors file does (a little-endian header length
     * of a possible size, then {@code '{'}) or cannot be read (the reader reports that); else a
     * description of what it is, e.g. {@code "text (it begins '# Fovea')"}.
     */
    static String notSafeTensors(Path file) {
        byte[] head;
        long size;
        try (InputStream in = Files.newInputStream(file)) {
            head = in.readNBytes(SNIFF);
            size = Files.size(file);
        } catch (IOException e) {
            return null;
        }
        if (head.length >= 9) {
            long n = ByteBuffer.wrap(head, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
            // A header that does not fit the file is a truncated safetensors file: the reader says so.
            if (n >= 2 && n <= SafeTensors.MAX_HEADER_BYTES && head[8] == '{') {
                return null;
            }
        }
        return describe(head, size);
    }

    private static String describe(byte[] h, long size) {
        if (size == 0) {
            return "empty";
        }
        if (starts(h, 0x89, 'P', 'N', 'G') || starts(h, 0xFF, 0xD8, 0xFF) || starts(h, 'G', 'I', 'F', '8')
                || starts(h, 'B', 'M')) {
            return "an image";
        }
        if (starts(h, 0x89, 'H', 'D', 'F')) {
            return "an HDF5 file";
        }
        if (starts(h, 'P', 'K', 3, 4)) {
            return "a zip archive";
        }
        if (starts(h, 0x1F, 0x8B)) {
            return "a gzip archive";
        }
        if (isText(h)) {
            String text = new String(h, StandardCharsets.UTF_8).replace('\uFFFD', ' ').strip();
            String first = text.lines().findFirst().orElse("").strip();
            if (first.length() > 24) {
                first = first.substring(0, 24) + "…";
            }
            return "text" + (first.isEmpty() ? "" : " (it begins '" + first + "')");
        }
        return "not a format Fovea knows (" + size + " bytes)";
    }

    private static boolean starts(byte[] h, int... magic) {
        if (h.length < magic.length) {
            return false;
        }
        for (int i = 0; i < magic.length; i++) {
            if ((h[i] & 0xFF) != magic[i]) {
                return false;
            }
        }
        return true;
    }

    /** No control bytes but tab, CR and LF: text in any ASCII-compatible encoding. */
    private static boolean isText(byte[] h) {
        for (byte b : h) {
            int c = b & 0xFF;
            if (c < 0x20 && c != '\t' && c != '\n' && c != '\r' || c == 0x7F) {
                return false;
            }
        }
        return true;
    }
}
