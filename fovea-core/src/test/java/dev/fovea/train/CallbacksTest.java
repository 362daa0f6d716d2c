package dev.fovea.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fovea.FoveaException;
import dev.fovea.io.ModelFile;
import dev.fovea.loss.SparseCategoricalCrossentropy;
import dev.fovea.nn.ActivationFunction;
import dev.fovea.nn.Dense;
import dev.fovea.nn.Input;
import dev.fovea.nn.Model;
import dev.fovea.optim.Adam;
import dev.fovea.optim.Optimizer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Each callback driven by a scripted sequence of epoch logs through a recording context. */
class CallbacksTest {
    /** A context over a one-layer model whose weights the test can set to tell epochs apart. */
    static final class Ctx implements TrainContext {
        final Model model;
        final Optimizer optimizer = new Adam(0.01);
        final History history = new History();
        String stopped;
        double scale = 1;
        int saves;
        Path lastSave;

        Ctx() {
            var x = Input.of(2);
            model = Model.of(x, new Dense(1, ActivationFunction.LINEAR).apply(x));
        }

        void setWeight(float v) {
            model.params().get(0).value()[0] = v;
        }

        float weight() {
            return model.params().get(0).value()[0];
        }

        @Override
        public Model model() {
            return model;
        }

        @Override
        public Optimizer optimizer() {
            return optimizer;
        }

        @Override
        public History history() {
            return history;
        }

        @Override
        public void stop(String reason) {
            stopped = reason;
        }

        @Override
        public boolean stopRequested() {
            return stopped != null;
        }

        @Override
        public double learningRateScale() {
            return scale;
        }

        @Override
        public void setLearningRateScale(double s) {
            scale = s;
        }

        @Override
        public void saveModel(Path file) {
            ModelFile.save(file, model, ModelFile.Info.of(List.of()));
            saves++;
            lastSave = file;
        }

        @Override
        public void saveCheckpoint(Path file) throws IOException {
            throw new IOException("not used");
        }
    }

    static Map<String, Double> logs(double valLoss, double valAcc) {
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("loss", valLoss);
        m.put("val_loss", valLoss);
        m.put("val_accuracy", valAcc);
        return m;
    }

    @Test
    void earlyStoppingStopsAfterPatienceAndRestoresTheBestWeights() {
        Ctx ctx = new Ctx();
        EarlyStopping es = new EarlyStopping("val_loss", 0.0, 2, true);
        double[] losses = {1.0, 0.8, 0.9, 0.85, 0.7};
        int stoppedAt = -1;
        for (int e = 1; e <= losses.length && ctx.stopped == null; e++) {
            ctx.setWeight(e);
            es.onEpochEnd(ctx, e, logs(losses[e - 1], 0));
            stoppedAt = e;
        }
        assertEquals(4, stoppedAt, "two epochs without improvement after epoch 2");
        assertTrue(ctx.stopped.contains("val_loss has not improved for 2 epochs"), ctx.stopped);
        assertEquals(2f, ctx.weight(), "weights of the best epoch (2) are back");
        assertEquals(2, es.bestEpoch());
    }

    @Test
    void earlyStoppingOnAccuracyMaximizesAndHonoursMinDelta() {
        Ctx ctx = new Ctx();
        EarlyStopping es = new EarlyStopping("val_accuracy", 0.01, 1, false);
        es.onEpochEnd(ctx, 1, logs(1, 0.50));
        es.onEpochEnd(ctx, 2, logs(1, 0.505)); // +0.005 < minDelta: no improvement
        assertTrue(ctx.stopped != null);
        FoveaException e = assertThrows(FoveaException.class,
                () -> new EarlyStopping("val_f1", 1).onEpochEnd(new Ctx(), 1, logs(1, 1)));
        assertTrue(e.getMessage().contains("monitors 'val_f1'"), e.getMessage());
    }

    @Test
    void modelCheckpointBestOnlyWritesOnImprovement(@TempDir Path tmp) {
        Ctx ctx = new Ctx();
        Path f = tmp.resolve("best.safetensors");
        ModelCheckpoint mc = new ModelCheckpoint(f, "val_accuracy", true);
        double[] acc = {0.5, 0.4, 0.6, 0.6, 0.55};
        for (int e = 1; e <= acc.length; e++) {
            ctx.setWeight(e);
            mc.onEpochEnd(ctx, e, logs(1, acc[e - 1]));
        }
        assertEquals(2, mc.saves());
        assertEquals(3f, ModelFile.load(f).model().params().get(0).value()[0], "the file holds epoch 3's weights");
    }

    @Test
    void reduceLrOnPlateauCutsTheRateAfterPatienceThenCoolsDown() {
        Ctx ctx = new Ctx();
        ReduceLROnPlateau r = new ReduceLROnPlateau("val_loss", 0.5, 2, 1, 1e-4, 0);
        double[] losses = {1.0, 1.0, 1.0, 1.0, 1.0, 1.0};
        // Keras: the cooldown epoch resets the wait, so the next cut comes two epochs after it.
        double[] expected = {1, 1, 0.5, 0.5, 0.25, 0.25};
        for (int e = 1; e <= losses.length; e++) {
            r.onEpochEnd(ctx, e, logs(losses[e - 1], 0));
            assertEquals(expected[e - 1], ctx.scale, 1e-12, "epoch " + e);
        }
        ReduceLROnPlateau floor = new ReduceLROnPlateau("val_loss", 0.1, 1, 0, 0.005, 0);
        Ctx c2 = new Ctx();
        floor.onEpochEnd(c2, 1, logs(1, 0));
        floor.onEpochEnd(c2, 2, logs(1, 0));
        floor.onEpochEnd(c2, 3, logs(1, 0));
        assertEquals(0.005, c2.learningRate(), 1e-12, "never below min_lr");
    }

    @Test
    void csvLoggerRewritesTheWholeHistoryEachEpoch(@TempDir Path tmp) throws Exception {
        Ctx ctx = new Ctx();
        Path f = tmp.resolve("history.csv");
        CsvLogger log = new CsvLogger(f);
        ctx.history.add(1, logs(0.5, 0.75));
        log.onEpochEnd(ctx, 1, logs(0.5, 0.75));
        ctx.history.add(2, logs(0.25, 0.875));
        log.onEpochEnd(ctx, 2, logs(0.25, 0.875));
        assertEquals(List.of("epoch,loss,val_loss,val_accuracy", "1,0.5,0.5,0.75", "2,0.25,0.25,0.875"),
                Files.readAllLines(f));
        assertEquals(ctx.history.toCsv(), History.fromCsv(Files.readString(f)).toCsv());
    }

    @Test
    void terminateOnNanStopsOnNonFiniteLossOnly() {
        Ctx ctx = new Ctx();
        TerminateOnNaN t = new TerminateOnNaN();
        t.onBatchEnd(ctx, 1, Map.of("loss", 2.3));
        assertFalse(t.triggered());
        t.onBatchEnd(ctx, 2, Map.of("loss", Double.POSITIVE_INFINITY));
        assertTrue(t.triggered());
        assertTrue(ctx.stopped.contains("at batch 2"), ctx.stopped);
    }

    @Test
    void learningRateScaleReachesTheOptimizerStep() {
        // A plateau halving the rate must halve the next update: SGD on a single weight.
        var x = Input.of(1);
        ArrayFeed data = new ArrayFeed(new float[]{1f}, new int[]{0}, dev.fovea.tensor.Shape.of(1), 1);
        Callback halve = new Callback() {
            @Override
            public void onEpochEnd(TrainContext ctx, int epoch, Map<String, Double> logs) {
                ctx.setLearningRateScale(0.5);
            }
        };
        Model two = Model.of(x, new Dense(Dense.Config.of(2).useBias(false)).apply(x));
        float[] w = two.params().get(0).value();
        w[0] = 0f;
        w[1] = 0f;
        Trainer t2 = new Trainer(two, new dev.fovea.optim.SGD(0.1), new SparseCategoricalCrossentropy(true, 0f));
        t2.fit(data, new FitOptions().epochs(2).batchSize(1).verbose(0).callbacks(halve));
        // Step 1 (lr 0.1): grad = p − onehot = (0.5 − 1, 0.5) → w = (0.05, −0.05).
        // Step 2 (lr 0.05): p0 = σ(0.1) → grad0 = p0 − 1; w0 = 0.05 − 0.05·(p0 − 1).
        double p0 = 1 / (1 + Math.exp(-0.1));
        assertArrayEquals(new float[]{(float) (0.05 - 0.05 * (p0 - 1)), (float) (-0.05 - 0.05 * (1 - p0))}, w, 1e-6f);
        assertEquals(0.5, t2.learningRateScale());
    }
}
