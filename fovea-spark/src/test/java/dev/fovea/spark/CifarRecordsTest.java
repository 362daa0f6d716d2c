package dev.fovea.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fovea.data.Cifar10;
import dev.fovea.data.Dataset;
import dev.fovea.loss.SparseCategoricalCrossentropy;
import dev.fovea.optim.SGD;
import dev.fovea.train.DataFeed;
import dev.fovea.train.Trainer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** CIFAR-10 binary records through Spark against fovea-core's own evaluation of the same images. */
class CifarRecordsTest {
    private static final int N = 300;
    private static SparkSession spark;

    @TempDir
    static Path tmp;

    @BeforeAll
    static void start() {
        spark = TinyModel.session();
    }

    @AfterAll
    static void stop() {
        spark.stop();
    }

    @Test
    void accuracyAndConfusionMatrixEqualCoreEvaluation() throws IOException {
        Path model = TinyModel.write(tmp.resolve("tiny.safetensors"));
        Dataset test = Cifar10.load(TinyModel.CIFAR).test();
        org.apache.spark.sql.Dataset<Row> records = ImageSources.records(spark, test, N, 3);
        org.apache.spark.sql.Dataset<Row> out = SparkPredictor.predict(spark, records, model,
                SparkPredictor.Options.pixels(ImageSources.PIXELS, 32, 32).withBatchSize(64));
        PredictionMetrics m = PredictionMetrics.of(out, "label", TinyModel.classes());

        // Expected: Trainer.predict over the first N test images, argmax taken here (first index on ties).
        int[] first = new int[N];
        for (int i = 0; i < N; i++) {
            first[i] = i;
        }
        Dataset sub = test.subset(first);
        float[] y = new Trainer(TinyModel.model(), new SGD(), new SparseCategoricalCrossentropy())
                .predict(DataFeed.plain(sub, TinyModel.norm()), 50);
        long[][] expected = new long[10][10];
        int correct = 0;
        for (int i = 0; i < N; i++) {
            int best = 0;
            for (int j = 1; j < 10; j++) {
                best = y[i * 10 + j] > y[i * 10 + best] ? j : best;
            }
            expected[sub.label(i)][best]++;
            correct += best == sub.label(i) ? 1 : 0;
        }
        assertEquals(N, m.rows());
        assertEquals(0, m.errors());
        assertEquals(0, m.unlabeled());
        assertEquals((double) correct / N, m.accuracy(), 0.0);
        for (int t = 0; t < 10; t++) {
            assertArrayEquals(expected[t], m.matrix().counts()[t], "row of true class " + t);
        }

        List<Path> files = m.write(tmp.resolve("preds.parquet"), model.toString());
        assertEquals(List.of(tmp.resolve("preds.metrics.json"), tmp.resolve("preds.confusion.txt")), files);
        String json = Files.readString(files.get(0), StandardCharsets.UTF_8);
        assertTrue(json.contains("\"accuracy\":" + ((double) correct / N)), json);
        assertTrue(Files.readString(files.get(1)).contains(String.format(java.util.Locale.ROOT, "accuracy: %.4f over %d",
                (double) correct / N, N)));
    }
}
