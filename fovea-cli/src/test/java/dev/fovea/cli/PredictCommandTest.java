package dev.fovea.cli;

import static dev.fovea.cli.TrainedModel.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fovea.data.Dataset;
import dev.fovea.data.Normalization;
import dev.fovea.io.ModelFile;
import dev.fovea.nn.ActivationFunction;
import dev.fovea.nn.Model;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PredictCommandTest {
    @TempDir
    static Path shared;

    @TempDir
    Path tmp;

    static Path modelFile;
    static Path cat;
    static Path ship;
    /** The two images' class probabilities (10 each), from the library on the loaded folder. */
    static float[][] expected;

    @BeforeAll
    static void trainOnce() {
        assumeTrue(Files.isDirectory(TrainedModel.SAMPLE), "shared image sample not present");
        modelFile = TrainedModel.write(shared.resolve("model.safetensors"));
        cat = TrainedModel.SAMPLE.resolve("val/cat/0100.jpg");
        ship = TrainedModel.SAMPLE.resolve("val/ship/0100.jpg");
        Dataset val = TrainedModel.sample().test();
        float[] p = TrainedModel.predict(TrainedModel.model(), val, TrainedModel.norm());
        // Folders list classes alphabetically and files by name: 20 validation images per class.
        expected = new float[][]{
            java.util.Arrays.copyOfRange(p, indexOf(val, "cat", 0) * 10, indexOf(val, "cat", 0) * 10 + 10),
            java.util.Arrays.copyOfRange(p, indexOf(val, "ship", 0) * 10, indexOf(val, "ship", 0) * 10 + 10)};
    }

    private static int indexOf(Dataset ds, String className, int within) {
        int c = ds.classNames().indexOf(className);
        int at = 0;
        for (int j = 0; j < c; j++) {
            at += ds.classCounts()[j];
        }
        return at + within;
    }

    @BeforeEach
    void sampleThere() {
        assumeTrue(modelFile != null);
        assumeTrue(Files.isRegularFile(ship), "expected sample file " + ship);
    }

    /** Class indices of {@code p} by decreasing probability. */
    private static int[] ranking(float[] p) {
        return java.util.stream.IntStream.range(0, p.length).boxed()
                .sorted((a, b) -> Float.compare(p[b], p[a])).mapToInt(Integer::intValue).toArray();
    }

    @Test
    void printsTopKClassesWithProbabilities() {
        CliRun r = run("predict", "--model", modelFile.toString(), cat.toString(), ship.toString());
        assertEquals(0, r.code(), r.err());
        List<String> lines = r.out().lines().toList();
        assertEquals(8, lines.size(), r.out());
        List<String> names = TrainedModel.cifarNames();
        for (int img = 0; img < 2; img++) {
            assertEquals((img == 0 ? cat : ship).toString(), lines.get(4 * img));
            int[] rank = ranking(expected[img]);
            for (int j = 0; j < 3; j++) {
                String want = String.format(Locale.ROOT, "%d. %s %.2f%%", j + 1, names.get(rank[j]),
                        100 * expected[img][rank[j]]);
                assertEquals(want, lines.get(4 * img + 1 + j).trim().replaceAll(" +", " "));
            }
        }
    }

    @Test
    void jsonIsOneDocumentSortedByProbability() throws IOException {
        CliRun r = run("predict", "--model", modelFile.toString(), "--json", "--top-k", "4",
                cat.toString(), ship.toString());
        assertEquals(0, r.code(), r.err());
        JsonNode doc = new ObjectMapper().readTree(r.out());
        assertEquals(modelFile.toString(), doc.get("model").asText());
        JsonNode preds = doc.get("predictions");
        assertEquals(2, preds.size());
        for (int img = 0; img < 2; img++) {
            JsonNode p = preds.get(img);
            assertEquals((img == 0 ? cat : ship).toString(), p.get("file").asText());
            JsonNode top = p.get("top");
            assertEquals(4, top.size());
            int[] rank = ranking(expected[img]);
            double sum = 0;
            double previous = Double.POSITIVE_INFINITY;
            for (int j = 0; j < 4; j++) {
                JsonNode g = top.get(j);
                double prob = g.get("probability").asDouble();
                assertEquals(rank[j], g.get("index").asInt());
                assertEquals(TrainedModel.cifarNames().get(rank[j]), g.get("class").asText());
                assertEquals(expected[img][rank[j]], prob, 1e-6);
                assertTrue(prob <= previous, "sorted by probability");
                previous = prob;
                sum += prob;
            }
            assertTrue(sum <= 1 + 1e-6 && sum > 0, "sum " + sum);
        }
    }

    @Test
    void logitsModelGivesSoftmaxProbabilities() throws IOException {
        Model logits = TrainedModel.small(32, 32, 3, 10, ActivationFunction.LINEAR);
        logits.initialize(5);
        Path f = tmp.resolve("logits.safetensors");
        ModelFile.save(f, logits, ModelFile.Info.of(List.of()));
        CliRun r = run("predict", "--model", f.toString(), "--json", "--top-k", "20", cat.toString());
        assertEquals(0, r.code(), r.err());
        JsonNode top = new ObjectMapper().readTree(r.out()).get("predictions").get(0).get("top");
        assertEquals(10, top.size(), "top-k is capped at the number of classes");
        float[] z = TrainedModel.predict(logits, TrainedModel.sample().test(), Normalization.scale(3));
        int at = indexOf(TrainedModel.sample().test(), "cat", 0) * 10;
        double max = Double.NEGATIVE_INFINITY;
        for (int j = 0; j < 10; j++) {
            max = Math.max(max, z[at + j]);
        }
        double norm = 0;
        for (int j = 0; j < 10; j++) {
            norm += Math.exp(z[at + j] - max);
        }
        double sum = 0;
        for (JsonNode g : top) {
            int j = g.get("index").asInt();
            assertEquals("class_" + j, g.get("class").asText(), "unnamed classes are numbered");
            assertEquals(Math.exp(z[at + j] - max) / norm, g.get("probability").asDouble(), 1e-6);
            sum += g.get("probability").asDouble();
        }
        assertEquals(1, sum, 1e-5);
    }

    /** Issue 12: a bad file is skipped with a warning (as training skips it); folders give their images in order. */
    @Test
    void skipsUnreadableFilesWithAWarningAndTakesFolders() throws IOException {
        Path broken = tmp.resolve("broken.jpg");
        Files.write(broken, new byte[]{(byte) 0xFF, (byte) 0xD8, 1, 2, 3});
        Path none = tmp.resolve("none.png");
        CliRun r = run("predict", "--model", modelFile.toString(), broken.toString(), cat.toString(), none.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.err().contains("warning: skipped " + broken + ": cannot decode this image"), r.err());
        assertTrue(r.err().contains("warning: skipped image not found: " + none + " does not exist"), r.err());
        assertTrue(r.err().contains("predicting 1 of 3 files (2 skipped"), r.err());
        assertTrue(r.out().startsWith(cat + "\n"), r.out());
        assertFalse(r.out().contains(broken.toString()), r.out());
        assertFalse(r.err().contains("\tat "), r.err());

        CliRun nothing = run("predict", "--model", modelFile.toString(), broken.toString(), none.toString());
        assertEquals(2, nothing.code(), nothing.err());
        assertTrue(nothing.err().contains("none of the 2 file(s) given could be read as an image"), nothing.err());

        Path folder = tmp.resolve("images");
        Files.createDirectories(folder.resolve("a"));
        Files.copy(ship, folder.resolve("b_ship.jpg"));
        Files.copy(cat, folder.resolve("a/cat.jpg"));
        Files.writeString(folder.resolve("notes.txt"), "not an image");
        CliRun f = run("predict", "--model", modelFile.toString(), "--json", "--top-k", "1", folder.toString());
        assertEquals(0, f.code(), f.err());
        var doc = new com.fasterxml.jackson.databind.ObjectMapper().readTree(f.out());
        assertEquals(2, doc.get("predictions").size(), f.out());
        assertEquals(folder.resolve("a/cat.jpg").toString(), doc.get("predictions").get(0).get("file").asText());
        assertEquals(folder.resolve("b_ship.jpg").toString(), doc.get("predictions").get(1).get("file").asText());
        assertEquals(ranking(expected[0])[0], doc.get("predictions").get(0).get("top").get(0).get("index").asInt());
        assertEquals(ranking(expected[1])[0], doc.get("predictions").get(1).get("top").get(0).get("index").asInt());

        Path empty = Files.createDirectories(tmp.resolve("empty"));
        CliRun e = run("predict", "--model", modelFile.toString(), empty.toString());
        assertEquals(2, e.code());
        assertTrue(e.err().contains(empty + " is a folder without image files"), e.err());
    }

    /** --tta 6view: each image's probabilities are the average over the six views (softmax head). */
    @Test
    void ttaAveragesTheProbabilitiesOverTheViews() throws IOException {
        CliRun r = run("predict", "--model", modelFile.toString(), "--json", "--top-k", "10", "--tta", "6view",
                cat.toString(), ship.toString());
        assertEquals(0, r.code(), r.err());
        Dataset val = TrainedModel.sample().test();
        float[] p = TtaViews.average(TrainedModel.model(), val, TrainedModel.norm(), "6view");
        JsonNode doc = new ObjectMapper().readTree(r.out());
        assertEquals("6view", doc.get("tta").asText());
        for (int img = 0; img < 2; img++) {
            int at = indexOf(val, img == 0 ? "cat" : "ship", 0) * 10;
            JsonNode top = doc.get("predictions").get(img).get("top");
            assertEquals(10, top.size());
            for (JsonNode g : top) {
                int j = g.get("index").asInt();
                assertEquals(p[at + j], g.get("probability").asDouble(), 1e-6, "image " + img + " class " + j);
            }
            float[] plain = expected[img];
            assertTrue(Math.abs(plain[ranking(plain)[0]] - p[at + ranking(plain)[0]]) > 1e-4,
                    "the views must change the probabilities, or this test could not tell");
        }
        CliRun bad = run("predict", "--model", modelFile.toString(), "--tta", "mirror", cat.toString());
        assertEquals(2, bad.code());
        assertEquals("error: --tta: expected none, flip or 6view, received 'mirror'; pass none (one pass), flip"
                + " (image and mirror) or 6view (airbench's six views)", bad.err().strip());
    }

    @Test
    void badArgumentsAreUserErrors() {
        CliRun k = run("predict", "--model", modelFile.toString(), "--top-k", "0", cat.toString());
        assertEquals(2, k.code());
        assertTrue(k.err().contains("--top-k 0: expected a whole number ≥ 1 (classes listed per image), received 0"),
                k.err());
        CliRun preset = run("predict", "--model", "tutorial-cnn", cat.toString());
        assertEquals(2, preset.code());
        assertTrue(preset.err().contains("is a preset without trained weights"), preset.err());
        CliRun missing = run("predict", "--model", tmp.resolve("m.safetensors").toString(), cat.toString());
        assertEquals(2, missing.code());
        assertTrue(missing.err().contains("no such file"), missing.err());
        CliRun noImages = run("predict", "--model", modelFile.toString());
        assertEquals(2, noImages.code());
        assertTrue(noImages.err().contains("IMAGE"), noImages.err());
    }
}
