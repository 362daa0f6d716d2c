package dev.fovea.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fovea.FoveaException;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every malformed file is refused with a FoveaException naming the file and the exact problem. */
class SafeTensorsMalformedTest {
    @TempDir
    Path dir;

    private static final String A = "\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}";

    static Stream<Arguments> badHeaders() {
        return Stream.of(
                Arguments.of("not JSON", "{\"a\": ", 0,
                        "header is not valid JSON: Unexpected end-of-input"),
                Arguments.of("two documents", "{} {}", 0,
                        "header is not valid JSON: Trailing token"),
                Arguments.of("duplicate names", "{" + A + "," + A + "}", 8,
                        "header is not valid JSON: Duplicate field 'a'"),
                Arguments.of("array header", "[1, 2]", 0,
                        "header is a JSON array ([1,2]), expected a JSON object"),
                Arguments.of("empty header", "", 0,
                        "header is empty, expected a JSON object"),
                Arguments.of("metadata not an object", "{\"__metadata__\": [\"x\"]}", 0,
                        "__metadata__ is a JSON array ([\"x\"]), expected an object of strings"),
                Arguments.of("metadata value not a string", "{\"__metadata__\": {\"epochs\": 3}}", 0,
                        "__metadata__ value 'epochs' is a JSON number (3), expected a string"),
                Arguments.of("entry not an object", "{\"a\": 5}", 0,
                        "tensor 'a' is described by a JSON number (5), expected an object"),
                Arguments.of("missing dtype", "{\"a\":{\"shape\":[2],\"data_offsets\":[0,8]}}", 8,
                        "tensor 'a' has no 'dtype'"),
                Arguments.of("missing shape", "{\"a\":{\"dtype\":\"F32\",\"data_offsets\":[0,8]}}", 8,
                        "tensor 'a' has no 'shape'"),
                Arguments.of("missing offsets", "{\"a\":{\"dtype\":\"F32\",\"shape\":[2]}}", 8,
                        "tensor 'a' has no 'data_offsets'"),
                Arguments.of("unknown dtype", "{\"a\":{\"dtype\":\"BF16\",\"shape\":[4],\"data_offsets\":[0,8]}}", 8,
                        "tensor 'a' has dtype \"BF16\", which Fovea does not read; supported: F32, F64, I32, I64, U8"),
                Arguments.of("shape not a list", "{\"a\":{\"dtype\":\"F32\",\"shape\":2,\"data_offsets\":[0,8]}}", 8,
                        "tensor 'a' has shape 2, expected a list of dimensions"),
                Arguments.of("negative dimension", "{\"a\":{\"dtype\":\"F32\",\"shape\":[-2,3],\"data_offsets\":[0,8]}}", 8,
                        "tensor 'a' has shape [-2,3] whose dimension 0 (-2) is not an integer in [0, 2^31-1]"),
                Arguments.of("fractional dimension", "{\"a\":{\"dtype\":\"F32\",\"shape\":[2.5],\"data_offsets\":[0,8]}}", 8,
                        "whose dimension 0 (2.5) is not an integer"),
                Arguments.of("too many elements", "{\"a\":{\"dtype\":\"U8\",\"shape\":[65536,65536],\"data_offsets\":[0,8]}}", 8,
                        "tensor 'a' has shape [65536,65536] with more than 2^31-1 elements"),
                Arguments.of("one offset", "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8]}}", 8,
                        "tensor 'a' has data_offsets [8], expected [begin, end] with non-negative integers"),
                Arguments.of("negative offset", "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[-8,0]}}", 8,
                        "tensor 'a' has data_offsets [-8,0], expected [begin, end]"),
                Arguments.of("begin after end", "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,4]}}", 8,
                        "tensor 'a' has data_offsets [8, 4] with begin after end"),
                Arguments.of("offsets out of range", "{\"a\":{\"dtype\":\"F32\",\"shape\":[100],\"data_offsets\":[0,400]}}", 16,
                        "tensor 'a' has data_offsets [0, 400] past the end of the data section (16 bytes)"),
                Arguments.of("huge offsets", "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[9223372036854775803,9223372036854775807]}}", 8,
                        "past the end of the data section (8 bytes)"),
                Arguments.of("size mismatch", "{\"dense/kernel\":{\"dtype\":\"F32\",\"shape\":[20,10],\"data_offsets\":[0,4000]}}", 4000,
                        "tensor 'dense/kernel' has data_offsets [0, 4000] but shape (20, 10) of F32 needs 800 bytes"),
                Arguments.of("overlap", "{" + A + ",\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}", 12,
                        "tensors 'a' [0, 8] and 'b' [4, 12] overlap"),
                Arguments.of("hole", "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
                                + "\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,12]}}", 12,
                        "bytes [4, 8) of the data section belong to no tensor"),
                Arguments.of("trailing bytes", "{" + A + "}", 20,
                        "data section is 20 bytes but the tensors cover only 8; the file has trailing bytes"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badHeaders")
    void malformedHeaderIsRejected(String label, String header, int dataLength, String problem) throws IOException {
        Path p = RawSafeTensors.build(dir, "model.safetensors", header, new byte[dataLength]);
        assertRejected(p, problem);
    }

    @Test
    void fileShorterThanTheLengthField() throws IOException {
        Path p = dir.resolve("short.safetensors");
        Files.write(p, new byte[] {1, 0, 0, 0, 0});
        assertRejected(p, "file is 5 bytes long, too short for the 8-byte header length");
    }

    @Test
    void headerLengthPastTheEnd() throws IOException {
        Path p = RawSafeTensors.build(dir, "cut.safetensors", 1000, "{}".getBytes(), new byte[0]);
        assertRejected(p, "header length field says 1000 bytes but only 2 bytes follow it");
    }

    @Test
    void headerLengthAbsurd() throws IOException {
        // -1 as a u64 is 2^64-1: read naively as a signed long it would pass a "> size" check.
        Path p = RawSafeTensors.build(dir, "lie.safetensors", -1L, "{}".getBytes(), new byte[0]);
        assertRejected(p, "header length field says 18446744073709551615 bytes but only 2 bytes follow it");
        Path q = RawSafeTensors.build(dir, "lie2.safetensors", 1L << 40, "{}".getBytes(), new byte[0]);
        assertRejected(q, "header length field says 1099511627776 bytes but only 2 bytes follow it");
    }

    @Test
    void headerLongerThanTheLimitIsRefusedBeforeAllocation() throws IOException {
        // A sparse 128 MB file: costs no disk, and the reader must refuse before reading it.
        Path p = dir.resolve("sparse.safetensors");
        try (RandomAccessFile f = new RandomAccessFile(p.toFile(), "rw")) {
            f.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(120_000_000L).array());
            f.setLength(128_000_000L);
        }
        assertRejected(p, "header length 120000000 bytes exceeds the limit of 100000000 bytes");
    }

    @Test
    void headerNotUtf8() throws IOException {
        byte[] h = {'{', '"', (byte) 0xFF, '"', ':', '1', '}', ' '};
        Path p = RawSafeTensors.build(dir, "latin.safetensors", h.length, h, new byte[0]);
        assertRejected(p, "header is not valid UTF-8");
    }

    @Test
    void missingFile() {
        assertRejected(dir.resolve("absent.safetensors"), "no such file");
    }

    private static void assertRejected(Path p, String problem) {
        FoveaException e = assertThrows(FoveaException.class, () -> SafeTensors.read(p));
        String m = e.getMessage();
        assertTrue(m.startsWith(p + ": "), "names the file: " + m);
        assertTrue(m.contains(problem), "expected «" + problem + "» in: " + m);
        assertEquals(-1, m.indexOf('\n'), "one line: " + m);
    }
}
