package dev.fovea.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fovea.FoveaException;
import dev.fovea.tensor.Shape;
import dev.fovea.tensor.Tensor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReferenceCaseTest {
    @TempDir
    Path dir;

    /** Every shipped case loads, and names, shapes and values agree with an independent parse. */
    @Test
    void everyReferenceFileMatchesAnIndependentParse() throws IOException {
        List<Path> files = ReferenceCase.list(ReferenceFiles.dir());
        assertTrue(files.size() >= 22, "found " + files.size() + " cases in " + ReferenceFiles.dir());
        for (Path p : files) {
            ReferenceCase c = ReferenceCase.load(p);
            byte[] bytes = Files.readAllBytes(p);
            JsonNode raw = RawSafeTensors.header(bytes);
            ByteBuffer data = RawSafeTensors.data(bytes);
            assertEquals(raw.get("__metadata__").get("op").asText(), c.op(), p.toString());
            assertTrue(c.name().endsWith("_" + c.op()), "file name carries the op: " + c.name());
            List<String> rawNames = new ArrayList<>();
            raw.fieldNames().forEachRemaining(n -> {
                if (!n.equals("__metadata__")) {
                    rawNames.add(n);
                }
            });
            assertEquals(rawNames, c.names(), p.toString());
            for (String n : rawNames) {
                JsonNode e = raw.get(n);
                int[] dims = new int[e.get("shape").size()];
                for (int i = 0; i < dims.length; i++) {
                    dims[i] = e.get("shape").get(i).intValue();
                }
                assertEquals(Shape.of(dims), c.shape(n), p + " " + n);
                float[] v = c.floats(n);
                assertEquals(Shape.of(dims).size(), v.length);
                assertEquals("F32", e.get("dtype").asText());
                int begin = e.get("data_offsets").get(0).intValue();
                assertEquals(begin + 4L * v.length, e.get("data_offsets").get(1).longValue());
                // first, middle and last element through the raw offsets
                for (int i : new int[] {0, v.length / 2, v.length - 1}) {
                    assertEquals(data.getFloat(begin + 4 * i), v[i], p + " " + n + "[" + i + "]");
                }
            }
        }
    }

    @Test
    void settingsOfShippedCases() {
        Path ops = ReferenceFiles.dir();
        ReferenceCase conv = ReferenceCase.load(ops.resolve("003_conv2d.safetensors"));
        assertEquals("conv2d", conv.op());
        assertEquals("003_conv2d", conv.name());
        assertEquals(2, conv.intSetting("strides"));
        assertArrayEquals(new int[] {2, 2}, conv.pair("strides"));
        assertArrayEquals(new int[] {3, 3}, conv.pair("kernel_size"));
        assertEquals(6, conv.intSetting("filters"));
        assertEquals("valid", conv.stringSetting("padding"));
        assertEquals(Shape.of(2, 9, 9, 4), conv.shape("x"));
        assertEquals(Shape.of(3, 3, 4, 6), conv.tensor("kernel").shape());
        assertEquals(1, conv.intSetting("dilation_rate", 1), "absent setting takes the default");

        ReferenceCase bn = ReferenceCase.load(ops.resolve("017_batch_normalization.safetensors"));
        assertEquals(0.001f, bn.floatSetting("epsilon"));
        assertEquals(0.99f, bn.floatSetting("momentum"));

        ReferenceCase ce = ReferenceCase.load(ops.resolve("020_dense_softmax_cross_entropy.safetensors"));
        assertEquals(0.2f, ce.floatSetting("label_smoothing"));
        int[] labels = ce.labels("labels");
        float[] raw = ce.floats("labels");
        assertEquals(raw.length, labels.length);
        for (int i = 0; i < labels.length; i++) {
            assertEquals(raw[i], labels[i]);
            assertTrue(labels[i] >= 0 && labels[i] < 10);
        }
    }

    @Test
    void settingFormsAndErrors() {
        Path p = dir.resolve("099_max_pool2d.safetensors");
        SafeTensors.writer()
                .metadata("op", "max_pool2d")
                .metadata("a", "2").metadata("b", "[2, 3]").metadata("c", "(4, 4)").metadata("d", "2,5")
                .metadata("e", " ( 7, ) ").metadata("f", "1, 2, 3").metadata("g", "two").metadata("h", "1e-3")
                .put("labels", new Tensor(Shape.of(3), new float[] {0, 2.5f, 1}))
                .write(p);
        ReferenceCase c = ReferenceCase.load(p);
        assertArrayEquals(new int[] {2, 2}, c.pair("a"));
        assertArrayEquals(new int[] {2, 3}, c.pair("b"));
        assertArrayEquals(new int[] {4, 4}, c.pair("c"));
        assertEquals(4, c.intSetting("c"));
        assertArrayEquals(new int[] {2, 5}, c.pair("d"));
        assertArrayEquals(new int[] {7, 7}, c.pair("e"));
        assertArrayEquals(new int[] {1, 2, 3}, c.ints("f"));
        assertArrayEquals(new int[] {3, 3}, c.pair("absent", 3));
        assertEquals(0.001f, c.floatSetting("h"));
        assertEquals(0.5f, c.floatSetting("absent", 0.5f));
        assertEquals("x", c.stringSetting("absent", "x"));

        assertProblem(() -> c.intSetting("b"), p + ": setting 'b' is \"[2, 3]\", expected a single integer");
        assertProblem(() -> c.pair("f"), p + ": setting 'f' is \"1, 2, 3\", expected one or two integers");
        assertProblem(() -> c.intSetting("g"), p + ": setting 'g' is \"two\", expected an integer or a list");
        assertProblem(() -> c.floatSetting("g"), p + ": setting 'g' is \"two\", expected a number");
        assertProblem(() -> c.stringSetting("zz"), p + ": has no setting 'zz'");
        assertProblem(() -> c.labels("labels"), p + ": tensor 'labels' holds 2.5 at index 1, expected whole-number labels");
    }

    @Test
    void fileWithoutOpIsNotACase() {
        Path p = dir.resolve("plain.safetensors");
        SafeTensors.writer().metadata("format", "fovea").put("x", Tensor.zeros(1)).write(p);
        assertProblem(() -> ReferenceCase.load(p), p + ": no 'op' in __metadata__ (found keys [format])");
        assertProblem(() -> ReferenceCase.list(dir.resolve("nope")), dir.resolve("nope") + ": not a folder");
    }

    private static void assertProblem(org.junit.jupiter.api.function.Executable body, String start) {
        FoveaException e = assertThrows(FoveaException.class, body);
        assertTrue(e.getMessage().startsWith(start), "expected «" + start + "» at the start of: " + e.getMessage());
    }
}
