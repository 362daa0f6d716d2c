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
import dev.fovea.nn.BatchNormalization;
import dev.fovea.nn.Dense;
import dev.fovea.nn.Input;
import dev.fovea.nn.Model;
import dev.fovea.nn.Param;
import dev.fovea.optim.Optimizer;
import dev.fovea.optim.ParamGroup;
import dev.fovea.optim.SGD;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LookaheadTest {
    /** An optimizer whose step count the test sets, so the callback sees chosen global steps. */
    private static final class Steps implements Optimizer {
        long t;

        @Override
        public String name() {
            return "steps";
        }

        @Override
        public void step(List<ParamGroup> groups) {
            t++;
        }

        @Override
        public double learningRate() {
            return 0;
        }

        @Override
        public long iterations() {
            return t;
        }

        @Override
        public Map<String, float[]> state() {
            return Map.of();
        }

        @Override
        public void load(Map<String, float[]> state, long iterations) {
        }
    }

    private static TrainContext context(Model m, Optimizer o) {
        return new TrainContext() {
            public Model model() {
                return m;
            }

            public Optimizer optimizer() {
                return o;
            }

            public History history() {
                return new History();
            }

            public void stop(String reason) {
            }

            public boolean stopRequested() {
                return false;
            }

            public double learningRateScale() {
                return 1;
            }

            public void setLearningRateScale(double scale) {
            }

            public void saveModel(Path file) {
            }

            public void saveCheckpoint(Path file) {
            }
        };
    }

    private static void setAll(Model m, float v) {
        for (Param p : m.params()) {
            Arrays.fill(p.value(), v);
        }
    }

    private static void assertAll(Model m, double expected, String when) {
        for (Map.Entry<String, Param> e : m.namedParams().entrySet()) {
            for (float v : e.getValue().value()) {
                assertEquals(expected, v, 1e-6, e.getKey() + " " + when);
            }
        }
    }

    @Test
    void averagesEveryKStepsIncludingRunningStatsAndEndsOnTheAverage() {
        var x = Input.of(2);
        Model m = Model.of(x, new BatchNormalization().apply(new Dense(1).apply(x)));
        assertTrue(m.params().stream().anyMatch(p -> !p.trainable()), "the test needs a non-trainable parameter");
        Steps opt = new Steps();
        TrainContext ctx = context(m, opt);
        // every 2 steps, decay 0.5, power 1, 5 steps: d(t) = 0.25·t/5
        Lookahead la = new Lookahead(5, 2, 0.5, 1);
        setAll(m, 1f);
        la.onTrainBegin(ctx);
        float[] trained = {2, 3, 4, 5, 6, 7};
        // ema = 1; t=2: d = 0.1, ema = 1 + 0.9·(3 − 1) = 2.8; t=4: d = 0.2, ema = 2.8 + 0.8·(5 − 2.8) = 4.56;
        // t=5 (the end): w ← ema; t=6: past the end, untouched.
        double[] expected = {2, 2.8, 4, 4.56, 4.56, 7};
        for (int i = 0; i < trained.length; i++) {
            opt.t = i + 1;
            setAll(m, trained[i]);
            la.onBatchEnd(ctx, i + 1, Map.of());
            assertAll(m, expected[i], "after step " + (i + 1));
        }
        assertEquals(Math.pow(0.95, 5) * Math.pow(100 / 476.0, 3), new Lookahead(476).decayAt(100), 1e-15);
    }

    @Test
    void restoredAverageMustMatchTheModel() {
        var x = Input.of(2);
        Model m = Model.of(x, new Dense(3).apply(x));
        Lookahead la = new Lookahead(10);
        la.restoreState(Map.of("ema/dense/kernel", new float[5], "ema/dense/bias", new float[3]));
        FoveaException e = assertThrows(FoveaException.class, () -> la.onTrainBegin(context(m, new Steps())));
        assertTrue(e.getMessage().contains("'dense/kernel' should hold 6 values, found 5 values"), e.getMessage());
    }

    private static Trainer trainer(Model m) {
        return new Trainer(m, new SGD(0.05, 0.9, true, 0), new SparseCategoricalCrossentropy(),
                new Accuracy());
    }

    @Test
    void interruptedRunResumesBitIdenticallyWithTheAverage(@TempDir Path tmp) throws IOException {
        ArrayFeed data = ArrayFeed.blobs(80, 4, TrainerTest.SAMPLE, 3);
        int total = 3 * 5;
        Trainer straight = trainer(TrainerTest.smallCnn(7));
        straight.fit(data, TrainerTest.quiet(3).callbacks(new Lookahead(total, 3, 0.95, 3)));
        Trainer plain = trainer(TrainerTest.smallCnn(7));
        plain.fit(data, TrainerTest.quiet(3));
        assertFalse(Arrays.deepEquals(TrainerTest.weights(plain.model()), TrainerTest.weights(straight.model())),
                "the average must change the weights, or the resume test proves nothing");

        Trainer first = trainer(TrainerTest.smallCnn(7));
        Callback ctrlC = new Callback() {
            @Override
            public void onBatchEnd(TrainContext ctx, int step, Map<String, Double> logs) {
                if (first.epochsDone() == 1 && step == 2) {
                    first.interrupt("interrupted");
                }
            }
        };
        first.fit(data, TrainerTest.quiet(3).callbacks(new Lookahead(total, 3, 0.95, 3), ctrlC));
        assertEquals(7, first.optimizer().iterations());
        Path ckpt = tmp.resolve("checkpoint.safetensors");
        first.saveCheckpoint(ckpt);

        Trainer resumed = trainer(ModelFile.load(ckpt).model());
        resumed.restoreCheckpoint(ckpt);
        resumed.fit(data, TrainerTest.quiet(3 - resumed.epochsDone()).callbacks(new Lookahead(total, 3, 0.95, 3)));
        float[][] a = TrainerTest.weights(straight.model());
        float[][] b = TrainerTest.weights(resumed.model());
        for (int i = 0; i < a.length; i++) {
            assertArrayEquals(a[i], b[i], "parameter " + i);
        }
    }
}
