package dev.fovea.eval;

import java.util.List;
import java.util.Locale;

/**
 * Plain-text, column-aligned tables of evaluation results for a terminal: the per-class report
 * (laid out like scikit-learn's {@code classification_report}) and the confusion matrix with
 * class names. Numbers use {@link Locale#ROOT} so the output does not change with the user's
 * locale. Lines end with {@code \n} and carry no trailing spaces. Not HTML: the report module
 * renders its own tables.
 */
public final class TextTables {
    private static final String[] METRIC_HEADERS = {"precision", "recall", "f1-score", "support"};

    private TextTables() {
    }

    /** Per-class precision, recall, F1 and support, then accuracy and the macro and weighted averages. */
    public static String classReport(ClassMetrics m) {
        int nameWidth = "weighted avg".length();
        for (String name : m.classNames()) {
            nameWidth = Math.max(nameWidth, name.length());
        }
        long total = m.weightedAverage().support();
        int w = Math.max(METRIC_HEADERS[0].length(), Long.toString(total).length());
        StringBuilder sb = new StringBuilder();
        sb.append(pad("", nameWidth, false));
        for (String h : METRIC_HEADERS) {
            sb.append("  ").append(pad(h, w, true));
        }
        line(sb);
        line(sb);
        for (int c = 0; c < m.numClasses(); c++) {
            row(sb, m.classNames().get(c), nameWidth, w, m.precision(c), m.recall(c), m.f1(c), m.support(c));
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
        return sb.toString();
    }

    /** Counts with true classes as rows and predicted classes as columns, both named. */
    public static String confusionMatrix(ConfusionMatrix cm) {
        List<String> names = cm.classNames();
        String corner = "true \\ predicted";
        int nameWidth = corner.length();
        long max = 0;
        for (int t = 0; t < cm.numClasses(); t++) {
            nameWidth = Math.max(nameWidth, names.get(t).length());
            for (int p = 0; p < cm.numClasses(); p++) {
                max = Math.max(max, cm.count(t, p));
            }
        }
        int digits = Long.toString(max).length();
        StringBuilder sb = new StringBuilder();
        sb.append(pad(corner, nameWidth, false));
        for (String name : names) {
            sb.append("  ").append(pad(name, Math.max(digits, name.length()), true));
        }
        line(sb);
        for (int t = 0; t < cm.numClasses(); t++) {
            sb.append(pad(names.get(t), nameWidth, false));
            for (int p = 0; p < cm.numClasses(); p++) {
                sb.append("  ").append(pad(Long.toString(cm.count(t, p)),
                        Math.max(digits, names.get(p).length()), true));
            }
            line(sb);
        }
        return sb.toString();
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
