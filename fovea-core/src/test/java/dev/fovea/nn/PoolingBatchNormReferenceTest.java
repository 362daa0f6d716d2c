package dev.fovea.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fovea.tensor.Rng;
import dev.fovea.tensor.Shape;
import dev.fovea.tensor.Tensor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The PyTorch cases {@code shared/reference/ops/01[0-8]_*.safetensors} (float64 results
 * stored as float32): pooling and batch normalization layers must reproduce y, dx and, for batch
 * normalization, dγ, dβ, the moving statistics after one step and the inference output.
 */
class PoolingBatchNormReferenceTest {
    private static final Path OPS = dev.fovea.io.ReferenceFiles.dir();

    @Test
    void maxPoolingMatchesPyTorch() throws IOException {
        for (String f : new String[]{"010_max_pool2d", "011_max_pool2d", "012_max_pool2d"}) {
            Case c = Case.read(f);
            int p = c.intMeta("pool_size");
            int s = c.intMeta("strides");
            assertEquals("valid", c.meta.get("padding"));
            checkPool(c, new MaxPooling2D(PoolWindow.of(p).strides(s)));
        }
    }

    @Test
    void averagePoolingMatchesPyTorch() throws IOException {
        for (String f : new String[]{"013_avg_pool2d", "014_avg_pool2d"}) {
            Case c = Case.read(f);
            int p = c.intMeta("pool_size");
            int s = c.intMeta("strides");
            assertEquals("valid", c.meta.get("padding"));
            checkPool(c, new AveragePooling2D(PoolWindow.of(p).strides(s)));
        }
    }

    @Test
    void globalPoolingMatchesPyTorch() throws IOException {
        checkPool(Case.read("015_global_max_pool2d"), new GlobalMaxPooling2D());
        checkPool(Case.read("016_global_avg_pool2d"), new GlobalAveragePooling2D());
    }

    @Test
    void batchNormalizationMatchesPyTorch() throws IOException {
        for (String f : new String[]{"017_batch_normalization", "018_batch_normalization"}) {
            Case c = Case.read(f);
            BatchNormalization bn = new BatchNormalization(BatchNormalization.Config.defaults()
                    .momentum(Float.parseFloat(c.meta.get("momentum")))
                    .epsilon(Float.parseFloat(c.meta.get("epsilon"))));
            Tensor x = c.tensor("x");
            bn.build(x.shape().dropFirst(), new Rng(0));
            Map<String, Param> ps = new HashMap<>();
            for (Param p : bn.params()) {
                ps.put(p.name(), p);
                System.arraycopy(c.tensor(p.name()).data(), 0, p.value(), 0, p.size());
            }
            close(c.tensor("y_inference").data(), bn.forward(x, false).data(), f + " y_inference");
            close(c.tensor("y").data(), bn.forward(x, true).data(), f + " y");
            close(c.tensor("moving_mean_after").data(), ps.get("moving_mean").value(), f + " moving_mean");
            close(c.tensor("moving_variance_after").data(), ps.get("moving_variance").value(), f + " moving_variance");
            close(c.tensor("dx").data(), bn.backward(c.tensor("dy")).data(), f + " dx");
            close(c.tensor("dgamma").data(), ps.get("gamma").grad(), f + " dgamma");
            close(c.tensor("dbeta").data(), ps.get("beta").grad(), f + " dbeta");
        }
    }

    private static void checkPool(Case c, Layer layer) {
        Tensor x = c.tensor("x");
        layer.build(x.shape().dropFirst(), new Rng(0));
        Tensor y = layer.forward(x, true);
        assertEquals(c.tensor("y").shape(), y.shape(), c.name);
        close(c.tensor("y").data(), y.data(), c.name + " y");
        close(c.tensor("dx").data(), layer.backward(c.tensor("dy")).data(), c.name + " dx");
    }

    private static void close(float[] want, float[] got, String what) {
        assertEquals(want.length, got.length, what);
        for (int i = 0; i < want.length; i++) {
            float b = want[i];
            assertTrue(Math.abs(got[i] - b) <= 1e-4 + 1e-3 * Math.abs(b),
                    what + "[" + i + "]: expected " + b + ", received " + got[i]);
        }
    }

    /**
     * A minimal safetensors reader for these F32 cases (the library's reader lives in io):
     * 8-byte little-endian header length, JSON header, data offsets relative to the data start.
     */
    private record Case(String name, Map<String, String> meta, Map<String, Tensor> tensors) {
        static Case read(String name) throws IOException {
            byte[] bytes = Files.readAllBytes(OPS.resolve(name + ".safetensors"));
            ByteBuffer buf = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
            int headerLen = (int) buf.getLong(0);
            JsonNode header = new ObjectMapper().readTree(new String(bytes, 8, headerLen, StandardCharsets.UTF_8));
            int dataStart = 8 + headerLen;
            Map<String, String> meta = new HashMap<>();
            Map<String, Tensor> tensors = new HashMap<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = header.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                JsonNode v = e.getValue();
                if (e.getKey().equals("__metadata__")) {
                    v.fields().forEachRemaining(m -> meta.put(m.getKey(), m.getValue().asText()));
                    continue;
                }
                assertEquals("F32", v.get("dtype").asText(), name + "/" + e.getKey());
                int[] dims = new int[v.get("shape").size()];
                for (int i = 0; i < dims.length; i++) {
                    dims[i] = v.get("shape").get(i).asInt();
                }
                int begin = dataStart + v.get("data_offsets").get(0).asInt();
                int end = dataStart + v.get("data_offsets").get(1).asInt();
                float[] data = new float[(end - begin) / 4];
                for (int i = 0; i < data.length; i++) {
                    data[i] = buf.getFloat(begin + 4 * i);
                }
                tensors.put(e.getKey(), new Tensor(Shape.of(dims), data));
            }
            return new Case(name, meta, tensors);
        }

        Tensor tensor(String key) {
            Tensor t = tensors.get(key);
            assertTrue(t != null, name + " has no tensor " + key);
            return t;
        }

        int intMeta(String key) {
            return Integer.parseInt(meta.get(key));
        }
    }
}
