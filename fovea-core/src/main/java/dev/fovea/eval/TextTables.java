package dev.fovea.eval;

import java.util.List;
import java.util.Locale;

/**
 * Plain-text, column-aligned tables of evaluation results for a terminal: the per-class report
 * (laid out like scikit-learn's {@code classification_report}) and the confusion matrix with
 * class names, each also in a given width (names shortened, with a legend, when they do not fit). Numbers use {@link Locale#ROOT} so the output does not change with the user's
 * locale. Lines end with {@code \n} and carry no trailing spaces. Not HTML: the report module
 * renders its own tables.
 */
public final class TextTables {
    private static final String[] METRIC_HEADERS = {"precision", "recall", "f1-score", "support"};

    private TextTables() {
    }

    /** Per-class precision, recall, F1 and support, then accuracy and the macro and weighted averages. */
    public static String classReport(ClassMetrics m) {
        return classReport(m, Integer.MAX_VALUE);
    }

    /**
     * As {@link #classReport(ClassMetrics)} in at most {@code width} columns: class names too long
     * for it are shortened to their first letters, with a legend line after the table.
     */
    public static String classReport(ClassMetrics m, int width) {
        long total = m.weightedAverage().support();
        int w = Math.max(METRIC_HEADERS[0].length(), Long.toString(total).length());
        int room = width - 4 * (2 + w);
        List<String> labels = m.classNames();
        if (longest(labels, "weighted avg".length()) > room) {
            List<String> shorter = abbreviated(labels, Math.max(3, room));
            labels = shorter != null ? shorter : labels;
        }
        int nameWidth = longest(labels, "weighted avg".length());
        StringBuilder sb = new StringBuilder();
        sb.append(pad("", nameWidth, false));
        for (String h : METRIC_HEADERS) {
            sb.append("  ").append(pad(h, w, true));
        }
        line(sb);
        line(sb);
        for (int c = 0; c < m.numClasses(); c++) {
            row(sb, labels.get(c), nameWidth, w, m.precision(c), m.recall(c), m.f1(c), m.support(c));
        }
        line(sb);
        sb.append(pad("accuracy", nameWidth, false)).append("  ").append(pad("", w, true)).append("  ")
                .append(pad("", w, true)).append("  ").append(pad(fixed(m.accuracy()), w, true)).append("  ")
                .append(pad(Long.toString(total), w, true));
        line(sb);
        ClassMetrics.Average macro = m.macroAverage();
        ClassMetrics.Average weighted = m.weightedAverage();
        row(sb, "macro avg", nameWidth, w, macro.precision(), macro.recall(), macro.f1(), macro.support());
        row(sb, "weighted avg", nameWidth, w, weighted.precision(), weighted.recall(), weighted.f1(),
                weighted.support());
        return sb + legend("classes", m.classNames(), labels, width);
    }

    /** Counts with true classes as rows and predicted classes as columns, both named. */
    public static String confusionMatrix(ConfusionMatrix cm) {
        return confusionMatrix(cm, Integer.MAX_VALUE);
    }

    /**
     * As {@link #confusionMatrix(ConfusionMatrix)} in at most {@code width} columns (a terminal's
     * 80): when the class names do not fit as column headers they are shortened to their first
     * letters ({@code airpl}, {@code autom}) with a legend line after the table, as confusion
     * matrix plots abbreviate tick labels; when even that does not fit, the columns are numbered
     * as the rows are; and with too many classes for that, the columns come in blocks.
     */
    public static String confusionMatrix(ConfusionMatrix cm, int width) {
        List<String> names = cm.classNames();
        int k = cm.numClasses();
        int digits = 1;
        for (int t = 0; t < k; t++) {
            for (int p = 0; p < k; p++) {
                digits = Math.max(digits, Long.toString(cm.count(t, p)).length());
            }
        }
        String full = matrix(cm, names, names, 0, k, digits, "true \\ predicted");
        if (widest(full) <= width) {
            return full;
        }
        for (int len = longest(names, 0) - 1; len >= 3; len--) {
            List<String> cols = abbreviated(names, len);
            if (cols == null) {
                break; // shorter prefixes cannot be unique either
            }
            for (List<String> rows : List.of(names, cols)) {
                String t = matrix(cm, rows, cols, 0, k, digits, "true \\ predicted");
                if (widest(t) <= width) {
                    return t + legend("columns", names, cols, width);
                }
            }
        }
        List<String> numbered = new java.util.ArrayList<>();
        List<String> numbers = new java.util.ArrayList<>();
        for (int c = 0; c < k; c++) {
            numbered.add(c + " " + names.get(c));
            numbers.add(Integer.toString(c));
        }
        int rowWidth = longest(numbered, "true \\ predicted".length());
        int per = Math.max(1, (width - rowWidth) / (2 + Math.max(digits, Integer.toString(k - 1).length())));
        StringBuilder sb = new StringBuilder();
        for (int from = 0; from < k; from += per) {
            int to = Math.min(k, from + per);
            if (per < k) {
                sb.append(from > 0 ? "\n" : "").append("predicted classes ").append(from).append(" to ")
                        .append(to - 1).append('\n');
            }
            sb.append(matrix(cm, numbered, numbers, from, to, digits, "true \\ predicted"));
        }
        return sb.append("(columns are numbered as the rows)\n").toString();
    }

    /** Rows {@code rowLabels} against columns {@code from..to-1} headed by {@code colLabels}. */
    private static String matrix(ConfusionMatrix cm, List<String> rowLabels, List<String> colLabels, int from, int to,
                                 int digits, String corner) {
        int nameWidth = longest(rowLabels, corner.length());
        StringBuilder sb = new StringBuilder();
        sb.append(pad(corner, nameWidth, false));
        for (int p = from; p < to; p++) {
            sb.append("  ").append(pad(colLabels.get(p), Math.max(digits, colLabels.get(p).length()), true));
        }
        line(sb);
        for (int t = 0; t < cm.numClasses(); t++) {
            sb.append(pad(rowLabels.get(t), nameWidth, false));
            for (int p = from; p < to; p++) {
                sb.append("  ").append(pad(Long.toString(cm.count(t, p)),
                        Math.max(digits, colLabels.get(p).length()), true));
            }
            line(sb);
        }
        return sb.toString();
    }

    /** Each name cut to its first {@code len} characters, or null when two would then read the same. */
    private static List<String> abbreviated(List<String> names, int len) {
        List<String> out = names.stream().map(n -> n.length() <= len ? n : n.substring(0, len)).toList();
        return new java.util.HashSet<>(out).size() == out.size() ? out : null;
    }

    /** {@code "columns: airpl = airplane, autom = automobile\n"} for the shortened names, broken at spaces to fit. */
    private static String legend(String what, List<String> names, List<String> labels, int width) {
        List<String> entries = new java.util.ArrayList<>();
        for (int i = 0; i < names.size(); i++) {
            if (!labels.get(i).equals(names.get(i))) {
                entries.add(labels.get(i) + " = " + names.get(i));
            }
        }
        if (entries.isEmpty()) {
            return "";
        }
        StringBuilder sb = new StringBuilder();
        StringBuilder cur = new StringBuilder(what + ":");
        String pad = " ".repeat(what.length() + 2);
        for (String word : String.join(", ", entries).split(" ")) {
            if (cur.length() > pad.length() && cur.length() + 1 + word.length() > width) {
                sb.append(cur).append('\n');
                cur = new StringBuilder(pad.substring(1));
            }
            cur.append(' ').append(word);
        }
        return sb.append(cur).append('\n').toString();
    }

    private static int longest(List<String> names, int atLeast) {
        int w = atLeast;
        for (String n : names) {
            w = Math.max(w, n.length());
        }
        return w;
    }

    /** The longest line of {@code table}. */
    private static int widest(String table) {
        int w = 0;
        for (String l : table.split("\n")) {
            w = Math.max(w, l.length());
        }
        return w;
    }

    /** One line per pair: "cat -> dog  123  (12.3% of cat)". */
    public static String mostConfused(List<ConfusedPair> pairs) {
        int width = 0;
        int countWidth = 1;
        for (ConfusedPair p : pairs) {
            width = Math.max(width, p.trueName().length() + 4 + p.predictedName().length());
            countWidth = Math.max(countWidth, Long.toString(p.count()).length());
        }
        StringBuilder sb = new StringBuilder();
        for (ConfusedPair p : pairs) {
            sb.append(pad(p.trueName() + " -> " + p.predictedName(), width, false)).append("  ")
                    .append(pad(Long.toString(p.count()), countWidth, true)).append("  (")
                    .append(String.format(Locale.ROOT, "%.1f%%", 100 * p.fractionOfTrue()))
                    .append(" of ").append(p.trueName()).append(')');
            line(sb);
        }
        return sb.toString();
    }

    private static void row(StringBuilder sb, String name, int nameWidth, int w, double p, double r, double f,
                            long support) {
        sb.append(pad(name, nameWidth, false));
        for (double v : new double[] {p, r, f}) {
            sb.append("  ").append(pad(fixed(v), w, true));
        }
        sb.append("  ").append(pad(Long.toString(support), w, true));
        line(sb);
    }

    private static String fixed(double v) {
        return String.format(Locale.ROOT, "%.3f", v);
    }

    private static String pad(String s, int width, boolean right) {
        if (s.length() >= width) {
            return s;
        }
        String spaces = " ".repeat(width - s.length());
        return right ? spaces + s : s + spaces;
    }

    /** Ends the current line, dropping trailing spaces left by left-aligned padding. */
    private static void line(StringBuilder sb) {
        int end = sb.length();
        while (end > 0 && sb.charAt(end - 1) == ' ') {
            end--;
        }
        sb.setLength(end);
        sb.append('\n');
    }
}
