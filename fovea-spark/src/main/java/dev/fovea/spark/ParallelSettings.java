package dev.fovea.spark;

import dev.fovea.FoveaException;
import java.io.Serializable;
import java.util.List;

/**
 * What {@code fovea spark train} adds to a training run's settings ({@link dev.fovea.run.TrainSettings},
 * the same as {@code fovea train}'s): the number of data-parallel workers and the batch-norm mode.
 *
 * @param workers   K, the number of barrier tasks (replicas); the global batch is split into K
 *                  contiguous slices
 * @param batchNorm {@code per-worker} (each replica normalizes with its slice's statistics, as
 *                  PyTorch's DDP does) or {@code sync} (every batch-norm layer sums its statistics
 *                  over the replicas: the global batch's, as one process computes them)
 */
public record ParallelSettings(int workers, String batchNorm) implements Serializable {
    public static final String PER_WORKER = "per-worker";
    public static final String SYNC = "sync";

    /** K workers with per-worker batch-norm statistics, the default. */
    public static ParallelSettings of(int workers) {
        return new ParallelSettings(workers, PER_WORKER);
    }

    /** Refuses values no run could use, naming the option and the accepted values. */
    public void check(int batchSize) {
        if (workers < 1) {
            throw new FoveaException("--workers " + workers + ": expected a whole number ≥ 1 (data-parallel replicas),"
                    + " received " + workers);
        }
        if (batchSize < workers) {
            throw new FoveaException("--batch-size " + batchSize + " is smaller than --workers " + workers
                    + ": every worker needs at least one image per step; raise --batch-size");
        }
        if (!List.of(PER_WORKER, SYNC).contains(batchNorm)) {
            throw new FoveaException("--batch-norm " + batchNorm + ": unknown; expected per-worker or sync");
        }
    }

    boolean syncBatchNorm() {
        return batchNorm.equals(SYNC);
    }
}
