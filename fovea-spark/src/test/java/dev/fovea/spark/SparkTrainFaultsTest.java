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
        straightSha = SparkTrainer.train(spark, settings(2), tmp.resolve("straight"), false, QUIET)
                .ranks().get(0).weightsSha256();
    }

    @AfterAll
    static void stop() {
        spark.stop();
    }

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
            o = SparkTrainer.train(spark, settings(2), tmp.resolve("failed"), false, QUIET);
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
        String afterOne = SparkTrainer.train(spark, settings(1), out, false, QUIET).ranks().get(0).weightsSha256();
        assertNotEquals(straightSha, afterOne);
        SparkTrainer.Outcome o = SparkTrainer.train(spark, settings(2), out, true, QUIET);
        assertEquals(6, o.ranks().get(0).steps());
        assertEquals(straightSha, o.ranks().get(0).weightsSha256());
        History h = History.fromCsv(Files.readString(out.resolve(TrainWorker.HISTORY)));
        assertEquals(List.of(1, 2), h.epochs());
        assertTrue(Files.readString(out.resolve(SparkTrainer.RUN_RECORD)).contains("\"workers\":2"));

        TrainSettings s = settings(3);
        TrainSettings otherBatch = new TrainSettings(s.model(), s.data(), 2, 3, 16, s.seed(), s.optimizer(), s.lr(),
                s.momentum(), s.weightDecay(), s.lossReduction(), s.augment(), s.normalize(), s.validation(), s.limit());
        FoveaException e = assertThrows(FoveaException.class, () -> SparkTrainer.train(spark, otherBatch, out, true, QUIET));
        assertEquals("--resume: the run in " + out + " was trained with --batch-size 32, this command has 16; resume"
                + " with the same setting (see " + out.resolve(SparkTrainer.RUN_RECORD) + ")", e.getMessage());

        // Synchronized and per-worker statistics train different models: no switching on resume.
        TrainSettings otherNorm = new TrainSettings(s.model(), s.data(), 2, 3, s.batchSize(), s.seed(), s.optimizer(),
                s.lr(), s.momentum(), s.weightDecay(), s.lossReduction(), s.augment(), s.normalize(), s.validation(),
                s.limit(), TrainSettings.SYNC);
        e = assertThrows(FoveaException.class, () -> SparkTrainer.train(spark, otherNorm, out, true, QUIET));
        assertTrue(e.getMessage().startsWith("--resume: the run in " + out + " was trained with --batch-norm"
                + " per-worker, this command has sync;"), e.getMessage());
    }

    @Test
    void aModelForOtherImagesFailsBeforeAnyTaskStarts() {
        Path wrong = tmp.resolve("16x16.safetensors");
        ModelFile.save(wrong, TinyModel.small(16, 16, 3, 10, ActivationFunction.LINEAR), ModelFile.Info.of(List.of()));
        TrainSettings s = SparkTrainerTest.settings(wrong, "sgd", 0.05, "mean", 1);
        int before = jobs();
        FoveaException e = assertThrows(FoveaException.class,
                () -> SparkTrainer.train(spark, s, tmp.resolve("wrong"), false, QUIET));
        assertEquals("--model " + wrong + " expects images of 16×16×3 but --data " + TinyModel.SAMPLE
                + " has 32×32×3; use a preset (it adapts to the data) or a model made for this data", e.getMessage());
        assertEquals(before, jobs(), "no Spark job may start");
        assertFalse(Files.exists(tmp.resolve("wrong")));
    }

    @Test
    void moreWorkersThanSlotsIsRefused() {
        TrainSettings two = settings(1);
        TrainSettings three = new TrainSettings(two.model(), two.data(), 3, 1, 33, 5, "sgd", 0.05, 0.9, 0, "mean",
                "none", false, "none", 0);
        FoveaException e = assertThrows(FoveaException.class,
                () -> SparkTrainer.train(spark, three, tmp.resolve("three"), false, QUIET));
        assertTrue(e.getMessage().startsWith("--workers 3 needs 3 task slots at once"), e.getMessage());
        assertTrue(e.getMessage().contains("offers 2"), e.getMessage());
    }

    @Test
    void anExistingRunIsNotOverwrittenWithoutResume() {
        FoveaException e = assertThrows(FoveaException.class,
                () -> SparkTrainer.train(spark, settings(2), tmp.resolve("straight"), false, QUIET));
        assertTrue(e.getMessage().contains("already holds a run (checkpoint.safetensors); pass --resume"), e.getMessage());
        FoveaException none = assertThrows(FoveaException.class,
                () -> SparkTrainer.train(spark, settings(2), tmp.resolve("nothing"), true, QUIET));
        assertTrue(none.getMessage().startsWith("--resume: "), none.getMessage());
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
        TrainSettings s = new TrainSettings("tutorial-cnn", data.toString(), 2, 1, 8, 5, "sgd", 0.01, 0.9, 0, "mean",
                "none", false, "none", 0);
        SparkTrainer.Outcome o = SparkTrainer.train(spark, s, tmp.resolve("bad-image-run"), false,
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
                SparkTrainerTest.settings(file, "sgd", 0.05, "mean", 2), tmp.resolve("dropout-straight"), false, QUIET);
        assertEquals(straight.ranks().get(0).weightsSha256(), straight.ranks().get(1).weightsSha256());
        Path out = tmp.resolve("dropout-resumed");
        SparkTrainer.train(spark, SparkTrainerTest.settings(file, "sgd", 0.05, "mean", 1), out, false, QUIET);
        SparkTrainer.Outcome resumed = SparkTrainer.train(spark,
                SparkTrainerTest.settings(file, "sgd", 0.05, "mean", 2), out, true, QUIET);
        assertEquals(straight.ranks().get(0).weightsSha256(), resumed.ranks().get(0).weightsSha256());
    }
}
