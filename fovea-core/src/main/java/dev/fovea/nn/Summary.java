package dev.fovea.nn;

import dev.fovea.tensor.Shape;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Keras 3's {@code model.summary()} table: {@code Layer (type)}, {@code Output Shape},
 * {@code Param #} and, for branching models, {@code Connected to}; then the totals lines with
 * sizes in bytes of float32 weights.
 */
public final class Summary {
    private Summary() {
    }

    public static String of(Model model) {
        return of(model, Integer.MAX_VALUE);
    }

    /**
     * As {@link #of(Model)} in at most {@code width} columns (a terminal's): Keras's minimum
     * column widths are dropped first, then the layer, connection and shape cells are broken at
     * spaces over several lines ({@code batch_normalization_5} / {@code (BatchNormalization)}).
     */
    public static String of(Model model, int maxWidth) {
        List<Node> nodes = model.graph().order;
        boolean branching = false;
        for (int i = 1; i < nodes.size(); i++) {
            int[] in = model.graph().inputsOf[i];
            if (in.length != 1 || in[0] != i - 1) {
                branching = true;
            }
        }
        boolean showConnections = branching && !model.isSequential();
        List<String[]> rows = new ArrayList<>();
        long total = 0;
        long trainable = 0;
        for (int i = 0; i < nodes.size(); i++) {
            Node n = nodes.get(i);
            if (n.isInput() && model.isSequential()) {
                continue;
            }
            String type = n.isInput() ? "InputLayer" : n.layer.typeName();
            String layerName = n.layerName();
            long count = 0;
            if (!n.isInput()) {
                for (Param p : n.layer.params()) {
                    count += p.size();
                    if (p.updatable()) {
                        trainable += p.size();
                    }
                }
            }
            total += count;
            Shape out = n.output.shape();
            List<String> from = new ArrayList<>();
            for (int j : model.graph().inputsOf[i]) {
                Node src = nodes.get(j);
                from.add(src.layerName() + "[0][0]");
            }
            rows.add(new String[]{layerName + " (" + type + ")", out.toBatchString(), String.format(Locale.ROOT, "%,d", count),
                    from.isEmpty() ? "-" : String.join(", ", from)});
        }
        String[] headers = showConnections
                ? new String[]{"Layer (type)", "Output Shape", "Param #", "Connected to"}
                : new String[]{"Layer (type)", "Output Shape", "Param #"};
        int cols = headers.length;
        int[] width = new int[cols];
        for (int c = 0; c < cols; c++) {
            width[c] = headers[c].length();
            for (String[] r : rows) {
                width[c] = Math.max(width[c], r[c].length());
            }
        }
        int[] keras = width.clone();
        keras[0] = Math.max(keras[0], 31);
        keras[1] = Math.max(keras[1], 22);
        keras[2] = Math.max(keras[2], 13);
        if (total(keras) <= maxWidth) {
            width = keras;
        } else if (total(width) > maxWidth) {
            // Narrow the layer, connection and shape columns, in that order, down to their longest word.
            int[] wrappable = showConnections ? new int[]{0, 3, 1} : new int[]{0, 1};
            for (int c : wrappable) {
                int least = longestWord(headers[c]);
                for (String[] r : rows) {
                    least = Math.max(least, longestWord(r[c]));
                }
                width[c] = Math.max(least, width[c] - (total(width) - maxWidth));
            }
        }
        StringBuilder sb = new StringBuilder();
        sb.append("Model: \"").append(model.name()).append("\"\n");
        sb.append(line('┏', '━', '┳', '┓', width));
        sb.append(row('┃', headers, width));
        sb.append(line('┡', '━', '╇', '┩', width));
        for (int r = 0; r < rows.size(); r++) {
            sb.append(row('│', rows.get(r), width));
            sb.append(r == rows.size() - 1 ? line('└', '─', '┴', '┘', width) : line('├', '─', '┼', '┤', width));
        }
        sb.append(" Total params: ").append(countWithSize(total)).append('\n');
        sb.append(" Trainable params: ").append(countWithSize(trainable)).append('\n');
        sb.append(" Non-trainable params: ").append(countWithSize(total - trainable)).append('\n');
        return sb.toString();
    }

    private static String line(char left, char fill, char mid, char right, int[] width) {
        StringBuilder sb = new StringBuilder().append(left);
        for (int c = 0; c < width.length; c++) {
            sb.append(String.valueOf(fill).repeat(width[c] + 2)).append(c == width.length - 1 ? right : mid);
        }
        return sb.append('\n').toString();
    }

    /** The table's width in columns: borders, and a space either side of each cell. */
    private static int total(int[] width) {
        int t = 1;
        for (int w : width) {
            t += w + 3;
        }
        return t;
    }

    private static int longestWord(String cell) {
        int w = 0;
        for (String word : cell.split(" ")) {
            w = Math.max(w, word.length());
        }
        return w;
    }

    /** {@code cell} broken at spaces into lines of at most {@code width} characters. */
    private static List<String> cellLines(String cell, int width) {
        List<String> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        for (String word : cell.split(" ")) {
            if (cur.length() > 0 && cur.length() + 1 + word.length() > width) {
                out.add(cur.toString());
                cur.setLength(0);
            }
            cur.append(cur.length() > 0 ? " " : "").append(word);
        }
        out.add(cur.toString());
        return out;
    }

    private static String row(char bar, String[] cells, int[] width) {
        List<List<String>> lines = new ArrayList<>();
        int height = 1;
        for (int c = 0; c < width.length; c++) {
            lines.add(cells[c].length() <= width[c] ? List.of(cells[c]) : cellLines(cells[c], width[c]));
            height = Math.max(height, lines.get(c).size());
        }
        StringBuilder sb = new StringBuilder();
        for (int l = 0; l < height; l++) {
            sb.append(bar);
            for (int c = 0; c < width.length; c++) {
                String v = l < lines.get(c).size() ? lines.get(c).get(l) : "";
                // Keras right-aligns the parameter count and left-aligns the rest.
                String padded = c == 2 ? " ".repeat(width[c] - v.length()) + v : v + " ".repeat(width[c] - v.length());
                sb.append(' ').append(padded).append(' ').append(bar);
            }
            sb.append('\n');
        }
        return sb.toString();
    }

    /** {@code 2,397,226 (9.14 MB)}: the float32 size in Keras's units (1 KB = 1024 bytes). */
    static String countWithSize(long count) {
        double bytes = count * 4.0;
        String size;
        if (bytes < 1024) {
            size = String.format(Locale.ROOT, "%.2f B", bytes);
        } else if (bytes < 1024 * 1024) {
            size = String.format(Locale.ROOT, "%.2f KB", bytes / 1024);
        } else if (bytes < 1024.0 * 1024 * 1024) {
            size = String.format(Locale.ROOT, "%.2f MB", bytes / 1024 / 1024);
        } else {
            size = String.format(Locale.ROOT, "%.2f GB", bytes / 1024 / 1024 / 1024);
        }
        return String.format(Locale.ROOT, "%,d (%s)", count, size);
    }
}
