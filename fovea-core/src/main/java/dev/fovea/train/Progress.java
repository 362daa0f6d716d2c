package dev.fovea.train;

import java.io.PrintStream;
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
 */
public final class Progress {
    private static final int BAR = 20;
    private final PrintStream out;
    private final boolean terminal;
    private final int verbose;
    private final LongSupplier nanoClock;
    private long epochStart;
    private long lastDraw;
    private int steps;
    /** {@code stepEnd[i]}: clock at the end of step i of this epoch; the epoch's start stands before its first step. */
    private long[] stepEnd = new long[1];
    /** Batches done before this epoch's first {@link #batchEnd} (non-zero in a resumed epoch), -1 before it. */
    private int firstStep = -1;

    /** {@code verbose} 0 = silent, 1 = bar, 2 = one line per epoch (Keras's meanings). */
    public Progress(PrintStream out, boolean terminal, int verbose) {
        this(out, terminal, verbose, System::nanoTime);
    }

    /** As above with the clock given, in nanoseconds (tests drive it by hand). */
    Progress(PrintStream out, boolean terminal, int verbose, LongSupplier nanoClock) {
        this.out = out;
        this.terminal = terminal;
        this.verbose = verbose;
        this.nanoClock = nanoClock;
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
        this.steps = steps;
        epochStart = nanoClock.getAsLong();
        lastDraw = 0;
        if (stepEnd.length < steps + 1) {
            stepEnd = new long[steps + 1];
        }
        firstStep = -1;
        if (verbose > 0) {
            out.println("Epoch " + epoch + "/" + epochs);
        }
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
        if (verbose != 1 || !terminal) {
            return;
        }
        // One step says nothing about the next ones (the first is mostly JIT compilation): the
        // bar appears once two have run.
        if (step < steps && (step - firstStep < 2 || now - lastDraw < 100_000_000L)) {
            return;
        }
        lastDraw = now;
        double elapsed = (now - epochStart) / 1e9;
        double perStep = steadySecondsPerStep(step, now);
        String time = step < steps ? formatSeconds(perStep * (steps - step)) : formatSeconds(elapsed);
        out.print("\r" + line(step, time, perStep, logs) + "\033[K");
        out.flush();
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
        String l = line(steps, formatSeconds(elapsed), elapsed / Math.max(steps - Math.max(firstStep, 0), 1), logs);
        if (terminal && verbose == 1) {
            out.print("\r" + l + "\033[K\n");
        } else {
            out.println(l);
        }
        out.flush();
    }

    String line(int step, String time, double perStep, Map<String, Double> logs) {
        int width = String.valueOf(steps).length();
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "%" + width + "d/%d ", step, steps));
        int filled = steps == 0 ? BAR : (int) ((long) BAR * step / steps);
        // Keras draws the remaining part dimmed; a log file gets the plain full bar.
        sb.append("━".repeat(terminal ? filled : BAR));
        if (terminal && filled < BAR) {
            sb.append("\u001b[2m").append("━".repeat(BAR - filled)).append("\u001b[0m");
        }
        sb.append(' ').append(time).append(' ').append(formatPerStep(perStep));
        for (Map.Entry<String, Double> e : logs.entrySet()) {
            // The rate is kept in the history (and history.csv) but, as in Keras, not shown; so is
            // the cumulative training time, since the line already shows the epoch's own time.
            if (!e.getKey().equals("learning_rate") && !e.getKey().equals(History.ELAPSED)) {
                sb.append(" - ").append(e.getKey()).append(": ").append(formatValue(e.getValue()));
            }
        }
        return sb.toString();
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
