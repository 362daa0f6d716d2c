package dev.fovea.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fovea.FoveaException;
import dev.fovea.io.ModelFile;
import dev.fovea.nn.ActivationFunction;
import dev.fovea.nn.Conv2D;
import dev.fovea.nn.Dense;
import dev.fovea.nn.Dropout;
import dev.fovea.nn.Flatten;
import dev.fovea.nn.Input;
import dev.fovea.nn.MaxPooling2D;
import dev.fovea.nn.Model;
import dev.fovea.nn.Padding;
import dev.fovea.nn.SymbolicTensor;
import dev.fovea.run.RunFolder;
import dev.fovea.run.TrainSettings;
import dev.fovea.train.History;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What survives a failure: a task that throws mid-epoch makes Spark rerun the barrier stage,
 * which continues from rank 0's last checkpoint; {@code --resume} continues a finished run; and
 * inputs that cannot work are refused before any task starts. The reference for "nothing lost"
 * is an uninterrupted run of the same settings: the weights must be bit-identical to it.
 */
class SparkTrainFaultsTest {
    private static final PrintStream QUIET = new PrintStream(OutputStream.nullOutputStream());
    private static SparkSession spark;
    private static Path model;
    private static String straightSha;

    @TempDir
    static Path tmp;

    @BeforeAll
    static void start() {
        spark = TinyModel.session();
        SparkTrainerTest.tmp = tmp;
        model = SparkTrainerTest.initialModel("faults-init.safetensors", 13);
        straightSha = SparkTrainer.train(spark, settings(2), TWO, tmp.resolve("straight"), false, QUIET)
                .ranks().get(0).weightsSha256();
    }

    @AfterAll
    static void stop() {
        spark.stop();
    }

    private static final ParallelSettings TWO = ParallelSettings.of(2);

    static TrainSettings settings(int epochs) {
        return SparkTrainerTest.settings(model, "sgd", 0.05, "mean", epochs);
    }

    private static int jobs() {
        return spark.sparkContext().statusTracker().getJobIdsForGroup(null).length;
    }

    @Test
    void aFailedTaskRerunsTheStageFromTheLastCheckpointAndLosesNothing() {
        // 6 steps per epoch: step 8 is inside epoch 2, after epoch 1's checkpoint.
        System.setProperty(TrainWorker.FAIL_AT_STEP, "8");
        SparkTrainer.Outcome o;
        try {
            o = SparkTrainer.train(spark, settings(2), TWO, tmp.resolve("failed"), false, QUIET);
        } finally {
            System.clearProperty(TrainWorker.FAIL_AT_STEP);
        }
        // The rerun restored epoch 1 and trained epoch 2 only: 6 steps, not 12.
        assertEquals(6, o.ranks().get(0).steps());
        assertEquals(2, o.ranks().get(0).epochsDone());
        assertEquals(straightSha, o.ranks().get(0).weightsSha256());
        assertEquals(straightSha, o.ranks().get(1).weightsSha256());
    }

    @Test
    void resumeContinuesAFinishedRunBitForBit() throws Exception {
        Path out = tmp.resolve("resumed");
        String afterOne = SparkTrainer.train(spark, settings(1), TWO, out, false, QUIET).ranks().get(0).weightsSha256();
        assertNotEquals(straightSha, afterOne);
        SparkTrainer.Outcome o = SparkTrainer.train(spark, settings(2), TWO, out, true, QUIET);
        assertEquals(6, o.ranks().get(0).steps());
        assertEquals(straightSha, o.ranks().get(0).weightsSha256());
        History h = History.fromCsv(Files.readString(out.resolve(TrainWorker.HISTORY)));
        assertEquals(List.of(1, 2), h.epochs());
        assertTrue(Files.readString(out.resolve(RunFolder.FILE)).contains("\"workers\":2"));

        // As fovea train: options given on resume win (the run's record says what trained), the data must be the same.
        Path other = tmp.resolve("other-data");
        for (String c : List.of("cat", "dog")) {
            Files.createDirectories(other.resolve(c));
            Files.copy(TinyModel.SAMPLE.resolve("train").resolve(c).resolve("0000.jpg"), other.resolve(c).resolve("0.jpg"));
        }
        TrainSettings s = settings(3);
        TrainSettings otherData = TrainSettings.parse("--model", s.model(), "--data", other.toString(), "--epochs", "3",
                "--validation", "none");
        FoveaException e = assertThrows(FoveaException.class,
                () -> SparkTrainer.train(spark, otherData, TWO, out, true, QUIET));
        assertTrue(e.getMessage().startsWith("--resume " + out + ": the data at " + other + " is not the data this run"
                + " was trained on"), e.getMessage());
        assertEquals(2, RunFolder.progress(out.resolve(RunFolder.CHECKPOINT))[0], "nothing trained");
    }

    @Test
    void aModelForOtherImagesFailsBeforeAnyTaskStarts() {
        Path wrong = tmp.resolve("16x16.safetensors");
        ModelFile.save(wrong, TinyModel.small(16, 16, 3, 10, ActivationFunction.LINEAR), ModelFile.Info.of(List.of()));
        TrainSettings s = SparkTrainerTest.settings(wrong, "sgd", 0.05, "mean", 1);
        int before = jobs();
        FoveaException e = assertThrows(FoveaException.class,
                () -> SparkTrainer.train(spark, s, TWO, tmp.resolve("wrong"), false, QUIET));
        assertEquals("--model " + wrong + " expects images of 16×16×3 but --data " + TinyModel.SAMPLE
                + " has 32×32×3; use a preset (it adapts to the data) or a model made for this data", e.getMessage());
        assertEquals(before, jobs(), "no Spark job may start");
        assertFalse(Files.exists(tmp.resolve("wrong")));
    }

    @Test
    void moreWorkersThanSlotsIsRefused() {
        TrainSettings s = TrainSettings.parse("--model", settings(1).model(), "--data", TinyModel.SAMPLE.toString(),
                "--epochs", "1", "--batch-size", "33", "--seed", "5", "--optimizer", "sgd", "--lr", "0.05",
                "--validation", "none");
        FoveaException e = assertThrows(FoveaException.class,
                () -> SparkTrainer.train(spark, s, ParallelSettings.of(3), tmp.resolve("three"), false, QUIET));
        assertTrue(e.getMessage().startsWith("--workers 3 needs 3 task slots at once"), e.getMessage());
        assertTrue(e.getMessage().contains("offers 2"), e.getMessage());
    }

    /** As fovea train: a folder holding a run is refused without --resume (or --overwrite), naming both. */
    @Test
    void anExistingRunIsNotOverwrittenWithoutResume() {
        Path straight = tmp.resolve("straight");
        FoveaException e = assertThrows(FoveaException.class,
                () -> SparkTrainer.train(spark, settings(2), TWO, straight, false, QUIET));
        assertTrue(e.getMessage().contains("is not empty (it holds checkpoint.safetensors,"), e.getMessage());
        assertTrue(e.getMessage().contains("pass --resume " + straight + " to continue that run, or --overwrite"),
                e.getMessage());
        FoveaException none = assertThrows(FoveaException.class,
                () -> SparkTrainer.train(spark, settings(2), TWO, tmp.resolve("nothing"), true, QUIET));
        assertTrue(none.getMessage().startsWith("--resume " + tmp.resolve("nothing") + ": no such folder"),
                none.getMessage());
    }

    @Test
    void aBadImageIsReportedAndSkipped() throws Exception {
        Path data = tmp.resolve("with-bad-image");
        for (String c : List.of("cat", "dog")) {
            Files.createDirectories(data.resolve(c));
            for (int i = 0; i < 8; i++) {
                String name = String.format("%04d.jpg", i);
                Files.copy(TinyModel.SAMPLE.resolve("train").resolve(c).resolve(name), data.resolve(c).resolve(name));
            }
        }
        Files.writeString(data.resolve("cat").resolve("broken.jpg"), "not a JPEG");
        java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
        TrainSettings s = TrainSettings.parse("--data", data.toString(), "--epochs", "1", "--batch-size", "8",
                "--seed", "5", "--optimizer", "sgd", "--lr", "0.01", "--validation", "none");
        SparkTrainer.Outcome o = SparkTrainer.train(spark, s, TWO, tmp.resolve("bad-image-run"), false,
                new PrintStream(err, true, java.nio.charset.StandardCharsets.UTF_8));
        String log = err.toString(java.nio.charset.StandardCharsets.UTF_8);
        assertTrue(log.contains("warning: skipped") && log.contains("broken.jpg"), log);
        // 16 readable images in global batches of 8: 2 steps.
        assertEquals(2, o.ranks().get(0).steps());
        assertTrue(log.contains("on 16 images"), log);
    }

    /**
     * With dropout (masks drawn per rank from (seed, global step, rank)) the replicas still agree,
     * since they apply the same summed gradient, and a run resumed after epoch 1 ends
     * bit-identical to a straight one.
     */
    @Test
    void aRunWithDropoutResumesBitForBit() {
        SymbolicTensor in = Input.of(32, 32, 3);
        SymbolicTensor x = new Conv2D(8, 3, Padding.SAME, ActivationFunction.RELU).apply(in);
        x = new MaxPooling2D(4).apply(x);
        x = new Flatten().apply(x);
        x = new Dropout(0.5f).apply(x);
        Model m = Model.of(in, new Dense(10, ActivationFunction.LINEAR).apply(x));
        m.initialize(19);
        Path file = tmp.resolve("dropout.safetensors");
        ModelFile.save(file, m, ModelFile.Info.of(List.of()));
        SparkTrainer.Outcome straight = SparkTrainer.train(spark,
                SparkTrainerTest.settings(file, "sgd", 0.05, "mean", 2), TWO, tmp.resolve("dropout-straight"), false,
                QUIET);
        assertEquals(straight.ranks().get(0).weightsSha256(), straight.ranks().get(1).weightsSha256());
        Path out = tmp.resolve("dropout-resumed");
        SparkTrainer.train(spark, SparkTrainerTest.settings(file, "sgd", 0.05, "mean", 1), TWO, out, false, QUIET);
        SparkTrainer.Outcome resumed = SparkTrainer.train(spark,
                SparkTrainerTest.settings(file, "sgd", 0.05, "mean", 2), TWO, out, true, QUIET);
        assertEquals(straight.ranks().get(0).weightsSha256(), resumed.ranks().get(0).weightsSha256());
    }
}
