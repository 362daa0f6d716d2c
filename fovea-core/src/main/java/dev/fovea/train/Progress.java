package dev.fovea.train;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * Keras 3's progress bar on a stream (stderr): {@code Epoch 3/50}, then
 * {@code 120/782 ━━━━━━━━━━━━━━━━━━━━ 10s 14ms/step - accuracy: 0.6312 - loss: 1.0457}
 * redrawn in place with the ETA while running and the elapsed time at the end, followed by the
 * {@code val_} metrics. When the stream is not a terminal it writes one line per epoch.
 *
 * <p>The ETA and the running ms/step come from the later half of the steps done so far, not from
 * all of them: the first steps of a run are several times slower (the JIT compiles the kernels,
 * the batch thread fills its queue), and averaging them in gave ETAs like 22:40 for a 39-second
 * epoch. The line that ends an epoch shows the true elapsed time and mean time per step.
 *
 * <p>With epochs still to come, the ETA is followed by the whole run's, {@code 12s (run 9:41)}:
 * the steps left at the same pace plus, once an epoch has ended in this fit, each remaining
 * epoch's validation and saving as long as the last one took. A resumed epoch says so in its
 * header ({@code Epoch 1/11, resuming at batch 33 of 48}) and draws its bar at once, at the
 * batches already done, while the batches before the checkpoint are replayed (their order and
 * augmentation come from the seed, so reaching the checkpoint's place means producing them).
 *
 * <p>On a terminal a redrawn line must fit its width (a longer one folds, and the carriage
 * return then redraws only its last row), with room for the {@code ^C} the terminal echoes: the
 * bar shrinks to 6 characters, then the ms/step goes, then the line is cut. The line that ends
 * an epoch breaks between metrics instead.
 */
public final class Progress {
    private static final int BAR = 20;
    private static final int MIN_BAR = 6;
    /** Columns left free at the end of a line: the echoed {@code ^C} of a Ctrl-C, and the cursor after it. */
    private static final int ROOM_FOR_CTRL_C = 3;
    private final PrintStream out;
    private final boolean terminal;
    private final int verbose;
    private final int columns;
    private final LongSupplier nanoClock;
    private long epochStart;
    private long lastDraw;
    private int epoch;
    private int epochs;
    private int steps;
    /** Training steps of the epochs after this one in this fit (for the run's ETA). */
    private long laterSteps;
    /** Validation and saving of the last epoch that ended in this fit, in ns; -1 before any. */
    private long epochOverhead = -1;
    /** Clock at the end of the last epoch's training pass, for {@link #epochOverhead}; -1 before any. */
    private long lastPassEnd = -1;
    /** {@code stepEnd[i]}: clock at the end of step i of this epoch; the epoch's start stands before its first step. */
    private long[] stepEnd = new long[1];
    /** Batches done before this epoch's first {@link #batchEnd} (non-zero in a resumed epoch), -1 before it. */
    private int firstStep = -1;
    /** The bar's length in this epoch's redraws: it only shrinks, so it does not jitter as the times change. */
    private int barLength = BAR;

    /** {@code verbose} 0 = silent, 1 = bar, 2 = one line per epoch (Keras's meanings). */
    public Progress(PrintStream out, boolean terminal, int verbose) {
        this(out, terminal, verbose, terminalColumns(), System::nanoTime);
    }

    /** As above with the width and the clock given, in nanoseconds (tests drive it by hand). */
    Progress(PrintStream out, boolean terminal, int verbose, int columns, LongSupplier nanoClock) {
        this.out = out;
        this.terminal = terminal;
        this.verbose = verbose;
        this.columns = columns;
        this.nanoClock = nanoClock;
    }

    /** As {@link #Progress(PrintStream, boolean, int, int, LongSupplier)} at 80 columns. */
    Progress(PrintStream out, boolean terminal, int verbose, LongSupplier nanoClock) {
        this(out, terminal, verbose, 80, nanoClock);
    }

    /** Whether stderr is an interactive terminal: the launcher passes {@code -Dfovea.tty=1}. */
    public static boolean stderrIsTerminal() {
        String p = System.getProperty("fovea.tty");
        return p != null ? p.equals("1") : System.console() != null;
    }

    /** Narrower than this, no layout is readable: a smaller reported width is taken as a mistake. */
    private static final int MIN_COLUMNS = 40;

    /**
     * The terminal's width in columns: the pseudo-terminal's size, which the launcher reads with
     * {@code stty} and passes as {@code -Dfovea.columns}; else {@code COLUMNS} when exported; else
     * 80, the standard terminal (a pipe or a log file has no width, and 80 keeps tables readable
     * when the file is viewed later). Java cannot ask the terminal itself.
     */
    public static int terminalColumns() {
        for (String v : new String[]{System.getProperty("fovea.columns"), System.getenv("COLUMNS")}) {
            try {
                if (v != null && Integer.parseInt(v.strip()) >= MIN_COLUMNS) {
                    return Integer.parseInt(v.strip());
                }
            } catch (NumberFormatException ignored) {
                // not a number: try the next source
            }
        }
        return 80;
    }

    public void epochBegin(int epoch, int epochs, int steps) {
        epochBegin(epoch, epochs, steps, 0, 0);
    }

    /**
     * Epoch {@code epoch} of {@code epochs} begins with {@code steps} steps, {@code done} of them
     * trained before a checkpoint (a resumed epoch), and {@code laterSteps} in the epochs after it.
     */
    public void epochBegin(int epoch, int epochs, int steps, int done, long laterSteps) {
        long now = nanoClock.getAsLong();
        if (lastPassEnd >= 0) {
            epochOverhead = now - lastPassEnd;
        }
        this.epoch = epoch;
        this.epochs = epochs;
        this.steps = steps;
        this.laterSteps = laterSteps;
        barLength = BAR;
        epochStart = now;
        lastDraw = 0;
        if (stepEnd.length < steps + 1) {
            stepEnd = new long[steps + 1];
        }
        firstStep = -1;
        if (verbose > 0) {
            out.println("Epoch " + epoch + "/" + epochs
                    + (done > 0 ? ", resuming at batch " + (done + 1) + " of " + steps : ""));
        }
        if (done > 0 && verbose == 1 && terminal) {
            redraw(fit(done, head(done, "", "", ""), List.of(), ""));
        }
    }

    /**
     * While a resumed epoch replays the {@code of} batches before its checkpoint: {@code skipped}
     * of them so far. Shown on the bar, so a long catch-up is not mistaken for a hang.
     */
    public void skipping(int skipped, int of) {
        long now = nanoClock.getAsLong();
        if (skipped == of) {
            // The epoch's own time (its ETA and ms/step) starts at the checkpoint's place.
            epochStart = now;
        }
        if (verbose != 1 || !terminal || skipped < of && now - lastDraw < 100_000_000L) {
            return;
        }
        lastDraw = now;
        redraw(fit(of, head(of, "", "", ""), List.of(), "catching up: " + skipped + " of " + of + " batches replayed"));
    }

    /** After batch {@code step} (1-based) with the running averages. */
    public void batchEnd(int step, Map<String, Double> logs) {
        long now = nanoClock.getAsLong();
        if (firstStep < 0) {
            // A resumed epoch starts after the batches done before the interruption.
            firstStep = step - 1;
            stepEnd[Math.min(firstStep, stepEnd.length - 1)] = epochStart;
        }
        if (step < stepEnd.length) {
            stepEnd[step] = now;
        }
        if (step == steps) {
            lastPassEnd = now;
        }
        if (verbose != 1 || !terminal) {
            return;
        }
        // One step says nothing about the next ones (the first is mostly JIT compilation): the
        // bar appears once two have run (a resumed epoch's bar is already there).
        if (step < steps && (step - firstStep < 2 || now - lastDraw < 100_000_000L)) {
            return;
        }
        lastDraw = now;
        double elapsed = (now - epochStart) / 1e9;
        double perStep = steadySecondsPerStep(step, now);
        String time = step < steps ? formatSeconds(perStep * (steps - step)) : formatSeconds(elapsed);
        String run = step < steps && laterSteps > 0 ? "(run " + formatSeconds(runSeconds(step, perStep)) + ")" : "";
        redraw(fit(step, head(step, time, run, formatPerStep(perStep)), metrics(logs), ""));
    }

    /** Seconds left in the run: its steps at {@code perStep}, and each epoch's measured validation and saving. */
    private double runSeconds(int step, double perStep) {
        double overhead = epochOverhead < 0 ? 0 : epochOverhead / 1e9;
        return perStep * (steps - step + laterSteps) + overhead * (epochs - epoch + 1);
    }

    /** Seconds per step over the later half of this epoch's steps so far (all of them up to 2 steps). */
    private double steadySecondsPerStep(int step, long now) {
        int done = step - firstStep;
        int from = firstStep + done / 2;
        if (done < 2 || step >= stepEnd.length) {
            return (now - epochStart) / 1e9 / Math.max(done, 1);
        }
        return (now - stepEnd[from]) / 1e9 / (step - from);
    }

    /** Finishes the epoch line with every log, including the val_ metrics. */
    public void epochEnd(Map<String, Double> logs) {
        if (verbose == 0) {
            return;
        }
        double elapsed = (nanoClock.getAsLong() - epochStart) / 1e9;
        double perStep = elapsed / Math.max(steps - Math.max(firstStep, 0), 1);
        List<String> head = head(steps, formatSeconds(elapsed), "", formatPerStep(perStep));
        if (terminal && verbose == 1) {
            out.print("\r" + String.join("\033[K\n", broken(steps, head, metrics(logs))) + "\033[K\n");
        } else {
            out.println(line(steps, formatSeconds(elapsed), perStep, logs));
        }
        out.flush();
    }

    private void redraw(String line) {
        out.print("\r" + line + "\033[K");
        out.flush();
    }

    /** The parts before the metrics: counter, bar, time, the run's time, time per step (empty ones left out). */
    private List<String> head(int step, String time, String run, String perStep) {
        int width = String.valueOf(steps).length();
        List<String> h = new ArrayList<>();
        h.add(String.format(Locale.ROOT, "%" + width + "d/%d", step, steps));
        h.add(bar(step, BAR));
        for (String part : new String[]{time, run, perStep}) {
            if (!part.isEmpty()) {
                h.add(part);
            }
        }
        return h;
    }

    private String bar(int step, int length) {
        int filled = steps == 0 ? length : (int) ((long) length * step / steps);
        // Keras draws the remaining part dimmed; a log file gets the plain full bar.
        StringBuilder sb = new StringBuilder("━".repeat(terminal ? filled : length));
        if (terminal && filled < length) {
            sb.append("\u001b[2m").append("━".repeat(length - filled)).append("\u001b[0m");
        }
        return sb.toString();
    }

    /** " - accuracy: 0.6312" per log, the learning rate and cumulative time left out. */
    private static List<String> metrics(Map<String, Double> logs) {
        List<String> m = new ArrayList<>();
        for (Map.Entry<String, Double> e : logs.entrySet()) {
            // The rate is kept in the history (and history.csv) but, as in Keras, not shown; so is
            // the cumulative training time, since the line already shows the epoch's own time.
            if (!e.getKey().equals("learning_rate") && !e.getKey().equals(History.ELAPSED)) {
                m.add(" - " + e.getKey() + ": " + formatValue(e.getValue()));
            }
        }
        return m;
    }

    /**
     * One line of at most {@code columns - 3} visible characters, so the terminal never folds it:
     * the cursor does not reach the edge, and the {@code ^C} a terminal echoes when Ctrl-C is
     * pressed during the bar still fits on its row. The bar shrinks, then the time per step goes,
     * then the line is cut.
     */
    private String fit(int step, List<String> head, List<String> metrics, String note) {
        String tail = String.join("", metrics) + (note.isEmpty() ? "" : " " + note);
        int room = columns - ROOM_FOR_CTRL_C;
        List<String> h = new ArrayList<>(head);
        String line = String.join(" ", h) + tail;
        int over = visible(line) - room;
        if (over > 0 || barLength < BAR) {
            barLength = Math.max(MIN_BAR, Math.min(barLength, BAR - Math.max(over, 0)));
            h.set(1, bar(step, barLength));
            line = String.join(" ", h) + tail;
        }
        if (visible(line) > room && h.size() > 3 && h.get(h.size() - 1).endsWith("/step")) {
            h.remove(h.size() - 1);
            line = String.join(" ", h) + tail;
        }
        return visible(line) > room ? cut(line, room) : line;
    }

    /** The epoch's last line broken between metrics, continuation lines starting under the bar. */
    private List<String> broken(int step, List<String> head, List<String> metrics) {
        List<String> lines = new ArrayList<>();
        String pad = " ".repeat(head.get(0).length() + 1);
        barLength = BAR;
        String cur = fit(step, head, List.of(), "");
        boolean fresh = false;
        for (String m : metrics) {
            // m is " - name: value"; a continuation line starts at its dash.
            if (!fresh && visible(cur) + m.length() > columns - ROOM_FOR_CTRL_C) {
                lines.add(cur);
                cur = pad;
                fresh = true;
            }
            cur += fresh ? m.substring(1) : m;
            fresh = false;
        }
        lines.add(cur);
        return lines;
    }

    /** Characters a terminal shows: escape sequences take no room. */
    private static int visible(String s) {
        String shown = s.replaceAll("\u001b\\[[0-9;]*[A-Za-z]", "");
        return shown.codePointCount(0, shown.length());
    }

    /** {@code s} cut to {@code room} visible characters, the last one an ellipsis; escapes closed. */
    private static String cut(String s, int room) {
        StringBuilder out = new StringBuilder();
        int shown = 0;
        for (int i = 0; i < s.length() && shown < room - 1; ) {
            if (s.charAt(i) == '\u001b') {
                int j = i + 1;
                while (j < s.length() && !Character.isLetter(s.charAt(j))) {
                    j++;
                }
                out.append(s, i, Math.min(j + 1, s.length()));
                i = j + 1;
                continue;
            }
            int cp = s.codePointAt(i);
            out.appendCodePoint(cp);
            i += Character.charCount(cp);
            shown++;
        }
        return out.append("\u001b[0m…").toString();
    }

    /** The whole line as a log file gets it: full bar, every metric. */
    String line(int step, String time, double perStep, Map<String, Double> logs) {
        return String.join(" ", head(step, time, "", formatPerStep(perStep))) + String.join("", metrics(logs));
    }

    static String formatValue(double v) {
        if (Math.abs(v) >= 1e-3 || v == 0 || Double.isNaN(v) || Double.isInfinite(v)) {
            return String.format(Locale.ROOT, "%.4f", v);
        }
        return String.format(Locale.ROOT, "%.4e", v);
    }

    static String formatSeconds(double s) {
        if (s < 1) {
            return "0s";
        }
        if (s < 3600) {
            long t = Math.round(s);
            return t >= 60 ? (t / 60) + ":" + String.format(Locale.ROOT, "%02d", t % 60) : t + "s";
        }
        long t = Math.round(s);
        return String.format(Locale.ROOT, "%d:%02d:%02d", t / 3600, (t / 60) % 60, t % 60);
    }

    static String formatPerStep(double s) {
        if (s >= 1) {
            return String.format(Locale.ROOT, "%.0fs/step", s);
        }
        if (s >= 1e-3) {
            return String.format(Locale.ROOT, "%.0fms/step", s * 1e3);
        }
        return String.format(Locale.ROOT, "%.0fus/step", s * 1e6);
    }
}
