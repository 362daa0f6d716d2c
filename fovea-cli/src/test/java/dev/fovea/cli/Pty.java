package dev.fovea.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * {@code ./fovea} in a pseudo-terminal of 80×24, as a person meets it in a standard terminal
 * (util-linux {@code script}, as {@link LauncherIT} uses; the size set with {@code stty}), and
 * what that terminal shows: the bytes replayed on an 80-column screen model that moves on
 * {@code \r} and {@code \n}, erases on {@code ESC[K}, ignores colours and, like every terminal,
 * folds a line that reaches the right edge onto the next row. A folded row is what breaks a
 * word in two on the screen ({@code resu} / {@code me with:}); tests assert there are none.
 * Tests only. {@code -Dfovea.launcher=PATH} runs another checkout's launcher (to see a test
 * fail on older code).
 */
final class Pty {
    static final int COLUMNS = 80;
    static final int ROWS = 24;
    static final Path ROOT = Path.of("").toAbsolutePath().getParent();
    static final Path LAUNCHER = Path.of(System.getProperty("fovea.launcher", ROOT.resolve("fovea").toString()));

    private final Process process;
    private final StringBuilder bytes = new StringBuilder();
    private volatile boolean ended;

    private Pty(Process process) {
        this.process = process;
        Thread reader = new Thread(() -> {
            byte[] buf = new byte[8192];
            try (InputStream in = process.getInputStream()) {
                for (int n = in.read(buf); n >= 0; n = in.read(buf)) {
                    synchronized (bytes) {
                        bytes.append(new String(buf, 0, n, StandardCharsets.UTF_8));
                    }
                }
            } catch (IOException closed) {
                // the process ended
            } finally {
                ended = true;
            }
        });
        reader.setDaemon(true);
        reader.start();
    }

    /** Starts {@code ./fovea ARGS...} in a new 80×24 pseudo-terminal, from {@code cwd}. */
    static Pty start(Path cwd, String... args) throws IOException {
        StringBuilder line = new StringBuilder("stty cols " + COLUMNS + " rows " + ROWS + "; exec env --default-signal=INT ")
                .append(quote(LAUNCHER.toString()));
        for (String a : args) {
            line.append(' ').append(quote(a));
        }
        ProcessBuilder pb = new ProcessBuilder("script", "-qefc", line.toString(), "/dev/null")
                .directory(cwd.toFile()).redirectErrorStream(true);
        pb.environment().remove("COLUMNS");
        return new Pty(pb.start());
    }

    /** Runs {@code ./fovea ARGS...} to its end (at most {@code seconds}); returns the pty. */
    static Pty run(Path cwd, long seconds, String... args) throws Exception {
        Pty p = start(cwd, args);
        p.waitFor(x -> false, seconds);
        if (!p.process.waitFor(30, TimeUnit.SECONDS)) {
            p.process.destroyForcibly();
            throw new AssertionError("the command did not end: " + p.raw());
        }
        return p;
    }

    private static String quote(String s) {
        return "'" + s.replace("'", "'\\''") + "'";
    }

    /** Waits until {@code until} holds or the output ends; false if it still does not hold then. */
    boolean waitFor(Predicate<Pty> until, long seconds) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (!until.test(this)) {
            if (ended || System.nanoTime() > deadline) {
                return until.test(this);
            }
            Thread.sleep(20);
        }
        return true;
    }

    /** Types {@code b} on the keyboard (3 is Ctrl-C). */
    void type(int b) throws IOException {
        OutputStream keyboard = process.getOutputStream();
        keyboard.write(b);
        keyboard.flush();
    }

    int exitCode() throws InterruptedException {
        process.waitFor(30, TimeUnit.SECONDS);
        return process.exitValue();
    }

    /** Everything the terminal received, escape sequences included. */
    String raw() {
        synchronized (bytes) {
            return bytes.toString();
        }
    }

    /** Every row the screen showed, scrolled-off ones included, trailing spaces dropped. */
    List<String> rows() {
        return screen(raw()).rows;
    }

    /** The rows as one text, one row a line. */
    String text() {
        return String.join("\n", rows());
    }

    /** What the 80×24 window shows at the end: the last 24 rows (the last may be the empty prompt row). */
    List<String> window() {
        List<String> r = rows();
        return r.subList(Math.max(0, r.size() - ROWS), r.size());
    }

    /** Rows that exist only because a line reached the right edge and the terminal folded it. */
    List<String> folded() {
        Screen s = screen(raw());
        List<String> out = new ArrayList<>();
        for (int i = 0; i < s.rows.size(); i++) {
            if (s.folded.get(i)) {
                out.add("row " + i + " continues row " + (i - 1) + ": '" + s.rows.get(i - 1) + "' + '" + s.rows.get(i) + "'");
            }
        }
        return out;
    }

    /** The lines of the output joined again where messages were broken at spaces: for substring checks. */
    String unwrapped() {
        return text().replaceAll("\n {2,}", " ");
    }

    private record Screen(List<String> rows, List<Boolean> folded) {
    }

    private static Screen screen(String s) {
        List<StringBuilder> rows = new ArrayList<>();
        List<Boolean> folded = new ArrayList<>();
        rows.add(new StringBuilder());
        folded.add(false);
        int col = 0;
        boolean pendingWrap = false;
        for (int i = 0; i < s.length(); ) {
            int cp = s.codePointAt(i);
            i += Character.charCount(cp);
            if (cp == '\r') {
                col = 0;
                pendingWrap = false;
            } else if (cp == '\n') {
                rows.add(new StringBuilder());
                folded.add(false);
                pendingWrap = false;
            } else if (cp == 0x1b) {
                if (i < s.length() && s.charAt(i) == '[') {
                    int j = i + 1;
                    while (j < s.length() && (s.charAt(j) < 0x40 || s.charAt(j) > 0x7e)) {
                        j++;
                    }
                    if (j < s.length() && s.charAt(j) == 'K') {
                        StringBuilder row = rows.get(rows.size() - 1);
                        if (row.codePointCount(0, row.length()) > col) {
                            row.setLength(row.offsetByCodePoints(0, col));
                        }
                    }
                    i = j + 1;
                }
            } else if (cp == 7 || cp == 8 || cp < 0x20) {
                // bell, backspace and other controls: not used by fovea
            } else {
                if (pendingWrap) {
                    rows.add(new StringBuilder());
                    folded.add(true);
                    col = 0;
                    pendingWrap = false;
                }
                StringBuilder row = rows.get(rows.size() - 1);
                int len = row.codePointCount(0, row.length());
                while (len < col) {
                    row.append(' ');
                    len++;
                }
                if (len == col) {
                    row.appendCodePoint(cp);
                } else {
                    int at = row.offsetByCodePoints(0, col);
                    row.replace(at, row.offsetByCodePoints(at, 1), new String(Character.toChars(cp)));
                }
                col++;
                // A terminal holds the cursor at the last column until the next character arrives.
                if (col == COLUMNS) {
                    pendingWrap = true;
                    col = COLUMNS - 1;
                }
            }
        }
        List<String> out = new ArrayList<>();
        for (StringBuilder r : rows) {
            out.add(r.toString().stripTrailing());
        }
        return new Screen(out, folded);
    }
}
