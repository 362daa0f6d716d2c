package dev.fovea.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fovea.data.Augmentation;
import dev.fovea.data.Dataset;
import dev.fovea.data.Normalization;
import dev.fovea.io.ModelFile;
import dev.fovea.loss.SparseCategoricalCrossentropy;
import dev.fovea.metric.Accuracy;
import dev.fovea.nn.ActivationFunction;
import dev.fovea.nn.Dense;
import dev.fovea.nn.Flatten;
import dev.fovea.nn.Input;
import dev.fovea.nn.Model;
import dev.fovea.optim.Adam;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A model trained through the Java API alone carries its provenance in the model file. */
class ProvenanceTest {
    static Dataset data(int n) {
        byte[] img = new byte[n * 4 * 4 * 3];
        int[] labels = new int[n];
        for (int i = 0; i < img.length; i++) {
            img[i] = (byte) (i * 37 + 11);
        }
        for (int i = 0; i < n; i++) {
            labels[i] = i % 3;
        }
        return new Dataset(img, labels, List.of("a", "b", "c"), 4, 4, 3);
    }

    /** Independent of Dataset.sha256: the documented definition, images then 4-byte big-endian labels. */
    static String sha256(Dataset d) throws Exception {
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        md.update(d.images());
        for (int l : d.labels()) {
            md.update(ByteBuffer.allocate(4).putInt(l).array());
        }
        return HexFormat.of().formatHex(md.digest());
    }

    @Test
    void modelSavedAfterFitCarriesSeedVersionsDataHashOptimizerAndFitOptions(@TempDir Path tmp) throws Exception {
        var in = Input.of(4, 4, 3);
        Model m = Model.of(in, new Dense(3, ActivationFunction.SOFTMAX).apply(new Flatten().apply(in)));
        m.initialize(1);
        Trainer t = new Trainer(m, new Adam(0.003), new SparseCategoricalCrossentropy(), new Accuracy());
        t.setInfo(new ModelFile.Info(List.of("a", "b", "c"), Map.of("scale", 1.0 / 255), Map.of("note", "kept")));
        Dataset d = data(20);
        Dataset val = data(6);
        t.fit(new DataFeed(d, new Augmentation(0.1f, 0f, true), Normalization.scale(3), 42),
                new FitOptions().epochs(2).batchSize(8).verbose(0).shuffle(false)
                        .validation(DataFeed.plain(val, Normalization.scale(3))));
        Path f = tmp.resolve("m.safetensors");
        ModelFile.save(f, m, t.info());

        Map<String, Object> p = ModelFile.load(f).info().provenance();
        assertEquals("kept", p.get("note"), "keys set before fit stay");
        assertEquals(42, ((Number) p.get("seed")).intValue());
        assertEquals(System.getProperty("java.version"), p.get("java_version"));
        assertEquals(System.getProperty("java.vendor"), p.get("java_vendor"));
        assertEquals(jdk.incubator.vector.FloatVector.SPECIES_PREFERRED.vectorBitSize(),
                ((Number) p.get("vector_bits")).intValue());
        assertFalse(String.valueOf(p.get("fovea_version")).isBlank());
        assertEquals(sha256(d), p.get("data_used_sha256"));
        assertEquals(System.getProperty("os.arch"), p.get("os_arch"));
        assertEquals(dev.fovea.kernel.Vectors.tileSet(), p.get("register_tiles"));
        assertEquals(20, ((Number) p.get("images")).intValue());
        assertEquals("adam", p.get("optimizer"));
        assertEquals(0.003, ((Number) p.get("learning_rate")).doubleValue(), 1e-12);
        assertEquals(8, ((Number) p.get("batch_size")).intValue());
        assertEquals(2, ((Number) p.get("epochs")).intValue());
        assertEquals(false, p.get("shuffle"));
        assertEquals("data of 6 samples", p.get("validation"));
        assertEquals("sparse_categorical_crossentropy", p.get("loss"));
        assertEquals(List.of("accuracy"), p.get("metrics"));
        @SuppressWarnings("unchecked")
        Map<String, Object> aug = (Map<String, Object>) p.get("augmentation");
        assertEquals(0.1, ((Number) aug.get("width_shift_range")).doubleValue(), 1e-6);
        assertEquals(true, aug.get("horizontal_flip"));
        assertEquals("nearest", aug.get("fill_mode"));

        // A second fit continues: the total epochs grow, an unaugmented feed says so.
        t.fit(new DataFeed(d, Augmentation.none(), Normalization.scale(3), 42),
                new FitOptions().epochs(1).batchSize(4).verbose(0));
        assertEquals(3, ((Number) t.info().provenance().get("epochs")).intValue());
        assertEquals(4, ((Number) t.info().provenance().get("batch_size")).intValue());
        assertEquals("none", t.info().provenance().get("augmentation"));
        assertTrue(t.info().provenance().containsKey("callbacks"));
    }

    /**
     * A file written by an older version (its hash keys under their old names, the single
     * {@code command}) or a newer one (keys this version does not know, a known key with a value
     * of another type) reads: old names land in the typed fields, everything else is kept and
     * written back as it was.
     */
    @Test
    void olderAndUnknownKeysRead() {
        Map<String, Object> old = new java.util.LinkedHashMap<>();
        old.put("fovea_version", "0.0.9");
        old.put("java_version", "17.0.2");
        old.put("vector_bits", 256);
        old.put("optimizer", "adam");
        old.put("epochs", 3);
        old.put("seed", 7);
        old.put("augmentation", "none");
        old.put("data_sha256", "aa11");
        old.put("data_source_sha256", "bb22");
        old.put("command", "fovea train --epochs 3");
        old.put("limit", "none");
        old.put("gpu_count", 0);
        old.put("batch_size", "32");
        old.put("trainer", "fovea spark train");

        Provenance p = Provenance.fromMap(old);
        assertEquals("0.0.9", p.environment().foveaVersion());
        assertEquals(256, p.environment().vectorBits());
        assertEquals(null, p.environment().cpu(), "absent from old files");
        assertEquals("adam", p.fit().optimizer());
        assertEquals(3.0, p.fit().epochs());
        assertEquals(null, p.fit().batchSize(), "a string where a number belongs is not typed");
        assertEquals(7L, p.data().seed());
        assertEquals(Map.of(), p.data().augmentation());
        assertEquals("aa11", p.data().usedSha256(), "data_sha256 hashed the pixels trained on");
        assertEquals("bb22", p.run().dataDecodedSha256(), "data_source_sha256 hashed the decoded split");
        assertEquals(List.of("fovea train --epochs 3"), p.run().commands());
        assertEquals(Map.of("gpu_count", 0, "batch_size", "32", "trainer", "fovea spark train"), p.other());

        Map<String, Object> back = p.toMap();
        assertEquals("aa11", back.get("data_used_sha256"));
        assertEquals("bb22", back.get("data_decoded_sha256"));
        assertFalse(back.containsKey("data_sha256") || back.containsKey("data_source_sha256") || back.containsKey("command"));
        assertEquals(0, back.get("gpu_count"));
        assertEquals("32", back.get("batch_size"), "kept as it was");
        assertEquals(3L, back.get("epochs"), "a whole number of epochs is written as one");
        assertEquals("none", back.get("augmentation"));
        assertEquals(p, Provenance.fromMap(back), "the new form reads back to the same record");
    }

    /** The processor is /proc/cpuinfo's first "model name", and nothing where there is none (ARM's lists parts). */
    @Test
    void cpuModelComesFromProcCpuinfo() {
        assertEquals("AMD EPYC 7B13 64-Core Processor", Provenance.cpuModel(
                "processor\t: 0\nvendor_id\t: AuthenticAMD\nmodel name\t: AMD EPYC 7B13 64-Core Processor\n"
                        + "processor\t: 1\nmodel name\t: AMD EPYC 7B13 64-Core Processor\n"));
        assertEquals(null, Provenance.cpuModel("processor\t: 0\nBogoMIPS\t: 50.00\nCPU part\t: 0xd0c\n"));
        assertEquals(null, Provenance.cpuModel(""));
    }
}
