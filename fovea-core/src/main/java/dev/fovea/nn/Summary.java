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
        List<Node> nodes = model.nodes();
        boolean branching = false;
        for (int i = 1; i < nodes.size(); i++) {
            int[] in = model.inputsOfNode(i);
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
            for (int j : model.inputsOfNode(i)) {
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
        width[0] = Math.max(width[0], 31);
        width[1] = Math.max(width[1], 22);
        width[2] = Math.max(width[2], 13);
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

    private static String row(char bar, String[] cells, int[] width) {
        StringBuilder sb = new StringBuilder().append(bar);
        for (int c = 0; c < width.length; c++) {
            String v = cells[c];
            // Keras right-aligns the parameter count and left-aligns the rest.
            String padded = c == 2 ? " ".repeat(width[c] - v.length()) + v : v + " ".repeat(width[c] - v.length());
            sb.append(' ').append(padded).append(' ').append(bar);
        }
        return sb.append('\n').toString();
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
