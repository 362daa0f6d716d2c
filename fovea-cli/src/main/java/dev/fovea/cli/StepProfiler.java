package dev.fovea.cli;

import dev.fovea.data.Augmentation;
import dev.fovea.data.Cifar10;
import dev.fovea.data.Dataset;
import dev.fovea.data.Normalization;
import dev.fovea.loss.Loss;
import dev.fovea.loss.SparseCategoricalCrossentropy;
import dev.fovea.nn.BaseLayer;
import dev.fovea.nn.Layer;
import dev.fovea.nn.Model;
import dev.fovea.optim.Adam;
import dev.fovea.optim.Optimizer;
import dev.fovea.optim.ParamGroup;
import dev.fovea.tensor.Rng;
import dev.fovea.tensor.Tensor;
import dev.fovea.train.Batch;
import dev.fovea.train.DataFeed;
import dev.fovea.train.Feed;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Where one training step of a chain model goes: the step {@code Trainer.trainStep} takes, done
 * piece by piece with a clock around each piece — the data pipeline (one batch of a synthetic
 * uint8 dataset through {@link DataFeed} with the tutorial augmentation), zeroing the gradients,
 * each layer's forward and backward, the loss and the optimizer (Adam) — and the whole step
 * timed around them all, so the rows plus an unaccounted remainder (the clock reads and the loop)
 * make up the measured step. Times are means over the timed steps, in ms per step.
 *
 * <p>In {@code fit} the data pipeline runs on a background thread beside the step; here it runs
 * while the step waits, so its row is what producing a batch costs, not what fit waits for. Not
 * on any training path: this is a measuring instrument for {@code fovea bench --profile}.
 */
final class StepProfiler {
    /**
     * One row of the table: ms per step (forward and backward, or NaN for a one-piece row whose
     * time is in {@code ms}) and FLOPs per step (0 where none are counted).
     */
    record Row(String name, String type, double forwardMs, double backwardMs, double ms, long forwardFlops,
               long backwardFlops) {
    }

    /** The rows in step order, the measured step and what the rows leave out, all ms per step. */
    record Profile(int batch, int steps, List<Row> rows, double totalMs) {
        double rowsMs() {
            return rows.stream().mapToDouble(Row::ms).sum();
        }

        double unaccountedMs() {
            return totalMs - rowsMs();
        }
    }

    private StepProfiler() {
    }

    /** Profiles {@code steps} training steps at {@code batch} after {@code warmup} untimed ones. */
    static Profile run(Model model, int batch, int steps, int warmup) {
        List<Layer> layers = model.layers();
        // With one input per layer, the layers a single output depends on form one chain.
        if (!layers.stream().allMatch(l -> l instanceof BaseLayer)) {
            throw new UserError(model.name() + ": the step profile times layers one after another, so it needs a"
                    + " chain of single-input layers; this model merges branches");
        }
        int n = layers.size();
        List<Flops.LayerFlops> flops = Flops.of(model);
        DataFeed feed = new DataFeed(syntheticData(batch), Augmentation.tutorial(), Normalization.scale(3), 1);
        // From logits unless the model ends in softmax, as training reads it.
        Loss loss = new SparseCategoricalCrossentropy(!model.endsInSoftmax(), 0f);
        Optimizer optimizer = new Adam();
        List<ParamGroup> groups = List.of(new ParamGroup(model.params()));
        long[] fwd = new long[n];
        long[] bwd = new long[n];
        long data = 0;
        long zero = 0;
        long lossNs = 0;
        long opt = 0;
        long total = 0;
        Tensor grad = null;
        for (int step = 0; step < warmup + steps; step++) {
            if (step == warmup) {
                java.util.Arrays.fill(fwd, 0);
                java.util.Arrays.fill(bwd, 0);
                data = zero = lossNs = opt = total = 0;
            }
            long start = System.nanoTime();
            Batch b;
            // The dataset is one batch long, so each epoch's feed shuffles, augments and converts exactly one batch.
            try (Feed f = feed.training(step, batch, true)) {
                b = f.next();
            }
            long t = System.nanoTime();
            data += t - start;
            t = System.nanoTime();
            model.zeroGrads();
            zero += System.nanoTime() - t;
            Tensor h = b.x();
            for (int i = 0; i < n; i++) {
                t = System.nanoTime();
                h = layers.get(i).forward(h, true);
                fwd[i] += System.nanoTime() - t;
            }
            t = System.nanoTime();
            grad = grad != null && grad.shape().equals(h.shape()) ? grad : Tensor.zeros(h.shape());
            loss.compute(h, b.labels(), grad);
            lossNs += System.nanoTime() - t;
            Tensor g = grad;
            for (int i = n - 1; i >= 0; i--) {
                t = System.nanoTime();
                // As Model.backward in training: the first layer adds its parameter gradients only.
                List<Tensor> dx = layers.get(i).backward(g, i > 0);
                bwd[i] += System.nanoTime() - t;
                g = i > 0 ? dx.get(0) : null;
            }
            t = System.nanoTime();
            optimizer.step(groups);
            long end = System.nanoTime();
            opt += end - t;
            total += end - start;
        }
        double per = steps * 1e6;
        List<Row> rows = new ArrayList<>();
        rows.add(new Row("data pipeline", "DataFeed", Double.NaN, Double.NaN, data / per, 0, 0));
        rows.add(new Row("zero gradients", "", Double.NaN, Double.NaN, zero / per, 0, 0));
        for (int i = 0; i < n; i++) {
            Flops.LayerFlops f = flops.get(i);
            rows.add(new Row(f.name(), f.type(), fwd[i] / per, bwd[i] / per, (fwd[i] + bwd[i]) / per,
                    f.forward() * batch, f.backward() * batch));
        }
        rows.add(new Row("loss", loss.getClass().getSimpleName(), Double.NaN, Double.NaN, lossNs / per, 0, 0));
        rows.add(new Row("optimizer", optimizer.getClass().getSimpleName(), Double.NaN, Double.NaN, opt / per, 0, 0));
        return new Profile(batch, steps, rows, total / per);
    }

    /** Random uint8 images, exactly one batch of them, with CIFAR-10's shape and classes. */
    private static Dataset syntheticData(int batch) {
        Rng r = new Rng(3);
        byte[] px = new byte[batch * 32 * 32 * 3];
        for (int i = 0; i < px.length; i++) {
            px[i] = (byte) r.nextInt(256);
        }
        int[] labels = new int[batch];
        for (int i = 0; i < batch; i++) {
            labels[i] = r.nextInt(10);
        }
        return new Dataset(px, labels, Cifar10.LABELS, 32, 32, 3);
    }

    /**
     * The table: one row per piece with forward, backward and total ms per step, the GFLOPS
     * achieved in each pass (from {@link Flops}; "-" where no FLOPs are counted) and the share of
     * the step; then the sum of the rows, the unaccounted remainder and the measured step.
     */
    static void print(Profile p, int threads, PrintWriter out) {
        out.printf(Locale.ROOT, "profile: one training step at batch %d, mean of %d steps, %d thread%s%n",
                p.batch(), p.steps(), threads, threads == 1 ? "" : "s");
        // Columns as wide as their contents and a two-line header (it was one line of 118
        // characters): the type column gives way, long type names cut, to fit the terminal.
        int nameW = "sum of the rows".length();
        int typeW = "type".length();
        for (Row r : p.rows()) {
            nameW = Math.max(nameW, r.name().length());
            typeW = Math.max(typeW, r.type().length());
        }
        int numbers = 3 * (1 + 7) + 2 * (1 + 7) + 1 + 6;
        typeW = Math.max(8, Math.min(typeW, Console.columns() - nameW - 1 - numbers));
        String fmt = "%-" + nameW + "s %-" + typeW + "s %7s %7s %7s %7s %7s %6s%n";
        out.printf(Locale.ROOT, "%-" + (nameW + 1 + typeW) + "s %23s %15s%n", "", "ms per step", "GFLOPS");
        out.printf(Locale.ROOT, fmt, "piece", "type", "fwd", "bwd", "all", "fwd", "bwd", "share");
        for (Row r : p.rows()) {
            out.printf(Locale.ROOT, fmt, r.name(), cut(r.type(), typeW), ms(r.forwardMs()), ms(r.backwardMs()), ms(r.ms()),
                    gflops(r.forwardFlops(), r.forwardMs()), gflops(r.backwardFlops(), r.backwardMs()),
                    String.format(Locale.ROOT, "%.1f%%", 100 * r.ms() / p.totalMs()));
        }
        out.printf(Locale.ROOT, fmt, "sum of the rows", "", "", "", ms(p.rowsMs()), "", "",
                String.format(Locale.ROOT, "%.1f%%", 100 * p.rowsMs() / p.totalMs()));
        out.printf(Locale.ROOT, fmt, "unaccounted", cut("clock, loop", typeW), "", "", ms(p.unaccountedMs()), "", "",
                String.format(Locale.ROOT, "%.1f%%", 100 * p.unaccountedMs() / p.totalMs()));
        out.printf(Locale.ROOT, fmt, "measured step", "", "", "", ms(p.totalMs()), "", "", "100.0%");
    }

    /** {@code s} in at most {@code width} characters, the last an ellipsis when cut. */
    private static String cut(String s, int width) {
        return s.length() <= width ? s : s.substring(0, width - 1) + "…";
    }

    private static String ms(double v) {
        return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%.3f", v);
    }

    private static String gflops(long flops, double ms) {
        return flops == 0 || Double.isNaN(ms) || ms <= 0 ? "-" : String.format(Locale.ROOT, "%.1f", flops / (ms * 1e6));
    }
}
