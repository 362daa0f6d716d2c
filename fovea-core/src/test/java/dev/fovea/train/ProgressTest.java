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

    /** Visible lines (escapes removed) of everything written, each redraw after a carriage return on its own. */
    private static java.util.List<String> shown(ByteArrayOutputStream buf) {
        String s = buf.toString(StandardCharsets.UTF_8).replaceAll("\u001b\\[[0-9;]*[A-Za-z]", "");
        return java.util.Arrays.stream(s.split("[\r\n]")).filter(l -> !l.isEmpty()).toList();
    }

    /**
     * Issue 20, defect 6: a resumed epoch says where it resumes and shows its bar at once, at the
     * batches already done, while it replays them; it used to print "Epoch 1/11" and nothing
     * else until two steps after the catch-up.
     */
    @Test
    void aResumedEpochSaysWhereAndDrawsTheBarAtOnce() {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        Progress p = new Progress(new PrintStream(buf, true, StandardCharsets.UTF_8), true, 1, () -> now);
        p.epochBegin(1, 11, 48, 32, 480);
        java.util.List<String> lines = shown(buf);
        assertEquals("Epoch 1/11, resuming at batch 33 of 48", lines.get(0));
        assertEquals("32/48 ━━━━━━━━━━━━━━━━━━━━", lines.get(1).strip(), "the bar, before any batch ran");
        for (int i = 1; i <= 32; i++) {
            now += 200_000_000L;
            p.skipping(i, 32);
        }
        assertEquals("32/48 ━━━━━━━━━━━━━━━━━━━━ catching up: 32 of 32 batches replayed", lastBar(buf).strip());
    }

    /** Issue 20, defect 6: with epochs to come, the bar gives the run's time left beside the epoch's. */
    @Test
    void theBarGivesTheWholeRunsTimeLeft() {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        Progress p = new Progress(new PrintStream(buf, true, StandardCharsets.UTF_8), true, 1, () -> now);
        p.epochBegin(1, 3, 100, 0, 200);
        for (int step = 1; step <= 100; step++) {
            now += 100_000_000L;
            p.batchEnd(step, Map.of("loss", 2.0));
            if (step == 40) {
                // 60 steps of this epoch and 200 of the next two at 0.1 s
                assertTrue(lastBar(buf).contains(" 6s (run 26s) 100ms/step - loss: 2.0000"), lastBar(buf));
            }
        }
        now += 3_000_000_000L; // validation
        p.epochEnd(Map.of("loss", 2.0));
        now += 1_000_000_000L; // saving
        p.epochBegin(2, 3, 100, 0, 100);
        for (int step = 1; step <= 10; step++) {
            now += 100_000_000L;
            p.batchEnd(step, Map.of("loss", 2.0));
        }
        // 190 steps at 0.1 s, and 4 s of validation and saving after each of the 2 epochs left
        assertTrue(lastBar(buf).contains(" 9s (run 27s) 100ms/step"), lastBar(buf));
    }

    /**
     * Issue 20, defect 4: on an 80-column terminal no line comes near the last column (a longer
     * redraw folds, and \r then redraws only its last row; an echoed ^C needs 2 more); the line
     * that ends the epoch breaks between metrics, under the bar.
     */
    @Test
    void everyLineFitsEightyColumns() {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        Progress p = new Progress(new PrintStream(buf, true, StandardCharsets.UTF_8), true, 1, () -> now);
        Map<String, Double> logs = new java.util.LinkedHashMap<>();
        logs.put("accuracy", 0.6312);
        logs.put("loss", 1.0457);
        p.epochBegin(3, 50, 1563, 1200, 1563L * 47);
        for (int step = 1201; step <= 1563; step++) {
            now += 25_000_000L;
            p.batchEnd(step, logs);
        }
        logs.put("val_accuracy", 0.5466);
        logs.put("val_loss", 1.2807);
        p.epochEnd(logs);
        java.util.List<String> lines = shown(buf);
        for (String l : lines) {
            // 3 columns stay free, for the ^C a terminal echoes when Ctrl-C is pressed.
            assertTrue(l.codePointCount(0, l.length()) <= 77, l.length() + ": " + l);
        }
        // The bar gives up 12 characters so that the run's time fits: 363 + 47·1563 steps at 25 ms.
        assertTrue(lines.contains("1204/1563 ━━━━━━━━ 9s (run 30:46) 25ms/step - accuracy: 0.6312 - loss: 1.0457"),
                String.join("\n", lines));
        int n = lines.size();
        assertEquals("1563/1563 ━━━━━━━━━━━━━━━━━━━━ 9s 25ms/step - accuracy: 0.6312 - loss: 1.0457", lines.get(n - 2));
        assertEquals("          - val_accuracy: 0.5466 - val_loss: 1.2807", lines.get(n - 1));
    }
}
