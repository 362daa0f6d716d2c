package dev.fovea.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fovea.FoveaException;
import dev.fovea.loss.SparseCategoricalCrossentropy;
import dev.fovea.nn.Dropout;
import dev.fovea.nn.Layer;
import dev.fovea.nn.Model;
import dev.fovea.nn.RandomState;
import dev.fovea.optim.ExponentialRamp;
import dev.fovea.optim.SGD;
import dev.fovea.tensor.Shape;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LearningRateFinderTest {
    private static final Shape SAMPLE = Shape.of(8, 8, 3);

    private static LearningRateFinder.Result find(Model m, ArrayFeed data, LearningRateFinder.Options o) {
        return LearningRateFinder.run(m, ramp -> new SGD(ramp, 0.9, false, 0), new SparseCategoricalCrossentropy(),
                null, data, 16, false, o);
    }

    @Test
    void theRampRisesByEqualFactorsFromStartToEnd() {
        ExponentialRamp r = new ExponentialRamp(1e-7, 10, 101);
        assertEquals(1e-7, r.at(0), 1e-20);
        assertEquals(1e-3, r.at(50), 1e-15); // halfway on the log axis: 1e-7 · 1e8^(1/2)
        assertEquals(10, r.at(100), 1e-12);
        assertEquals(10, r.at(500), 1e-12); // holds the end
        assertEquals(Math.pow(1e8, 1.0 / 100), r.at(1) / r.at(0), 1e-12);
        assertThrows(FoveaException.class, () -> new ExponentialRamp(1, 1, 10));
        assertThrows(FoveaException.class, () -> new ExponentialRamp(0, 1, 10));
        assertThrows(FoveaException.class, () -> new ExponentialRamp(1e-3, 1, 1));
    }

    @Test
    void eachStepUsesTheRampsRateAndTheSmoothedLossIsTheBiasCorrectedAverageOfTheLosses() {
        Model m = TrainerTest.smallCnn(3);
        ArrayFeed data = ArrayFeed.blobs(96, 4, SAMPLE, 5); // 6 batches of 16: the test runs over epochs
        var o = new LearningRateFinder.Options(1e-5, 1e-1, 20, 0.9, 1e9);
        LearningRateFinder.Result r = find(m, data, o);
        assertEquals(20, r.steps());
        assertFalse(r.diverged());
        double avg = 0;
        for (int i = 0; i < 20; i++) {
            assertEquals(1e-5 * Math.pow(1e4, i / 19.0), r.lrs()[i], 1e-12 * r.lrs()[i] + 1e-18, "rate of step " + i);
            avg = 0.9 * avg + 0.1 * r.losses()[i];
            assertEquals(avg / (1 - Math.pow(0.9, i + 1)), r.smoothed()[i], 1e-12, "smoothed loss of step " + i);
        }
        // The first smoothed value is the first loss itself (bias correction).
        assertEquals(r.losses()[0], r.smoothed()[0], 1e-12);
        String[] csv = r.toCsv().split("\n");
        assertEquals("lr,loss,smoothed_loss", csv[0]);
        assertEquals(21, csv.length);
    }

    @Test
    void theModelIsBitForBitAsItWasAfterwardsMovingStatisticsAndDropoutRngIncluded() {
        Model m = TrainerTest.smallCnn(7);
        float[][] before = TrainerTest.weights(m);
        float[][] beforeAll = m.namedParams().values().stream().map(p -> p.value().clone()).toArray(float[][]::new);
        long rng = dropoutRng(m);
        LearningRateFinder.Result r = find(m, ArrayFeed.blobs(64, 4, SAMPLE, 1), LearningRateFinder.Options.defaults());
        assertTrue(r.steps() > 10);
        float[][] afterAll = m.namedParams().values().stream().map(p -> p.value().clone()).toArray(float[][]::new);
        for (int i = 0; i < beforeAll.length; i++) {
            assertArrayEquals(beforeAll[i], afterAll[i], "parameter " + i + " (moving statistics included)");
        }
        float[][] after = TrainerTest.weights(m);
        for (int i = 0; i < before.length; i++) {
            assertArrayEquals(before[i], after[i]);
        }
        assertEquals(rng, dropoutRng(m));
        // And the same test again finds the same curve: nothing it changed leaked into the second run.
        LearningRateFinder.Result again = find(m, ArrayFeed.blobs(64, 4, SAMPLE, 1),
                LearningRateFinder.Options.defaults());
        assertArrayEquals(r.losses(), again.losses());
    }

    @Test
    void itStopsOnceTheSmoothedLossExceedsFourTimesItsBestAndSuggestsARateWhereTheLossStillFalls() {
        Model m = TrainerTest.smallCnn(11);
        ArrayFeed data = ArrayFeed.blobs(256, 4, SAMPLE, 2);
        var o = LearningRateFinder.Options.defaults().withRange(1e-5, 1e4).withSteps(120);
        LearningRateFinder.Result r = find(m, data, o);
        assertTrue(r.diverged(), "a rate of 1e4 must blow SGD up");
        assertTrue(r.steps() < 120);
        double best = Double.POSITIVE_INFINITY;
        for (int i = 0; i < r.steps() - 1; i++) {
            best = Math.min(best, r.smoothed()[i]);
        }
        double last = r.smoothed()[r.steps() - 1];
        assertTrue(!Double.isFinite(last) || last > 4 * best, "stopped at " + last + " with best " + best);
        double lr = r.suggestion();
        assertTrue(lr < r.lrs()[r.steps() - 1] && lr > 1e-5, "suggested " + lr);
        // An independent check of the suggestion: two epochs at that rate lower the loss much more
        // than two at a hundredth of it, and do not diverge.
        double atSuggestion = lossAfterTwoEpochs(lr, data);
        double atHundredth = lossAfterTwoEpochs(lr / 100, data);
        double initial = lossAfterTwoEpochs(0, data);
        assertTrue(Double.isFinite(atSuggestion) && atSuggestion < atHundredth && atSuggestion < 0.8 * initial,
                "loss after two epochs: " + atSuggestion + " at " + lr + ", " + atHundredth + " at a hundredth, "
                        + initial + " untrained");
    }

    private static double lossAfterTwoEpochs(double lr, ArrayFeed data) {
        Model m = TrainerTest.smallCnn(11);
        Trainer t = new Trainer(m, new SGD(new dev.fovea.optim.Constant(lr), 0.9, false, 0),
                new SparseCategoricalCrossentropy());
        t.fit(data, new FitOptions().epochs(2).batchSize(16).verbose(0));
        return t.evaluate(data, 64).get("loss");
    }

    @Test
    void theValleyIsTheMiddleOfTheLongestFallingStretch() {
        // Steps 1..9 (step 0 is the first tenth): the longest falling subsequence is 9, 8, 7, 6, 5
        // at steps 1, 2, 4, 5, 6; its middle by index is step (1 + 6) / 2 = 3.
        double[] s = {12, 9, 8, 9, 7, 6, 5, 7, 8, 9};
        assertEquals(3, LearningRateFinder.valley(s, false));
        // After a divergence the last five steps are the blow-up and are left out.
        double[] d = {12, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0.5, 30, 40, 80, 100, 1e3};
        // steps 1..11 fall all the way (16 − 5 = 11 is the end): middle (1 + 11) / 2 = 6.
        assertEquals(6, LearningRateFinder.valley(d, true));
    }

    @Test
    void optionsOutOfRangeAreRefusedWithWhatIsExpected() {
        FoveaException e = assertThrows(FoveaException.class,
                () -> new LearningRateFinder.Options(1e-3, 1e-4, 100, 0.98, 4));
        assertTrue(e.getMessage().contains("0 < start < end"), e.getMessage());
        assertThrows(FoveaException.class, () -> new LearningRateFinder.Options(1e-7, 10, 100, 1.0, 4));
        assertThrows(FoveaException.class, () -> new LearningRateFinder.Options(1e-7, 10, 100, 0.98, 1));
    }

    private static long dropoutRng(Model m) {
        for (Map.Entry<String, Layer> e : m.namedLayers().entrySet()) {
            if (e.getValue() instanceof Dropout && e.getValue() instanceof RandomState r) {
                return r.rngState();
            }
        }
        throw new AssertionError("no dropout in " + List.copyOf(m.namedLayers().keySet()));
    }
}
