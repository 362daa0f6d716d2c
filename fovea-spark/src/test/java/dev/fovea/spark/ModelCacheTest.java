package dev.fovea.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.fovea.data.Cifar10;
import dev.fovea.data.Dataset;
import dev.fovea.io.ModelFile;
import dev.fovea.nn.ActivationFunction;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The executor-side model cache across Spark contexts that share one JVM (local mode, notebooks). */
class ModelCacheTest {
    @TempDir
    Path tmp;

    /**
     * Broadcast ids restart at 0 in every SparkContext, so a cache keyed by the id alone handed
     * the second context's tasks the first context's model.
     */
    @Test
    void aNewSparkContextWithTheSameBroadcastIdGetsItsOwnModel() {
        byte[] pixels = new byte[4 * 32 * 32 * 3];
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = (byte) (i * 31);
        }
        Dataset data = new Dataset(pixels, new int[4], Cifar10.LABELS, 32, 32, 3);
        List<String> first = predictions(model("a"), data);
        List<String> second = predictions(model("b"), data);
        first.forEach(p -> assertEquals("a", p.substring(0, 1), "model a's classes: " + first));
        second.forEach(p -> assertEquals("b", p.substring(0, 1), "model b's classes: " + second));
    }

    private Path model(String prefix) {
        List<String> names = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            names.add(prefix + i);
        }
        Path file = tmp.resolve(prefix + ".safetensors");
        ModelFile.save(file, TinyModel.small(32, 32, 3, 10, ActivationFunction.SOFTMAX),
                new ModelFile.Info(names, Map.of("scale", 1.0 / 255), Map.of()));
        return file;
    }

    private static List<String> predictions(Path model, Dataset data) {
        SparkSession spark = TinyModel.session();
        try {
            return SparkPredictor.predict(spark, ImageSources.records(spark, data, 0, 2), model,
                    SparkPredictor.Options.pixels(ImageSources.PIXELS, 32, 32)).select("prediction")
                    .collectAsList().stream().map(r -> r.getString(0)).toList();
        } finally {
            spark.stop();
        }
    }
}
