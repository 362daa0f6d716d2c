package dev.fovea.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fovea.FoveaException;
import dev.fovea.io.ModelFile;
import dev.fovea.loss.SparseCategoricalCrossentropy;
import dev.fovea.metric.Accuracy;
import dev.fovea.nn.ActivationFunction;
import dev.fovea.nn.BatchNormalization;
import dev.fovea.nn.Conv2D;
import dev.fovea.nn.Dense;
import dev.fovea.nn.Dropout;
import dev.fovea.nn.Flatten;
import dev.fovea.nn.Input;
import dev.fovea.nn.MaxPooling2D;
import dev.fovea.nn.Model;
import dev.fovea.nn.Padding;
import dev.fovea.nn.Param;
import dev.fovea.optim.Adam;
import dev.fovea.optim.SGD;
import dev.fovea.tensor.Parallel;
import dev.fovea.tensor.Shape;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainerTest {
    static final Shape SAMPLE = Shape.of(8, 8, 3);

    @AfterEach
    void restoreThreads() {
        Parallel.setThreads(Runtime.getRuntime().availableProcessors());
    }

    /** A small CNN with every trainable kind of layer, dropout included (its RNG must resume too). */
    static Model smallCnn(long seed) {
        var x = Input.of(8, 8, 3);
        var h = new Conv2D(8, 3, Padding.SAME, ActivationFunction.RELU).apply(x);
        h = new BatchNormalization().apply(h);
        h = new MaxPooling2D(2).apply(h);
        h = new Flatten().apply(h);
        h = new Dropout(0.25f).apply(h);
        h = new Dense(16, ActivationFunction.RELU).apply(h);
        var y = new Dense(4, ActivationFunction.SOFTMAX).apply(h);
        Model m = Model.of(x, y);
        m.initialize(seed);
        return m;
    }

    static Trainer trainer(Model m) {
        return new Trainer(m, new Adam(0.01), new SparseCategoricalCrossentropy(), new Accuracy());
    }

    static FitOptions quiet(int epochs) {
        return new FitOptions().epochs(epochs).batchSize(16).verbose(0);
    }

    static float[][] weights(Model m) {
        List<Param> ps = m.params();
        float[][] w = new float[ps.size()][];
        for (int i = 0; i < w.length; i++) {
            w[i] = ps.get(i).value().clone();
        }
        return w;
    }

    @Test
    void lossFallsAndAccuracyRisesOnSeparableData() {
        ArrayFeed data = ArrayFeed.blobs(256, 4, SAMPLE, 3);
        Trainer t = trainer(smallCnn(1));
        History h = t.fit(data, quiet(6).validation(ArrayFeed.blobs(64, 4, SAMPLE, 4)));
        List<Double> loss = h.get("loss");
        assertEquals(6, loss.size());
        assertTrue(loss.get(5) < 0.5 * loss.get(0), "loss " + loss);
        assertTrue(h.get("val_accuracy").get(5) > 0.9, "val_accuracy " + h.get("val_accuracy"));
        assertEquals(List.of("accuracy", "loss", "val_accuracy", "val_loss", "learning_rate", History.ELAPSED),
                List.copyOf(h.asMap().keySet()));
        Double evalAcc = t.evaluate(ArrayFeed.blobs(64, 4, SAMPLE, 4), 32).get("accuracy");
        assertEquals(h.get("val_accuracy").get(5), evalAcc, 1e-12);
    }

    @Test
    void validationSplitHoldsOutASeededFractionOfADataset() {
        dev.fovea.tensor.Rng r = new dev.fovea.tensor.Rng(4);
        int n = 50;
        byte[] px = new byte[n * 8 * 8 * 3];
        for (int i = 0; i < px.length; i++) {
            px[i] = (byte) r.nextInt(256);
        }
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            labels[i] = i % 4;
        }
        var ds = new dev.fovea.data.Dataset(px, labels, List.of("a", "b", "c", "d"), 8, 8, 3);
        DataFeed feed = new DataFeed(ds, dev.fovea.data.Augmentation.none(), dev.fovea.data.Normalization.scale(3), 1);
        Trainer t = trainer(smallCnn(1));
        int[] steps = new int[1];
        Callback count = new Callback() {
            @Override
            public void onBatchEnd(TrainContext ctx, int step, java.util.Map<String, Double> logs) {
                steps[0]++;
            }
        };
        History h = t.fit(feed, quiet(1).batchSize(8).validationSplit(0.2).callbacks(count));
        assertEquals(5, steps[0], "40 training images in batches of 8");
        assertTrue(h.asMap().containsKey("val_loss") && h.asMap().containsKey("val_accuracy"), h.asMap().toString());
        assertThrows(FoveaException.class,
                () -> t.fit(feed, quiet(1).validationSplit(0.2).validation(feed)));
    }

    /** Everything the history logs but the wall-clock times, which no two runs share. */
    static String withoutTimes(History h) {
        History copy = new History();
        List<Integer> epochs = h.epochs();
        for (int r = 0; r < epochs.size(); r++) {
            java.util.Map<String, Double> logs = new java.util.LinkedHashMap<>();
            for (var e : h.asMap().entrySet()) {
                if (!e.getKey().equals(History.ELAPSED)) {
                    logs.put(e.getKey(), e.getValue().get(r));
                }
            }
            copy.add(epochs.get(r), logs);
        }
        return copy.toCsv();
    }

    /** elapsed_s: cumulative seconds of training per epoch, carried on by a fit after a resume. */
    @Test
    void elapsedTrainingTimeIsLoggedPerEpochAndCarriedAcrossAResume(@TempDir Path tmp) {
        ArrayFeed data = ArrayFeed.blobs(80, 4, SAMPLE, 3);
        Trainer first = trainer(smallCnn(7));
        long start = System.nanoTime();
        first.fit(data, quiet(2));
        double wall = (System.nanoTime() - start) / 1e9;
        List<Double> t = first.history().get(History.ELAPSED);
        assertEquals(2, t.size());
        assertTrue(t.get(0) > 0 && t.get(1) > t.get(0) && t.get(1) <= wall, t + " within " + wall + " s");
        assertEquals(t.get(1), first.history().elapsedSeconds(), 0);
        Path ckpt = tmp.resolve("checkpoint.safetensors");
        first.saveCheckpoint(ckpt);
        Trainer resumed = trainer(ModelFile.load(ckpt).model());
        resumed.restoreCheckpoint(ckpt);
        resumed.fit(data, quiet(1));
        List<Double> after = resumed.history().get(History.ELAPSED);
        assertEquals(t, after.subList(0, 2), "times of the epochs before the checkpoint");
        assertTrue(after.get(2) > t.get(1), "the resumed epoch adds to the time so far: " + after);
        assertEquals(0, new History().elapsedSeconds(), 0);
    }

    @Test
    void fitAgainContinuesTheEpochCountAndHistory() {
        ArrayFeed data = ArrayFeed.blobs(64, 4, SAMPLE, 3);
        Trainer t = trainer(smallCnn(1));
        t.fit(data, quiet(2));
        t.fit(data, quiet(3));
        assertEquals(5, t.epochsDone());
        assertEquals(List.of(1, 2, 3, 4, 5), t.history().epochs());
        assertEquals(5 * 4, t.optimizer().iterations());
    }

    @Test
    void aFractionalEpochCountCutsTheLastEpochAsAirbenchDoes() {
        // 80 images in batches of 16: 5 steps an epoch. 2.5 epochs = ceil(2.5·5) = 13 steps,
        // the third epoch cut after ceil(0.5·5) = 3, and it still counts and validates.
        ArrayFeed data = ArrayFeed.blobs(80, 4, SAMPLE, 3);
        Trainer t = trainer(smallCnn(1));
        List<Integer> stepsSeen = new java.util.ArrayList<>();
        Callback count = new Callback() {
            @Override
            public void onBatchEnd(TrainContext ctx, int step, java.util.Map<String, Double> logs) {
                stepsSeen.add(step);
            }
        };
        History h = t.fit(data, new FitOptions().epochs(2.5).batchSize(16).verbose(0).callbacks(count)
                .validation(ArrayFeed.blobs(32, 4, SAMPLE, 4)));
        assertEquals(13, t.optimizer().iterations());
        assertEquals(List.of(1, 2, 3, 4, 5, 1, 2, 3, 4, 5, 1, 2, 3), stepsSeen);
        assertEquals(3, t.epochsDone());
        assertEquals(3, h.get("val_accuracy").size());
        // 9.9 epochs of 48 steps is airbench's 476; float noise in "9.9 - 5" does not add a step
        assertEquals(10, Trainer.wholeEpochs(9.9));
        assertEquals(44, Trainer.stepsOf(48, Trainer.lastEpochFraction(9.9)));
        assertEquals(44, Trainer.stepsOf(48, Trainer.lastEpochFraction(9.9 - 5)));
        assertEquals(48, Trainer.stepsOf(48, Trainer.lastEpochFraction(3.0)));
        assertEquals(3, Trainer.wholeEpochs(3.0));
    }

    @Test
    void resumingFromACheckpointIsBitIdentical(@TempDir Path tmp) {
        ArrayFeed data = ArrayFeed.blobs(80, 4, SAMPLE, 3);
        Trainer straight = trainer(smallCnn(7));
        straight.fit(data, quiet(3));

        Trainer first = trainer(smallCnn(7));
        first.fit(data, quiet(1));
        Path ckpt = tmp.resolve("checkpoint.safetensors");
        first.saveCheckpoint(ckpt);

        // A new process would rebuild the model from the file: do the same here.
        Model rebuilt = ModelFile.load(ckpt).model();
        Trainer resumed = trainer(rebuilt);
        resumed.restoreCheckpoint(ckpt);
        assertEquals(1, resumed.epochsDone());
        resumed.fit(data, quiet(2));
        float[][] a = weights(straight.model());
        float[][] b = weights(resumed.model());
        for (int i = 0; i < a.length; i++) {
            assertArrayEquals(a[i], b[i], "parameter " + i);
        }
        assertEquals(withoutTimes(straight.history()), withoutTimes(resumed.history()));
    }

    @Test
    void interruptedInsideAnEpochResumesBitIdentical(@TempDir Path tmp) {
        ArrayFeed data = ArrayFeed.blobs(80, 4, SAMPLE, 3);
        Trainer straight = trainer(smallCnn(7));
        straight.fit(data, quiet(3));

        Trainer first = trainer(smallCnn(7));
        Callback ctrlC = new Callback() {
            @Override
            public void onBatchEnd(TrainContext ctx, int step, java.util.Map<String, Double> logs) {
                if (first.epochsDone() == 1 && step == 2) {
                    first.interrupt("interrupted");
                }
            }
        };
        first.fit(data, quiet(3).callbacks(ctrlC));
        assertTrue(first.interrupted());
        assertEquals(1, first.epochsDone());
        assertEquals(2, first.stepInEpoch());
        Path ckpt = tmp.resolve("checkpoint.safetensors");
        first.saveCheckpoint(ckpt);

        Trainer resumed = trainer(ModelFile.load(ckpt).model());
        resumed.restoreCheckpoint(ckpt);
        resumed.fit(data, quiet(3 - resumed.epochsDone()));
        float[][] a = weights(straight.model());
        float[][] b = weights(resumed.model());
        for (int i = 0; i < a.length; i++) {
            assertArrayEquals(a[i], b[i], "parameter " + i);
        }
        // Every column, the interrupted epoch's training accuracy included (issue 12, defect 6).
        assertEquals(withoutTimes(straight.history()), withoutTimes(resumed.history()));
    }

    /**
     * Ctrl-C while an epoch's validation or checkpoint runs: the fit stops before the next epoch
     * and says it was interrupted. It used to start the next epoch, stop at its batch 0 and report
     * a finished run (interrupted() was false), so the CLI wrote the model and the report of a run
     * 2 of 3 epochs short and printed "trained 3 epochs".
     */
    @Test
    void interruptedBetweenEpochsStopsThereAndSaysSo(@TempDir Path tmp) {
        ArrayFeed data = ArrayFeed.blobs(80, 4, SAMPLE, 3);
        Trainer straight = trainer(smallCnn(7));
        straight.fit(data, quiet(3));

        Trainer first = trainer(smallCnn(7));
        Callback ctrlC = new Callback() {
            @Override
            public void onEpochEnd(TrainContext ctx, int epoch, java.util.Map<String, Double> logs) {
                if (epoch == 1) {
                    first.interrupt("interrupted");
                }
            }
        };
        first.fit(data, quiet(3).callbacks(ctrlC));
        assertTrue(first.interrupted());
        assertEquals(1, first.epochsDone());
        assertEquals(0, first.stepInEpoch());
        Path ckpt = tmp.resolve("checkpoint.safetensors");
        first.saveCheckpoint(ckpt);
        Trainer resumed = trainer(ModelFile.load(ckpt).model());
        resumed.restoreCheckpoint(ckpt);
        assertFalse(resumed.interrupted(), "a checkpoint between epochs resumes at the next one's start");
        resumed.fit(data, quiet(2));
        float[][] a = weights(straight.model());
        float[][] b = weights(resumed.model());
        for (int i = 0; i < a.length; i++) {
            assertArrayEquals(a[i], b[i], "parameter " + i);
        }
    }

    @Test
    void interruptedFitContinuedInTheSameProcessKeepsEveryMetric() {
        ArrayFeed data = ArrayFeed.blobs(80, 4, SAMPLE, 3);
        Trainer straight = trainer(smallCnn(7));
        straight.fit(data, quiet(2));

        Trainer t = trainer(smallCnn(7));
        Callback ctrlC = new Callback() {
            @Override
            public void onBatchEnd(TrainContext ctx, int step, java.util.Map<String, Double> logs) {
                if (t.epochsDone() == 0 && step == 3) {
                    t.interrupt("interrupted");
                }
            }
        };
        t.fit(data, quiet(2).callbacks(ctrlC));
        assertEquals(0, t.epochsDone());
        t.fit(data, quiet(2));
        assertEquals(withoutTimes(straight.history()), withoutTimes(t.history()));
    }

    @Test
    void oneAndTwoThreadsGiveIdenticalWeights() {
        ArrayFeed data = ArrayFeed.blobs(64, 4, SAMPLE, 3);
        Parallel.setThreads(1);
        Trainer one = trainer(smallCnn(5));
        one.fit(data, quiet(2));
        Parallel.setThreads(2);
        Trainer two = trainer(smallCnn(5));
        two.fit(data, quiet(2));
        float[][] a = weights(one.model());
        float[][] b = weights(two.model());
        for (int i = 0; i < a.length; i++) {
            assertArrayEquals(a[i], b[i], "parameter " + i);
        }
    }

    @Test
    void aShortLastBatchGivesTheRowsTheWholeBatchGivesAndTheMeanLossOfTheRows() {
        Trainer t = trainer(smallCnn(5));
        t.fit(ArrayFeed.blobs(48, 4, SAMPLE, 3), quiet(2));
        ArrayFeed test = ArrayFeed.blobs(20, 4, SAMPLE, 11); // batches of 7: 7, 7 and a padded 6
        float[] want = t.model().forward(new dev.fovea.tensor.Tensor(Shape.of(20, 8, 8, 3), test.x.clone()), false)
                .data().clone();
        float[] got = t.predict(test, 7);
        assertEquals(want.length, got.length);
        for (int i = 0; i < want.length; i++) {
            assertEquals(want[i], got[i], 1e-5 * Math.max(1, Math.abs(want[i])), "output " + i);
        }
        // Sparse categorical cross-entropy of the probabilities, averaged by hand.
        double loss = 0;
        int right = 0;
        for (int r = 0; r < 20; r++) {
            int label = test.y[r];
            loss -= Math.log(Math.max(want[r * 4 + label], 1e-7));
            int best = 0;
            for (int k = 1; k < 4; k++) {
                best = want[r * 4 + k] > want[r * 4 + best] ? k : best;
            }
            right += best == label ? 1 : 0;
        }
        java.util.Map<String, Double> ev = t.evaluate(test, 7);
        assertEquals(loss / 20, ev.get("loss"), 1e-5);
        assertEquals(right / 20.0, ev.get("accuracy"), 1e-12);
        // A second evaluation (the plan refreshed, its buffers kept) after more training agrees with
        // the model's weights now, not those of the first.
        t.fit(ArrayFeed.blobs(48, 4, SAMPLE, 3), quiet(1));
        float[] now = t.model().forward(new dev.fovea.tensor.Tensor(Shape.of(20, 8, 8, 3), test.x.clone()), false)
                .data().clone();
        float[] again = t.predict(test, 7);
        for (int i = 0; i < now.length; i++) {
            assertEquals(now[i], again[i], 1e-5 * Math.max(1, Math.abs(now[i])), "output " + i + " after more training");
        }
    }

    @Test
    void saveLoadGivesIdenticalPredictions(@TempDir Path tmp) {
        Trainer t = trainer(smallCnn(2));
        t.fit(ArrayFeed.blobs(48, 4, SAMPLE, 3), quiet(1));
        t.setInfo(new ModelFile.Info(List.of("a", "b", "c", "d"), java.util.Map.of("scale", 1.0 / 255),
                java.util.Map.of("seed", 2)));
        Path f = tmp.resolve("model.safetensors");
        ModelFile.save(f, t.model(), t.info());
        ModelFile.Loaded back = ModelFile.load(f);
        assertEquals(List.of("a", "b", "c", "d"), back.info().classNames());
        ArrayFeed test = ArrayFeed.blobs(20, 4, SAMPLE, 9);
        assertArrayEquals(t.predict(test, 7), new Trainer(back.model(), new Adam(),
                new SparseCategoricalCrossentropy()).predict(test, 7));
    }

    @Test
    void foreignTruncatedAndCorruptedModelFilesAreRejectedClearly(@TempDir Path tmp) throws Exception {
        Path f = tmp.resolve("model.safetensors");
        ModelFile.save(f, smallCnn(1), ModelFile.Info.of(List.of()));
        byte[] bytes = Files.readAllBytes(f);

        Path truncated = tmp.resolve("truncated.safetensors");
        Files.write(truncated, java.util.Arrays.copyOf(bytes, bytes.length / 2));
        FoveaException e1 = assertThrows(FoveaException.class, () -> ModelFile.load(truncated));
        assertTrue(e1.getMessage().startsWith(truncated.toString()), e1.getMessage());

        Path foreign = tmp.resolve("foreign.safetensors");
        dev.fovea.io.SafeTensors.writer().put("w", dev.fovea.tensor.Tensor.zeros(2)).write(foreign);
        FoveaException e2 = assertThrows(FoveaException.class, () -> ModelFile.load(foreign));
        assertTrue(e2.getMessage().contains("not a Fovea model"), e2.getMessage());

        Path corrupt = tmp.resolve("corrupt.safetensors");
        byte[] c = bytes.clone();
        String head = new String(c, 8, 200, StandardCharsets.ISO_8859_1);
        int at = head.indexOf("\"shape\":[") + 9;
        c[8 + at] = (byte) '9';
        Files.write(corrupt, c);
        FoveaException e3 = assertThrows(FoveaException.class, () -> ModelFile.load(corrupt));
        assertTrue(e3.getMessage().startsWith(corrupt.toString()), e3.getMessage());

        Path notFound = tmp.resolve("missing.safetensors");
        FoveaException e4 = assertThrows(FoveaException.class, () -> ModelFile.load(notFound));
        assertTrue(e4.getMessage().contains("no such file"), e4.getMessage());
    }

    @Test
    void nanLossStopsTrainingAndKeepsTheLastGoodCheckpoint(@TempDir Path tmp) throws Exception {
        Trainer t = new Trainer(smallCnn(1), new SGD(1e30), new SparseCategoricalCrossentropy(), new Accuracy());
        Path best = tmp.resolve("best.safetensors");
        ModelCheckpoint ck = new ModelCheckpoint(best, "loss", false);
        ArrayFeed data = ArrayFeed.blobs(64, 4, SAMPLE, 3);
        FoveaException e = assertThrows(FoveaException.class, () -> t.fit(data, quiet(5).callbacks(ck)));
        assertTrue(e.getMessage().contains("TerminateOnNaN: the loss became"), e.getMessage());
        assertTrue(t.epochsDone() <= 1, "stopped in the first epochs, epochs done " + t.epochsDone());
        if (Files.exists(best)) {
            ModelFile.load(best); // whatever was written before the NaN is a valid model file
        }
    }

    @Test
    void progressLinesFollowKeras() {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        Trainer t = trainer(smallCnn(1));
        t.fit(ArrayFeed.blobs(64, 4, SAMPLE, 3), new FitOptions().epochs(2).batchSize(16)
                .validation(ArrayFeed.blobs(16, 4, SAMPLE, 4))
                .progressTo(new PrintStream(buf, true, StandardCharsets.UTF_8), false));
        String s = buf.toString(StandardCharsets.UTF_8);
        String[] lines = s.strip().split("\n");
        assertEquals("Epoch 1/2", lines[0]);
        assertTrue(lines[1].matches("4/4 ━{20} \\d+s \\d+(ms|us|s)/step - accuracy: \\d\\.\\d{4} - loss: \\d\\.\\d{4}"
                + " - val_accuracy: \\d\\.\\d{4} - val_loss: \\d\\.\\d{4}"), lines[1]);
        assertEquals("Epoch 2/2", lines[2]);
        assertEquals(4, lines.length, s);
    }

    @Test
    void throughputLeavesOutTheFirstStepsOfAFit() {
        Trainer t = trainer(smallCnn(1));
        t.fit(ArrayFeed.blobs(160, 4, SAMPLE, 3), quiet(1)); // 10 steps of 16: all warm-up
        assertTrue(Double.isNaN(t.throughput()), "throughput " + t.throughput());
        t.fit(ArrayFeed.blobs(160, 4, SAMPLE, 3), quiet(2)); // 20 steps: the last 10 count
        assertEquals(10 * 16, t.steadyImages());
        assertTrue(t.throughput() > 0 && Double.isFinite(t.throughput()), "throughput " + t.throughput());
    }
}
