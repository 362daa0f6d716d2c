package dev.fovea.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fovea.ClassFileVersions;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ./fovea spark predict} end to end, after {@code package}: the launcher finds the built
 * fovea-spark.jar and Spark's jars in target/lib, runs a local[2] job, and writes Parquet that
 * Spark reads back, with metrics beside it; a user error prints one line, no stack trace.
 */
class SparkLauncherIT {
    @TempDir
    Path tmp;

    private Launcher.Run fovea(String... args) throws IOException, InterruptedException {
        return Launcher.fovea(tmp, args);
    }

    @Test
    void predictWritesParquetThatSparkReadsBackWithMetricsBeside() throws Exception {
        Path model = TinyModel.write(tmp.resolve("tiny.safetensors"));
        Path out = tmp.resolve("predictions.parquet");
        Launcher.Run r = fovea("spark", "predict", "--master", "local[2]", "--model", model.toString(),
                "--images", TinyModel.SAMPLE.resolve("val").toString(), "--out", out.toString(), "--top-k", "3",
                "--batch-size", "32");
        assertEquals(0, r.code(), r.out() + r.err());
        assertEquals("", r.jvmWarnings(), "the launcher keeps the JVM quiet:\n" + r.err());
        assertFalse(r.err().contains(" INFO ") || r.err().contains("\tat "), "Spark logs at WARN only:\n" + r.err());
        assertTrue(r.out().contains("predictions: " + out + " (200 rows, 0 errors)"), r.out());

        SparkSession spark = TinyModel.session();
        try {
            var rows = spark.read().parquet(out.toString());
            assertEquals(List.of("path", "modificationTime", "length", "label", "prediction", "confidence", "top_k",
                    "error"), List.of(rows.columns()), "image bytes left out");
            List<Row> all = rows.select("label", "prediction", "top_k").collectAsList();
            assertEquals(200, all.size());
            long correct = all.stream().filter(x -> x.getString(0).equals(x.getString(1))).count();
            all.forEach(x -> assertEquals(3, x.getList(2).size()));
            String json = Files.readString(tmp.resolve("predictions.metrics.json"), StandardCharsets.UTF_8);
            assertTrue(json.contains("\"accuracy\":" + (correct / 200.0) + ","), json);
            assertTrue(r.out().contains(String.format(java.util.Locale.ROOT, "accuracy:    %.4f over 200 labelled rows",
                    correct / 200.0)), r.out());
        } finally {
            spark.stop();
        }
    }

    @Test
    void theSparkJarHoldsJava17BytecodeWhicheverJdkBuiltIt() throws Exception {
        Map<String, Integer> versions = ClassFileVersions.of(Path.of("target/fovea-spark.jar"));
        assertTrue(versions.containsKey("dev/fovea/spark/Main.class") && versions.containsKey(
                "dev/fovea/kernel/Gemm.class"), versions.keySet().toString());
        assertEquals("", ClassFileVersions.notJava17(versions), "class files above Java 17's (61) in fovea-spark.jar");
    }

    @Test
    void aModelOfAnotherSizeThanTheCifarRecordsIsOneLineWithoutStackTrace() throws Exception {
        Path big = TinyModel.writeShape(tmp.resolve("big.safetensors"), 64, 64, 3);
        Launcher.Run r = fovea("spark", "predict", "--master", "local[2]", "--model", big.toString(),
                "--cifar10", TinyModel.CIFAR.toString(), "--limit", "10", "--out", tmp.resolve("p.parquet").toString());
        assertEquals(2, r.code(), r.out() + r.err());
        assertEquals("", r.jvmWarnings(), "the launcher keeps the JVM quiet:\n" + r.err());
        assertTrue(r.err().contains("error: model " + big + " expects 64×64×3 inputs but column 'pixels' holds 32×32×3"),
                r.err());
        assertFalse(r.err().contains("\tat "), r.err());
        assertFalse(Files.exists(tmp.resolve("p.parquet")));
    }
}
