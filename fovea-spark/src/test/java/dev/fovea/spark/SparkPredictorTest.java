package dev.fovea.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fovea.FoveaException;
import dev.fovea.data.ImageFolder;
import dev.fovea.data.Normalization;
import dev.fovea.nn.Model;
import dev.fovea.tensor.Shape;
import dev.fovea.tensor.Tensor;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Batch inference on a local[2] session against fovea-core's own forward pass of the same pixels. */
class SparkPredictorTest {
    private static SparkSession spark;
    private static Path modelFile;

    @TempDir
    static Path tmp;

    @BeforeAll
    static void start() {
        spark = TinyModel.session();
        modelFile = TinyModel.write(tmp.resolve("tiny.safetensors"));
    }

    @AfterAll
    static void stop() {
        spark.stop();
    }

    /** fovea-core's forward of one decoded image, softmaxed by definition: exp(z_i - max) / Σ exp(z_j - max). */
    private static double[] direct(Path image) {
        Model m = TinyModel.model();
        Normalization norm = TinyModel.norm();
        byte[] rgb = ImageFolder.readRgb(image, 32, 32);
        float[] x = new float[rgb.length];
        norm.toFloat(rgb, 0, x, 0, rgb.length);
        float[] z = m.forward(new Tensor(Shape.of(1, 32, 32, 3), x), false).data();
        double max = Double.NEGATIVE_INFINITY;
        for (float v : z) {
            max = Math.max(max, v);
        }
        double sum = 0;
        double[] p = new double[z.length];
        for (int i = 0; i < z.length; i++) {
            p[i] = Math.exp(z[i] - max);
            sum += p[i];
        }
        for (int i = 0; i < z.length; i++) {
            p[i] /= sum;
        }
        return p;
    }

    /**
     * Batches of one give the forward the same shape as the direct one, so the logits are the same
     * bits and only the softmax (float here, double in {@link #direct}) differs.
     */
    @Test
    void predictionsOverSampleImagesEqualCoreForward() {
        List<Row> rows = predictVal(1);
        Map<String, Float> batched = new HashMap<>();
        for (Row r : predictVal(16)) {
            batched.put(r.getString(0), r.getFloat(3));
        }
        long files = countImages(TinyModel.SAMPLE.resolve("val"));
        assertEquals(files, rows.size());
        List<String> names = TinyModel.classes();
        for (Row r : rows) {
            Path file = Path.of(URI.create(r.getString(0)));
            assertNull(r.get(5), "error of " + file);
            assertEquals(file.getParent().getFileName().toString(), r.getString(1), "label from the parent folder");
            double[] p = direct(file);
            int best = 0;
            for (int i = 1; i < p.length; i++) {
                best = p[i] > p[best] ? i : best;
            }
            assertEquals(names.get(best), r.getString(2), "class of " + file);
            assertEquals(p[best], r.getFloat(3), 1e-6, "confidence of " + file);
            // Another batch size blocks the GEMMs differently: the same up to float rounding, never another image's.
            assertEquals(r.getFloat(3), batched.get(r.getString(0)), 1e-4, "batched confidence of " + file);
            List<Row> top = r.getList(4);
            assertEquals(3, top.size());
            assertEquals(names.get(best), top.get(0).getString(0));
            for (int j = 0; j < 3; j++) {
                assertEquals(p[names.indexOf(top.get(j).getString(0))], top.get(j).getFloat(1), 1e-6);
                assertTrue(j == 0 || top.get(j).getFloat(1) <= top.get(j - 1).getFloat(1), "top_k in decreasing order");
            }
        }
    }

    private static List<Row> predictVal(int batch) {
        Dataset<Row> images = ImageSources.files(spark, TinyModel.SAMPLE.resolve("val").toString(), TinyModel.classes());
        return SparkPredictor.predict(spark, images, modelFile, SparkPredictor.Options.encoded("content")
                .withTopK(3).withBatchSize(batch)).select("path", "label", "prediction", "confidence", "top_k", "error")
                .collectAsList();
    }

    private static long countImages(Path dir) {
        try (var s = Files.walk(dir)) {
            return s.filter(f -> ImageFolder.isImageName(f.getFileName().toString())).count();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    /** A Parquet table with the images in a binary column of another name gives the same predictions as the files. */
    @Test
    void parquetWithABinaryColumnGivesTheFilesPredictions() {
        String parquet = tmp.resolve("images.parquet").toString();
        ImageSources.files(spark, TinyModel.SAMPLE.resolve("val/ship").toString(), TinyModel.classes())
                .selectExpr("path as name", "content as image").write().parquet(parquet);
        Map<String, String> fromFiles = new HashMap<>();
        for (Row r : predictVal(64)) {
            fromFiles.put(r.getString(0), r.getString(2));
        }
        List<Row> rows = SparkPredictor.predict(spark, ImageSources.parquet(spark, parquet), modelFile,
                SparkPredictor.Options.encoded("image")).select("name", "prediction", "error").collectAsList();
        assertEquals(20, rows.size());
        for (Row r : rows) {
            assertNull(r.get(2));
            assertEquals(fromFiles.get(r.getString(0)), r.getString(1), r.getString(0));
        }
    }

    @Test
    void corruptImageRowGetsAnErrorAndTheJobSucceeds() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("mixed/cat"));
        Path good = TinyModel.SAMPLE.resolve("val/cat");
        try (var s = Files.list(good)) {
            for (Path f : s.sorted().limit(2).toList()) {
                Files.copy(f, dir.resolve(f.getFileName()));
            }
        }
        Files.write(dir.resolve("broken.jpg"), new byte[]{(byte) 0xFF, (byte) 0xD8, (byte) 0xFF, 1, 2, 3});
        Files.writeString(dir.resolve("notes.png"), "not an image");
        Dataset<Row> images = ImageSources.files(spark, dir.toString(), TinyModel.classes());
        Map<String, Row> byName = new HashMap<>();
        for (Row r : SparkPredictor.predict(spark, images, modelFile, SparkPredictor.Options.encoded("content"))
                .select("path", "prediction", "confidence", "top_k", "error").collectAsList()) {
            byName.put(Path.of(URI.create(r.getString(0))).getFileName().toString(), r);
        }
        assertEquals(4, byName.size());
        for (String bad : List.of("broken.jpg", "notes.png")) {
            Row r = byName.get(bad);
            assertNotNull(r.get(4), bad + " has an error");
            assertTrue(r.getString(4).contains(bad) && r.getString(4).contains("cannot decode"), r.getString(4));
            assertNull(r.get(1));
            assertNull(r.get(2));
            assertNull(r.get(3));
        }
        long fine = byName.values().stream().filter(r -> r.isNullAt(4) && r.getString(1) != null).count();
        assertEquals(2, fine);
    }

    @Test
    void modelIsLoadedOncePerJvmForManyTasks() {
        Dataset<Row> images = ImageSources.files(spark, TinyModel.SAMPLE.resolve("val").toString(), TinyModel.classes())
                .repartition(6);
        int loads = ExecutorModels.loads();
        int instances = ExecutorModels.instancesCreated();
        Dataset<Row> out = SparkPredictor.predict(spark, images, modelFile, SparkPredictor.Options.encoded("content")
                .withBatchSize(8));
        assertEquals(6, out.rdd().getNumPartitions());
        assertEquals(countImages(TinyModel.SAMPLE.resolve("val")), out.filter("error is null").count());
        assertEquals(1, ExecutorModels.loads() - loads, "model file parsed once for 6 tasks");
        int made = ExecutorModels.instancesCreated() - instances;
        assertTrue(made >= 1 && made <= 2, "one instance per concurrently running task (local[2]), made " + made);
    }

    @Test
    void oneChannelModelOnRgbImagesFailsBeforeAnyTask() {
        Path gray = TinyModel.writeShape(tmp.resolve("gray.safetensors"), 32, 32, 1);
        Dataset<Row> images = ImageSources.files(spark, TinyModel.SAMPLE.resolve("val").toString(), TinyModel.classes());
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        jsc.setJobGroup("mismatch", "channel mismatch", false);
        FoveaException e = assertThrows(FoveaException.class, () -> SparkPredictor.predict(spark, images, gray,
                SparkPredictor.Options.encoded("content")));
        jsc.clearJobGroup();
        assertEquals("model " + gray + " expects 1-channel images (32×32×1) but image files are decoded as 3-channel"
                + " RGB; use a model trained on RGB images", e.getMessage());
        assertEquals(0, jsc.statusTracker().getJobIdsForGroup("mismatch").length, "no job was started");
    }

    @Test
    void cifarRecordsOfAnotherSizeThanTheModelFailBeforeAnyTask() {
        Path big = TinyModel.writeShape(tmp.resolve("big.safetensors"), 64, 64, 3);
        Dataset<Row> records = spark.createDataFrame(List.of(), ImageSources.CIFAR_SCHEMA);
        FoveaException e = assertThrows(FoveaException.class, () -> SparkPredictor.predict(spark, records, big,
                SparkPredictor.Options.pixels(ImageSources.PIXELS, 32, 32)));
        assertTrue(e.getMessage().startsWith("model " + big + " expects 64×64×3 inputs but column 'pixels' holds"
                + " 32×32×3 RGB pixel records"), e.getMessage());
    }

    @Test
    void missingImageColumnIsNamedWithTheColumnsThereAre() {
        Dataset<Row> images = ImageSources.files(spark, TinyModel.SAMPLE.resolve("val").toString(), TinyModel.classes());
        FoveaException e = assertThrows(FoveaException.class, () -> SparkPredictor.predict(spark, images, modelFile,
                SparkPredictor.Options.encoded("image")));
        assertEquals("the input has no column 'image' to read images from; its columns are [path, modificationTime,"
                + " length, content, label]; pass the binary column that holds the images", e.getMessage());
    }
}
