package dev.fovea.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.fovea.FoveaException;
import org.junit.jupiter.api.Test;

class LearningRateScheduleTest {
    private static final double TOL = 1e-12;

    @Test
    void constantAndStepDecay() {
        assertEquals(0.3, new Constant(0.3).at(12345));
        StepDecay s = new StepDecay(0.1, 0.1, 10);
        assertEquals(0.1, s.at(0), TOL);
        assertEquals(0.1, s.at(9), TOL);
        assertEquals(0.01, s.at(10), TOL);
        assertEquals(0.001, s.at(25), TOL);
    }

    @Test
    void cosineDecayAsKeras() {
        CosineDecay c = new CosineDecay(0.1, 100, 0.1);
        assertEquals(0.1, c.at(0), TOL);
        assertEquals(0.1 * (0.9 * 0.5 + 0.1), c.at(50), TOL);
        assertEquals(0.1 * (0.9 * 0.5 * (1 + Math.cos(Math.PI * 0.25)) + 0.1), c.at(25), TOL);
        assertEquals(0.01, c.at(100), TOL);
        assertEquals(0.01, c.at(1000), TOL);
        assertEquals(0.0, new CosineDecay(1, 10).at(10), TOL);
    }

    @Test
    void linearWarmupRampsThenShiftsTheInnerSchedule() {
        LinearWarmup w = new LinearWarmup(new CosineDecay(0.1, 100), 10, 0.01);
        assertEquals(0.01, w.at(0), TOL);
        assertEquals(0.01 + 0.09 * 0.5, w.at(5), TOL);
        assertEquals(0.1, w.at(10), TOL);
        assertEquals(0.1 * 0.5, w.at(60), TOL);   // cosine half-way: 50 steps after the warm-up
        assertEquals(0.02, new LinearWarmup(new Constant(0.04), 4).at(2), TOL);
        assertEquals(0.04, new LinearWarmup(new Constant(0.04), 0).at(0), TOL);
    }

    @Test
    void oneCycleAsPyTorch() {
        // maxLr 0.1 over 100 steps: start 0.004, peak at step 29, end 4e-7 at step 99.
        OneCycle c = new OneCycle(0.1, 100);
        assertEquals(0.004, c.at(0), TOL);
        assertEquals(0.1, c.at(29), TOL);
        assertEquals(0.1 + (0.004 - 0.1) / 2 * (Math.cos(Math.PI * 10 / 29.0) + 1), c.at(10), TOL);
        assertEquals(4e-7 + (0.1 - 4e-7) / 2, c.at(64), TOL);
        assertEquals(4e-7, c.at(99), TOL);
        assertEquals(4e-7, c.at(150), TOL);
        OneCycle lin = new OneCycle(0.1, 100, 0.3, 25, 1e4, OneCycle.Anneal.LINEAR);
        assertEquals(0.004 + 0.096 * 10 / 29.0, lin.at(10), TOL);
        assertEquals(0.1 + (4e-7 - 0.1) * 0.5, lin.at(64), TOL);
    }

    @Test
    void rejectsInvalidSettings() {
        FoveaException e = assertThrows(FoveaException.class, () -> new StepDecay(0.1, 0.5, 0));
        assertEquals("StepDecay: expects initial >= 0, factor > 0 and everySteps >= 1, received 0.1, 0.5, 0",
                e.getMessage());
        assertThrows(FoveaException.class, () -> new CosineDecay(0.1, 10, 2));
        assertThrows(FoveaException.class, () -> new Constant(-1));
        assertThrows(FoveaException.class, () -> new OneCycle(0.1, 100, 1.0, 25, 1e4, OneCycle.Anneal.COSINE));
    }
}
