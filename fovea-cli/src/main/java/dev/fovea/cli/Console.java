package dev.fovea.cli;

import dev.fovea.train.Progress;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What the commands print, laid out for the screen it lands on. A terminal folds a line longer
 * than its width wherever the width ends, mid-word ({@code resu} / {@code me with:}); so on a
 * terminal every message is broken at spaces to {@link #columns()}, continuation lines indented.
 * In a pipe or a log file each message stays one line, for grep. Tables are not this class's
 * business: each fits itself to {@link #columns()} whatever the output is. A word longer than
 * the width (a path) stays whole on its own line, and commands meant to be copied are printed
 * with {@link #command}, never broken, so a copied line runs as it is.
 */
final class Console {
    /** Continuation lines of a wrapped message are indented this far. */
    static final int INDENT = 2;
    private static final Pattern WORD = Pattern.compile("[^ ]+");

    private Console() {
    }

    /** The terminal's width; 80 when unknown. See {@link Progress#terminalColumns()}. */
    static int columns() {
        return Progress.terminalColumns();
    }

    /** Whether stderr is a terminal (the launcher passes {@code -Dfovea.tty}). */
    static boolean errIsTerminal() {
        return Progress.stderrIsTerminal();
    }

    /** Whether stdout is a terminal (the launcher passes {@code -Dfovea.stdout.tty}). */
    static boolean outIsTerminal() {
        String p = System.getProperty("fovea.stdout.tty");
        return p != null ? p.equals("1") : System.console() != null;
    }

    /** {@code message} on stderr, broken at spaces when stderr is a terminal. */
    static void err(String message) {
        err(System.err, message);
    }

    /** As {@link #err(String)}, on {@code stream} (stderr or a test's stand-in). */
    static void err(PrintStream stream, String message) {
        stream.println(errIsTerminal() ? wrap(message, columns(), INDENT) : message);
    }

    /** As {@link #err(String)}, on picocli's error writer. */
    static void err(PrintWriter writer, String message) {
        writer.println(errIsTerminal() ? wrap(message, columns(), INDENT) : message);
    }

    /** {@code message} on {@code out} (stdout), broken at spaces when stdout is a terminal. */
    static void out(PrintWriter out, String message) {
        out.println(outIsTerminal() ? wrap(message, columns(), INDENT) : message);
    }

    /**
     * A label-value line ({@code data:     PATH (...)}) on stdout; when broken, its continuation
     * lines start under the value.
     */
    static void field(PrintWriter out, String label, String value) {
        String line = label + value;
        out.println(outIsTerminal() ? wrap(line, columns(), label.length()) : line);
    }

    /** A command to copy, on stderr: indented, never broken, so copying it gives one line. */
    static void command(String command) {
        System.err.println(" ".repeat(INDENT) + command);
    }

    /**
     * {@code target} for code that prints whole lines itself (the report module, the data
     * loader's warnings): on a terminal each line is broken at spaces on its way through; else
     * {@code target} as it is. Text is passed on at each newline and at {@code flush}, and a line
     * holding a carriage return (a redrawn progress line) is passed on unbroken.
     */
    static PrintStream lines(PrintStream target, boolean terminal) {
        if (!terminal) {
            return target;
        }
        OutputStream wrapping = new OutputStream() {
            private final ByteArrayOutputStream line = new ByteArrayOutputStream();

            @Override
            public void write(int b) {
                line.write(b);
                if (b == '\n') {
                    String text = line.toString(StandardCharsets.UTF_8);
                    line.reset();
                    String body = text.substring(0, text.length() - 1);
                    target.print((body.indexOf('\r') >= 0 ? body : wrap(body, columns(), INDENT)) + "\n");
                }
            }

            @Override
            public void flush() {
                if (line.size() > 0) {
                    target.print(line.toString(StandardCharsets.UTF_8));
                    line.reset();
                }
                target.flush();
            }
        };
        return new PrintStream(wrapping, true, StandardCharsets.UTF_8);
    }

    /** As {@link #lines(PrintStream, boolean)} for picocli's writers. */
    static PrintWriter lines(PrintWriter target, boolean terminal) {
        if (!terminal) {
            return target;
        }
        Writer wrapping = new Writer() {
            private final StringBuilder line = new StringBuilder();

            @Override
            public void write(char[] buf, int off, int len) {
                for (int i = off; i < off + len; i++) {
                    line.append(buf[i]);
                    if (buf[i] == '\n') {
                        String body = line.substring(0, line.length() - 1);
                        line.setLength(0);
                        target.print((body.indexOf('\r') >= 0 ? body : wrap(body, columns(), INDENT)) + "\n");
                    }
                }
            }

            @Override
            public void flush() {
                if (line.length() > 0) {
                    target.print(line);
                    line.setLength(0);
                }
                target.flush();
            }

            @Override
            public void close() {
                flush();
            }
        };
        return new PrintWriter(wrapping, true);
    }

    /**
     * Every line of {@code text} broken at spaces into lines of at most {@code width} columns,
     * continuation lines indented by the line's own indentation plus {@code indent}. A word
     * wider than that stays whole on a line of its own.
     */
    static String wrap(String text, int width, int indent) {
        StringBuilder out = new StringBuilder();
        String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            if (i > 0) {
                out.append('\n');
            }
            out.append(String.join("\n", wrapLine(lines[i], width, indent)));
        }
        return out.toString();
    }

    private static List<String> wrapLine(String line, int width, int indent) {
        List<String> out = new ArrayList<>();
        if (line.length() <= width) {
            out.add(line);
            return out;
        }
        int lead = 0;
        while (lead < line.length() && line.charAt(lead) == ' ') {
            lead++;
        }
        String pad = " ".repeat(Math.min(lead + indent, width / 2));
        StringBuilder cur = new StringBuilder(line.substring(0, lead));
        boolean empty = true;
        // Words keep the spacing they had (a label's padding), except where a line is broken.
        Matcher m = WORD.matcher(line);
        m.region(lead, line.length());
        int end = lead;
        while (m.find()) {
            String gap = line.substring(end, m.start());
            String word = m.group();
            end = m.end();
            if (!empty && cur.length() + gap.length() + word.length() > width) {
                out.add(cur.toString());
                cur = new StringBuilder(pad);
                empty = true;
            }
            if (!empty) {
                cur.append(gap);
            }
            cur.append(word);
            empty = false;
        }
        out.add(cur.toString());
        return out;
    }
}
