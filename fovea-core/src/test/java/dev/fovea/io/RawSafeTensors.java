package dev.fovea.io;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Test-side safetensors plumbing independent of {@link SafeTensors}: builds raw (possibly
 * malformed) files byte by byte, and parses files with a plain ByteBuffer and a Jackson tree
 * so tests can cross-check the reader and the writer against a second implementation.
 */
final class RawSafeTensors {
    private RawSafeTensors() {
    }

    /** 8-byte little-endian {@code declaredLength}, then {@code header} bytes, then {@code data}. */
    static Path build(Path dir, String name, long declaredLength, byte[] header, byte[] data) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(declaredLength).array());
        out.write(header);
        out.write(data);
        Path p = dir.resolve(name);
        Files.write(p, out.toByteArray());
        return p;
    }

    /** A well-framed file: the header's real length is declared. */
    static Path build(Path dir, String name, String headerJson, byte[] data) throws IOException {
        byte[] h = headerJson.getBytes(StandardCharsets.UTF_8);
        return build(dir, name, h.length, h, data);
    }

    /** The parsed JSON header of a file's bytes. */
    static JsonNode header(byte[] file) throws IOException {
        long n = ByteBuffer.wrap(file, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        return new ObjectMapper().readTree(new String(file, 8, (int) n, StandardCharsets.UTF_8));
    }

    static JsonNode header(Path p) throws IOException {
        return header(Files.readAllBytes(p));
    }

    /** The data section of a file's bytes, little-endian. */
    static ByteBuffer data(byte[] file) {
        long n = ByteBuffer.wrap(file, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        return ByteBuffer.wrap(file, 8 + (int) n, file.length - 8 - (int) n).slice().order(ByteOrder.LITTLE_ENDIAN);
    }

    static ByteBuffer data(Path p) throws IOException {
        return data(Files.readAllBytes(p));
    }

    /** Header length as declared in the first 8 bytes. */
    static long headerLength(Path p) throws IOException {
        byte[] first = new byte[8];
        try (var in = Files.newInputStream(p)) {
            in.readNBytes(first, 0, 8);
        }
        return ByteBuffer.wrap(first).order(ByteOrder.LITTLE_ENDIAN).getLong();
    }
}
