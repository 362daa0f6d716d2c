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
                "dev/fovea/kernel/gemm/Gemm.class"), versions.keySet().toString());
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

    /**
     * In a terminal, as a person meets it: --images on CIFAR-10's binary records ran Spark for
     * 10–25 s and printed "0 rows, 0 errors" with exit 0. Now the error comes before Spark starts
     * (no "starting Spark" line) and points to --cifar10.
     */
    @Test
    void imagesOnCifarRecordsFailBeforeSparkStartsAndPointToCifar10() throws Exception {
        Path model = TinyModel.writeShape(tmp.resolve("m.safetensors"), 32, 32, 3);
        Launcher.Screen s = Launcher.inTerminal("spark", "predict", "--master", "local[2]", "--model", model.toString(),
                "--images", TinyModel.CIFAR.toString(), "--out", tmp.resolve("p.parquet").toString());
        assertEquals(2, s.code(), s.text());
        assertTrue(s.text().contains("error: --images " + TinyModel.CIFAR + ": no image files to classify; expected .jpg,"
                + " .jpeg, .png, .bmp or .gif files, received 1 file of another kind (cifar-10-binary.tar.gz); these"
                + " are CIFAR-10 binary records: pass them as --cifar10 " + TinyModel.CIFAR + " instead of --images"),
                s.text());
        assertEquals(null, s.line("starting Spark"), "failed before Spark started:\n" + s.text());
        assertFalse(s.text().contains("\tat "), s.text());
        assertFalse(Files.exists(tmp.resolve("p.parquet")));
    }

    /**
     * In a terminal: the job said nothing for ~20 s, then five lines. Now each step is a line as
     * it starts, the first one well before the result; a file skipped for its extension is
     * counted in the result line, and one row with one error reads "1 row, 1 error".
     */
    @Test
    void predictSaysWhatItDoesAsItGoesAndCountsSkippedFilesInWords() throws Exception {
        Path model = TinyModel.write(tmp.resolve("tiny.safetensors"));
        Path photos = Files.createDirectories(tmp.resolve("photos/cat"));
        Files.writeString(photos.resolve("not-a-picture.jpg"), "a text file named like a JPEG");
        Files.writeString(tmp.resolve("photos/notes.txt"), "taken in 2024");
        Path out = tmp.resolve("p.parquet");
        Launcher.Screen s = Launcher.inTerminal("spark", "predict", "--master", "local[2]", "--model", model.toString(),
                "--images", tmp.resolve("photos").toString(), "--out", out.toString());
        assertEquals(0, s.code(), s.text());
        String skipped = "1 other file skipped for its extension: notes.txt";
        Launcher.Line found = s.line("found 1 image file in " + tmp.resolve("photos") + " (" + skipped + ")");
        Launcher.Line starting = s.line("starting Spark (local[2])…");
        Launcher.Line predicting = s.line("predicting 1 image and writing " + out + "…");
        Launcher.Line result = s.line("predictions: " + out + " (1 row, 1 error; " + skipped + ")");
        for (Launcher.Line l : new Launcher.Line[] {found, starting, predicting, result}) {
            assertTrue(l != null, "a line is missing:\n" + s.text());
        }
        assertTrue(found.ms() <= starting.ms() && starting.ms() <= predicting.ms() && predicting.ms() <= result.ms(),
                "in the order they happen:\n" + s.text());
        assertTrue(result.ms() - starting.ms() >= 3000, "the terminal says what is going on while Spark starts and"
                + " runs: 'starting Spark' at " + starting.ms() + " ms, the result at " + result.ms() + " ms");
    }
}
