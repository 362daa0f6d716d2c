package dev.fovea.spark;

import dev.fovea.FoveaException;
import dev.fovea.data.Augmentation;
import dev.fovea.loss.Reduction;
import dev.fovea.optim.Adam;
import dev.fovea.optim.AdamW;
import dev.fovea.optim.Constant;
import dev.fovea.optim.Optimizer;
import dev.fovea.optim.SGD;
import java.io.Serializable;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a data-parallel training run is asked to do, as {@code fovea train} names it; shipped to
 * every task, which builds its own optimizer and augmentation from it (those hold state and are
 * not serializable). Checked by {@link #check()} on the driver before anything is read.
 *
 * @param workers    K, the number of barrier tasks (replicas)
 * @param batchSize  B, the global batch, split into K contiguous slices
 * @param lr         null for the optimizer's default (0.001 adam/adamw, 0.01 sgd)
 * @param augment    {@code none} or {@code tutorial} (shifts of 10% and horizontal flips)
 * @param validation {@code test} (the data's test split) or {@code none}
 * @param batchNorm  {@code per-worker} (each replica normalizes with its slice's statistics, as
 *                   PyTorch's DDP does) or {@code sync} (every batch-norm layer sums its statistics
 *                   over the replicas: the global batch's, as one process computes them)
 */
public record TrainSettings(String model, String data, int workers, int epochs, int batchSize, long seed,
                            String optimizer, Double lr, double momentum, double weightDecay,
                            String lossReduction, String augment, boolean normalize, String validation,
                            int limit, String batchNorm) implements Serializable {
    /** Per-worker batch-norm, the default. */
    public TrainSettings(String model, String data, int workers, int epochs, int batchSize, long seed,
                         String optimizer, Double lr, double momentum, double weightDecay, String lossReduction,
                         String augment, boolean normalize, String validation, int limit) {
        this(model, data, workers, epochs, batchSize, seed, optimizer, lr, momentum, weightDecay, lossReduction,
                augment, normalize, validation, limit, PER_WORKER);
    }

    static final String PER_WORKER = "per-worker";
    static final String SYNC = "sync";

    /** {@code fovea train}'s defaults for the rest: adam, mean loss, tutorial augmentation, test validation. */
    public static TrainSettings of(String model, String data, int workers, int epochs, int batchSize, long seed) {
        return new TrainSettings(model, data, workers, epochs, batchSize, seed, "adam", null, 0.9, 0, "mean",
                "tutorial", false, "test", 0);
    }

    /** Refuses option values no run could use, naming the option and the accepted values. */
    public void check() {
        if (workers < 1) {
            throw new FoveaException("--workers " + workers + ": expected at least 1");
        }
        if (epochs < 1) {
            throw new FoveaException("--epochs " + epochs + ": expected a whole number >= 1");
        }
        if (batchSize < workers) {
            throw new FoveaException("--batch-size " + batchSize + " is smaller than --workers " + workers
                    + ": every worker needs at least one image per step; raise --batch-size");
        }
        if (!List.of("adam", "adamw", "sgd").contains(optimizer)) {
            throw new FoveaException("--optimizer " + optimizer + ": unknown; expected adam, adamw or sgd");
        }
        if (!List.of("mean", "sum").contains(lossReduction)) {
            throw new FoveaException("--loss-reduction " + lossReduction + ": unknown; expected mean or sum");
        }
        if (!List.of("none", "tutorial").contains(augment)) {
            throw new FoveaException("--augment " + augment + ": unknown; expected none or tutorial");
        }
        if (!List.of("test", "none").contains(validation)) {
            throw new FoveaException("--validation " + validation + ": unknown; expected test or none");
        }
        if (!List.of(PER_WORKER, SYNC).contains(batchNorm)) {
            throw new FoveaException("--batch-norm " + batchNorm + ": unknown; expected per-worker or sync");
        }
        if (lr != null && !(lr > 0)) {
            throw new FoveaException("--lr " + lr + ": expected a number > 0");
        }
    }

    /** A fresh optimizer with a constant learning rate, as {@code fovea train} builds it. */
    Optimizer newOptimizer() {
        return switch (optimizer) {
            case "adam" -> new Adam(new Constant(lr == null ? 1e-3 : lr), 0.9, 0.999, 1e-7, weightDecay);
            case "adamw" -> new AdamW(new Constant(lr == null ? 1e-3 : lr), weightDecay == 0 ? 0.004 : weightDecay);
            case "sgd" -> new SGD(new Constant(lr == null ? 0.01 : lr), momentum, false, weightDecay);
            default -> throw new IllegalStateException("optimizer " + optimizer + " passed check() but has no case");
        };
    }

    boolean syncBatchNorm() {
        return batchNorm.equals(SYNC);
    }

    Reduction reduction() {
        return lossReduction.equals("sum") ? Reduction.SUM : Reduction.MEAN;
    }

    Augmentation augmentation() {
        return augment.equals("tutorial") ? Augmentation.tutorial() : Augmentation.none();
    }

    /** The settings as run.json records them. */
    Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("model", model);
        m.put("data", data);
        m.put("workers", workers);
        m.put("epochs", epochs);
        m.put("batch_size", batchSize);
        m.put("seed", seed);
        m.put("optimizer", optimizer);
        m.put("lr", lr);
        m.put("momentum", momentum);
        m.put("weight_decay", weightDecay);
        m.put("loss_reduction", lossReduction);
        m.put("augment", augment);
        m.put("normalize", normalize);
        m.put("validation", validation);
        m.put("limit", limit);
        m.put("batch_norm", batchNorm);
        return m;
    }
}
