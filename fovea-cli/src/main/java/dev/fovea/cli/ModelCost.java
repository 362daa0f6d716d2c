package dev.fovea.cli;

import dev.fovea.nn.Layer;
import dev.fovea.nn.Model;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What one image costs a model, the figures fastai's and torchinfo's summaries add to Keras's
 * table: multiply-accumulates per layer and in total ({@link Flops}'s count halved: a MAC is one
 * multiply and one add of a convolution or dense product; everything else counts 0), and
 * activation memory at batch 1, the float32 outputs of every layer (nested ones included), which
 * is what a training step keeps for its backward pass (torchinfo's "forward pass size"; an
 * inference plan reuses buffers and needs less). {@code fovea summary} prints it under the table.
 */
final class ModelCost {
    private ModelCost() {
    }

    /** One top-level layer (a nested model sums its layers): MACs and output floats per image. */
    record Row(String name, String type, long macs, long activations) {
    }

    static List<Row> of(Model model) {
        List<Flops.LayerFlops> flops = Flops.of(model);
        List<Row> rows = new ArrayList<>();
        long[] acts = new long[flops.size()];
        int row = -1;
        for (Map.Entry<String, Layer> e : model.namedLayers().entrySet()) {
            if (e.getKey().indexOf('/') < 0) {
                row++;
            }
            if (!(e.getValue() instanceof Model)) {
                acts[row] += model.outputShapeOf(e.getKey()).size();
            }
        }
        for (int i = 0; i < flops.size(); i++) {
            Flops.LayerFlops f = flops.get(i);
            rows.add(new Row(f.name(), f.type(), f.forward() / 2, acts[i]));
        }
        return rows;
    }

    /** The per-layer table and the two totals, for the terminal. */
    static String text(Model model) {
        List<Row> rows = of(model);
        List<String[]> cells = new ArrayList<>();
        cells.add(new String[]{"Layer", "MACs", "Activations (batch 1)"});
        long macs = 0;
        long acts = 0;
        for (Row r : rows) {
            cells.add(new String[]{r.name(), String.format(Locale.ROOT, "%,d", r.macs()),
                    String.format(Locale.ROOT, "%,d (%s)", r.activations(), bytes(4 * r.activations()))});
            macs += r.macs();
            acts += r.activations();
        }
        int[] w = new int[3];
        for (String[] c : cells) {
            for (int j = 0; j < 3; j++) {
                w[j] = Math.max(w[j], c[j].length());
            }
        }
        StringBuilder sb = new StringBuilder();
        for (String[] c : cells) {
            sb.append(' ').append(c[0]).append(" ".repeat(w[0] - c[0].length())).append("  ")
                    .append(" ".repeat(w[1] - c[1].length())).append(c[1]).append("  ")
                    .append(" ".repeat(w[2] - c[2].length())).append(c[2]).append('\n');
        }
        sb.append(String.format(Locale.ROOT, " Total MACs: %,d (%.2f M) per image%n", macs, macs / 1e6));
        sb.append(String.format(Locale.ROOT, " Activations at batch 1: %,d floats (%s)%n",
                acts, bytes(4 * acts)));
        return sb.toString();
    }

    /** Keras's units, as the summary's parameter sizes: 1 KB = 1024 bytes. */
    static String bytes(long b) {
        if (b < 1024) {
            return b + " B";
        }
        if (b < 1024 * 1024) {
            return String.format(Locale.ROOT, "%.2f KB", b / 1024.0);
        }
        return String.format(Locale.ROOT, "%.2f MB", b / 1024.0 / 1024);
    }
}
