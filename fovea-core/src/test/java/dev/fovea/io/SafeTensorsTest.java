package dev.fovea.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fovea.FoveaException;
import dev.fovea.tensor.Shape;
import dev.fovea.tensor.Tensor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafeTensorsTest {
    @TempDir
    Path dir;

    @Test
    void roundTripOfWrittenDtypesAndMetadata() throws IOException {
        float[] kernel = new float[3 * 2 * 4];
        for (int i = 0; i < kernel.length; i++) {
            kernel[i] = (i - 7) * 0.37f;
        }
        kernel[5] = Float.MIN_VALUE;
        kernel[6] = -0.0f;
        kernel[7] = Float.MAX_VALUE;
        long[] counters = {0, -1, Long.MAX_VALUE, Long.MIN_VALUE, 123_456_789_012L};
        byte[] pixels = {0, 1, 127, (byte) 128, (byte) 255, 42};
        Path p = dir.resolve("model.safetensors");
        SafeTensors.writer()
                .metadata("format", "fovea")
                .metadata("config", "{\"layers\": [\"conv2d\"], \"ünïcode\": \"✓\"}")
                .put("conv2d/kernel", new Tensor(Shape.of(3, 2, 4), kernel))
                .putLongs("step", counters)
                .putBytes("images", Shape.of(1, 2, 3), pixels)
                .put("scalar", new Tensor(Shape.of(), new float[] {2.5f}))
                .put("empty", new Tensor(Shape.of(0, 3), new float[0]))
                .write(p);

        SafeTensors st = SafeTensors.read(p);
        assertEquals(Map.of("format", "fovea", "config", "{\"layers\": [\"conv2d\"], \"ünïcode\": \"✓\"}"), st.metadata());
        assertEquals(List.of("conv2d/kernel", "step", "images", "scalar", "empty"), st.names());
        assertEquals(Shape.of(3, 2, 4), st.shape("conv2d/kernel"));
        assertEquals(SafeTensors.DType.F32, st.dtype("conv2d/kernel"));
        assertArrayEquals(kernel, st.floats("conv2d/kernel"));
        assertEquals(Shape.of(3, 2, 4), st.tensor("conv2d/kernel").shape());
        assertEquals(SafeTensors.DType.I64, st.dtype("step"));
        assertEquals(Shape.of(5), st.shape("step"));
        assertArrayEquals(counters, st.longs("step"));
        assertEquals(SafeTensors.DType.U8, st.dtype("images"));
        assertArrayEquals(pixels, st.bytes("images"));
        assertArrayEquals(new long[] {0, 1, 127, 128, 255, 42}, st.longs("images"));
        assertArrayEquals(new float[] {0, 1, 127, 128, 255, 42}, st.floats("images"));
        assertEquals(Shape.of(), st.shape("scalar"));
        assertArrayEquals(new float[] {2.5f}, st.floats("scalar"));
        assertEquals(0, st.floats("empty").length);
        assertTrue(st.has("step"));
        assertFalse(st.has("missing"));
    }

    @Test
    void writtenLayoutMatchesTheFormatByIndependentParse() throws IOException {
        Path p = dir.resolve("layout.safetensors");
        SafeTensors.writer().metadata("k", "v")
                .put("a", new Tensor(Shape.of(3), new float[] {1, -2, 3.5f}))
                .putBytes("b", Shape.of(5), new byte[] {9, 8, 7, 6, 5})
                .putLongs("c", new long[] {-7, 1L << 40})
                .write(p);
        long n = RawSafeTensors.headerLength(p);
        assertEquals(0, n % 8, "header padded to a multiple of 8");
        byte[] all = Files.readAllBytes(p);
        assertEquals(' ', all[8 + (int) n - 1], "padding is spaces");
        JsonNode h = RawSafeTensors.header(p);
        List<String> keys = new ArrayList<>();
        h.fieldNames().forEachRemaining(keys::add);
        assertEquals(List.of("__metadata__", "a", "b", "c"), keys);
        assertEquals("F32", h.get("a").get("dtype").asText());
        assertEquals("[0,12]", h.get("a").get("data_offsets").toString());
        assertEquals("U8", h.get("b").get("dtype").asText());
        assertEquals("[12,17]", h.get("b").get("data_offsets").toString());
        assertEquals("I64", h.get("c").get("dtype").asText());
        assertEquals("[17,33]", h.get("c").get("data_offsets").toString());
        assertEquals("[2]", h.get("c").get("shape").toString());
        ByteBuffer data = RawSafeTensors.data(p);
        assertEquals(33, data.remaining(), "no bytes after the last tensor");
        assertEquals(3.5f, data.getFloat(8));
        assertEquals(6, data.get(15));
        assertEquals(1L << 40, data.getLong(25));
    }

    @Test
    void readsF64AndI32WrittenByHand() throws IOException {
        ByteBuffer b = ByteBuffer.allocate(8 * 2 + 4 * 3).order(ByteOrder.LITTLE_ENDIAN);
        b.putDouble(0.1).putDouble(-1e300).putInt(-5).putInt(0).putInt(Integer.MAX_VALUE);
        Path p = RawSafeTensors.build(dir, "mixed.safetensors",
                "{\"d\":{\"dtype\":\"F64\",\"shape\":[2],\"data_offsets\":[0,16]},"
                        + "\"i\":{\"dtype\":\"I32\",\"shape\":[1,3],\"data_offsets\":[16,28]}}", b.array());
        SafeTensors st = SafeTensors.read(p);
        assertTrue(st.metadata().isEmpty());
        assertArrayEquals(new float[] {0.1f, Float.NEGATIVE_INFINITY}, st.floats("d"));
        assertArrayEquals(new long[] {-5, 0, Integer.MAX_VALUE}, st.longs("i"));
        assertArrayEquals(new float[] {-5, 0, Integer.MAX_VALUE}, st.floats("i"));
    }

    @Test
    void accessorsRejectMissingNamesAndWrongDtypes() throws IOException {
        Path p = dir.resolve("w.safetensors");
        SafeTensors.writer().put("x", new Tensor(Shape.of(1), new float[] {1})).write(p);
        SafeTensors st = SafeTensors.read(p);
        FoveaException e = assertThrows(FoveaException.class, () -> st.floats("y"));
        assertEquals(p + ": no tensor 'y'; the file holds: x", e.getMessage());
        e = assertThrows(FoveaException.class, () -> st.longs("x"));
        assertTrue(e.getMessage().contains("tensor 'x' is F32; longs() reads integer tensors"), e.getMessage());
        e = assertThrows(FoveaException.class, () -> st.bytes("x"));
        assertTrue(e.getMessage().contains("tensor 'x' is F32; bytes() reads U8 tensors only"), e.getMessage());
    }

    @Test
    void writerRejectsDuplicateAndReservedNames() {
        SafeTensors.Writer w = SafeTensors.writer().put("x", Tensor.zeros(1));
        assertThrows(IllegalArgumentException.class, () -> w.put("x", Tensor.zeros(2)));
        assertThrows(IllegalArgumentException.class, () -> w.putLongs("__metadata__", new long[1]));
        assertThrows(IllegalArgumentException.class, () -> w.putBytes("b", Shape.of(2, 2), new byte[3]));
    }

    @Test
    void writeOverwritesAndReportsUnwritableFolder() {
        Path p = dir.resolve("over.safetensors");
        SafeTensors.writer().put("x", Tensor.zeros(100)).write(p);
        SafeTensors.writer().put("y", new Tensor(Shape.of(1), new float[] {4})).write(p);
        assertEquals(List.of("y"), SafeTensors.read(p).names());
        Path bad = dir.resolve("no/such/folder/m.safetensors");
        FoveaException e = assertThrows(FoveaException.class, () -> SafeTensors.writer().write(bad));
        assertTrue(e.getMessage().startsWith(bad + ": cannot write (its folder does not exist)"), e.getMessage());
    }

    @Test
    void largeTensorCrossesTheWriteBufferBoundary() {
        // 50,000 floats and longs span several 64 KiB conversion chunks, with a partial last one.
        float[] f = new float[50_000];
        long[] l = new long[50_000];
        for (int i = 0; i < f.length; i++) {
            f[i] = i * 0.5f - 3;
            l[i] = (long) i * i - 17;
        }
        Path p = dir.resolve("big.safetensors");
        SafeTensors.writer().put("f", new Tensor(Shape.of(250, 200), f)).putLongs("l", l).write(p);
        SafeTensors st = SafeTensors.read(p);
        assertArrayEquals(f, st.floats("f"));
        assertArrayEquals(l, st.longs("l"));
    }
}
