package dev.fovea.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ProgressTest {
    /** A clock the test moves by hand, in nanoseconds. */
    private long now;

    private String lastBar(ByteArrayOutputStream buf) {
        String s = buf.toString(StandardCharsets.UTF_8);
        String last = s.substring(s.lastIndexOf('\r') + 1);
        return last.replaceAll("\u001b\\[[0-9;]*[A-Za-z]", "");
    }

    @Test
    void theEtaComesFromSteadyStepsNotFromTheSlowFirstOne() {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        Progress p = new Progress(new PrintStream(buf, true, StandardCharsets.UTF_8), true, 1, () -> now);
        p.epochBegin(1, 50, 400);
        now += 20_000_000_000L; // the first step: 20 s of JIT compilation
        p.batchEnd(1, Map.of("loss", 2.0));
        for (int step = 2; step <= 12; step++) {
            now += 100_000_000L; // then 0.1 s a step
            p.batchEnd(step, Map.of("loss", 2.0));
        }
        // 388 steps left at 0.1 s: 39 s. Averaging every step (21.1 s / 12) would say 11:22.
        String bar = lastBar(buf);
        assertTrue(bar.startsWith(" 12/400 "), bar);
        assertTrue(bar.contains(" 39s 100ms/step - loss: 2.0000"), bar);
    }

    @Test
    void aResumedEpochMeasuresOnlyTheStepsItRan() {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        Progress p = new Progress(new PrintStream(buf, true, StandardCharsets.UTF_8), true, 1, () -> now);
        p.epochBegin(2, 3, 100);
        // Resumed after batch 60: the first step seen is 61.
        for (int step = 61; step <= 70; step++) {
            now += 200_000_000L;
            p.batchEnd(step, Map.of());
        }
        String bar = lastBar(buf);
        assertTrue(bar.startsWith(" 70/100 "), bar);
        assertTrue(bar.contains(" 6s 200ms/step"), bar); // 30 steps left at 0.2 s
        now += 200_000_000L * 30;
        p.epochEnd(Map.of());
        String end = lastBar(buf).strip();
        assertEquals("100/100 ━━━━━━━━━━━━━━━━━━━━ 8s 200ms/step", end);
    }
}
