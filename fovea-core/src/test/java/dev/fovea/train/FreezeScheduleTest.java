package dev.fovea.train;

import static dev.fovea.train.TrainerTest.SAMPLE;
import static dev.fovea.train.TrainerTest.quiet;
import static dev.fovea.train.TrainerTest.smallCnn;
import static dev.fovea.train.TrainerTest.trainer;
import static dev.fovea.train.TrainerTest.weights;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fovea.FoveaException;
import dev.fovea.io.ModelFile;
import dev.fovea.nn.Model;
import dev.fovea.nn.Param;
import dev.fovea.train.FreezeSchedule.Rule;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FreezeScheduleTest {

    private static Param param(Model m, String name) {
        Param p = m.namedParams().get(name);
        assertNotNull(p, name + " among " + m.namedParams().keySet());
        return p;
    }

    /** The airbench-like schedule on the small CNN: conv kernel always, conv bias after 3 epochs, dense kernel for the first 2. */
    private static FreezeSchedule schedule() {
        return new FreezeSchedule(Rule.always("conv2d/kernel"), Rule.trainedFor(3, "conv2d/bias"),
                Rule.frozenFor(2, "dense/kernel"));
    }

    /** Records, per epoch, the frozen flags at its start (after the schedule ran) and the weights at its end. */
    private static final class Recorder implements Callback {
        final List<Param> watched;
        final List<boolean[]> frozen = new ArrayList<>();
        final List<float[][]> weightsAtEnd = new ArrayList<>();

        Recorder(List<Param> watched) {
            this.watched = watched;
        }

        @Override
        public void onEpochBegin(TrainContext ctx, int epoch) {
            boolean[] f = new boolean[watched.size()];
            for (int i = 0; i < f.length; i++) {
                f[i] = watched.get(i).frozen();
            }
            frozen.add(f);
        }

        @Override
        public void onEpochEnd(TrainContext ctx, int epoch, Map<String, Double> logs) {
            float[][] w = new float[watched.size()][];
            for (int i = 0; i < w.length; i++) {
                w[i] = watched.get(i).value().clone();
            }
            weightsAtEnd.add(w);
        }
    }

    @Test
    void rulesGiveTheStateOfEachEpoch() {
        Model m = smallCnn(7);
        // "dense_1" names the whole layer: its kernel and bias.
        FreezeSchedule s = new FreezeSchedule(Rule.always("conv2d/kernel"), Rule.trainedFor(3, "conv2d/bias"),
                Rule.frozenFor(2, "dense_1"), new Rule(List.of("dense_1/bias"), 5, 5));
        Param a = param(m, "conv2d/kernel");
        Param b = param(m, "conv2d/bias");
        Param c = param(m, "dense_1/kernel");
        Param d = param(m, "dense_1/bias");
        boolean[][] expected = {
            // a, b, c, d at epochs 1..6
            {true, false, true, true}, {true, false, true, true}, {true, false, false, false},
            {true, true, false, false}, {true, true, false, true}, {true, true, false, false}};
        for (int e = 1; e <= 6; e++) {
            s.apply(m, e);
            assertArrayEquals(expected[e - 1], new boolean[]{a.frozen(), b.frozen(), c.frozen(), d.frozen()}, "epoch " + e);
        }
        Param other = param(m, "dense/bias");
        other.setFrozen(true);
        s.apply(m, 1);
        assertTrue(other.frozen(), "parameters the schedule does not name are left alone");
        m.initialize(8);
        s.apply(m, 1);
        assertTrue(param(m, "conv2d/kernel").frozen(), "names resolve to the re-initialized parameters");
        FoveaException ex = assertThrows(FoveaException.class, () -> new Rule(List.of("conv2d"), 0, 3));
        assertTrue(ex.getMessage().contains("received 0..3"), ex.getMessage());
        ex = assertThrows(FoveaException.class, () -> Rule.trainedFor(-1, "conv2d"));
        assertTrue(ex.getMessage().contains("received -1"), ex.getMessage());
        ex = assertThrows(FoveaException.class, () -> Rule.always());
        assertTrue(ex.getMessage().contains("expects one or more parameter or layer names"), ex.getMessage());
        ex = assertThrows(FoveaException.class, () -> new FreezeSchedule(Rule.always("conv2/kernel")).apply(m, 1));
        assertTrue(ex.getMessage().contains("has no parameter or layer named 'conv2/kernel'; its parameters are conv2d/kernel,"),
                ex.getMessage());
    }

    @Test
    void frozenParametersStayBitIdenticalDuringFit() {
        Model m = smallCnn(7);
        List<Param> watched = List.of(param(m, "conv2d/kernel"), param(m, "conv2d/bias"), param(m, "dense/kernel"));
        float[][] initial = new float[3][];
        for (int i = 0; i < 3; i++) {
            initial[i] = watched.get(i).value().clone();
        }
        Recorder rec = new Recorder(watched);
        trainer(m).fit(ArrayFeed.blobs(64, 4, SAMPLE, 3), quiet(5).callbacks(schedule(), rec));
        boolean[][] expectedFrozen = {{true, false, true}, {true, false, true}, {true, false, false},
            {true, true, false}, {true, true, false}};
        for (int e = 0; e < 5; e++) {
            assertArrayEquals(expectedFrozen[e], rec.frozen.get(e), "frozen flags at the start of epoch " + (e + 1));
            float[][] end = rec.weightsAtEnd.get(e);
            float[][] start = e == 0 ? initial : rec.weightsAtEnd.get(e - 1);
            for (int i = 0; i < 3; i++) {
                assertEquals(expectedFrozen[e][i], Arrays.equals(start[i], end[i]),
                        watched.get(i).name() + " of parameter " + i + " unchanged in epoch " + (e + 1));
            }
        }
    }

    /** Resumed at epoch 4 from a checkpoint of epoch 3, the fresh parameters get epoch 4's state and the run ends bit-identical. */
    @Test
    void resumeAtEpoch4HasTheFrozenStateOfEpoch4(@TempDir Path tmp) {
        ArrayFeed data = ArrayFeed.blobs(64, 4, SAMPLE, 3);
        Model straightModel = smallCnn(7);
        Trainer straight = trainer(straightModel);
        straight.fit(data, quiet(5).callbacks(schedule()));

        Model firstModel = smallCnn(7);
        Trainer first = trainer(firstModel);
        first.fit(data, quiet(3).callbacks(schedule()));
        Path ckpt = tmp.resolve("checkpoint.safetensors");
        first.saveCheckpoint(ckpt);

        Model rebuilt = ModelFile.load(ckpt).model();
        assertFalse(param(rebuilt, "conv2d/bias").frozen(), "a loaded parameter starts unfrozen");
        Trainer resumed = trainer(rebuilt);
        resumed.restoreCheckpoint(ckpt);
        List<Param> watched = List.of(param(rebuilt, "conv2d/kernel"), param(rebuilt, "conv2d/bias"),
                param(rebuilt, "dense/kernel"));
        Recorder rec = new Recorder(watched);
        resumed.fit(data, quiet(2).callbacks(schedule(), rec));
        assertArrayEquals(new boolean[]{true, true, false}, rec.frozen.get(0), "state at the start of epoch 4");
        float[][] a = weights(straight.model());
        float[][] b = weights(resumed.model());
        for (int i = 0; i < a.length; i++) {
            assertArrayEquals(a[i], b[i], "parameter " + i);
        }
    }
}
