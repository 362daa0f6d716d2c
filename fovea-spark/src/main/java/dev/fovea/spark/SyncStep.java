package dev.fovea.spark;

import dev.fovea.loss.Loss;
import dev.fovea.loss.Reduction;
import dev.fovea.metric.Accuracy;
import dev.fovea.metric.CountMetric;
import dev.fovea.nn.Model;
import dev.fovea.nn.Param;
import dev.fovea.optim.Optimizer;
import dev.fovea.optim.ParamGroup;
import dev.fovea.tensor.Tensor;
import dev.fovea.train.Trainer;
import java.util.List;
import java.util.Map;

/**
 * The synchronous part of a data-parallel step, as wrappers around a trainer's loss, metric and
 * optimizer, so that {@link dev.fovea.train.Trainer#fit} runs unchanged on each rank.
 *
 * <p>The objective is the loss of the GLOBAL batch of B images. With the mean reduction it is
 * Σ_k (n_k/B)·L_k, where L_k is rank k's mean over its n_k images, so each rank weights its
 * gradient by n_k/B before the sum; with the sum reduction it is Σ_k L_k and the weight is 1.
 * After the all-reduce every rank holds the same gradient and applies the same optimizer step
 * to the same weights, so the replicas stay bit-identical (see {@link RingAllReduce}).
 */
final class SyncStep {
    private SyncStep() {
    }

    /**
     * The loss of this rank's slice (its gradient untouched), returning the global batch's mean
     * loss: one small all-reduce of (Σ loss, correct, images) per training step, which
     * {@link GlobalAccuracy} also reads. Evaluation calls (no gradient) stay local.
     */
    static final class GlobalLoss implements Loss {
        private final Loss inner;
        private final Replica replica;
        private final float[] stats = new float[3];
        /** Correct and total of the step just exchanged, -1 when consumed or after an evaluation call. */
        private long pendingCorrect = -1;
        private long pendingTotal = -1;

        GlobalLoss(Loss inner, Replica replica) {
            this.inner = inner;
            this.replica = replica;
        }

        @Override
        public String name() {
            return inner.name();
        }

        @Override
        public float compute(Tensor predictions, int[] labels, Tensor grad) {
            float l = inner.compute(predictions, labels, grad);
            if (grad == null) {
                pendingCorrect = -1;
                return l;
            }
            int n = labels.length;
            int k = predictions.dim(1);
            int correct = 0;
            for (int i = 0; i < n; i++) {
                if (Accuracy.argmax(predictions.data(), i * k, k) == labels[i]) {
                    correct++;
                }
            }
            stats[0] = l * n;
            stats[1] = correct; // counts below 2^24 are exact in float
            stats[2] = n;
            replica.ring().sum(stats, 3);
            pendingCorrect = Math.round(stats[1]);
            pendingTotal = Math.round(stats[2]);
            return stats[0] / stats[2];
        }
    }

    /**
     * Accuracy over the global batches of training (from {@link GlobalLoss}'s exchange) and over
     * this rank's own data in evaluation, so rank 0's history holds what a single process logs.
     */
    static final class GlobalAccuracy extends CountMetric {
        private final GlobalLoss loss;

        GlobalAccuracy(GlobalLoss loss) {
            this.loss = loss;
        }

        @Override
        public String name() {
            return "accuracy";
        }

        @Override
        public void update(Tensor predictions, int[] labels) {
            if (loss.pendingCorrect >= 0) {
                correct += loss.pendingCorrect;
                total += loss.pendingTotal;
                loss.pendingCorrect = -1;
                return;
            }
            int k = predictions.dim(1);
            for (int i = 0; i < labels.length; i++) {
                if (Accuracy.argmax(predictions.data(), i * k, k) == labels[i]) {
                    correct++;
                }
            }
            total += labels.length;
        }
    }

    /**
     * Weights this rank's gradients, all-reduces them through one flat buffer (allocated once)
     * and then lets the real optimizer step. After the last step of an epoch it also averages
     * the non-trainable parameters (batch-norm moving statistics, which each rank updated from
     * its own slice, as PyTorch's DDP does), so the replicas are identical again before the
     * epoch's validation and checkpoint. With synchronized batch-norm the moving statistics
     * moved with the global batch's statistics and are already equal on every rank, so they are
     * left alone (averaging K equal copies could change their last bit).
     */
    static final class Exchange implements Optimizer {
        private final Optimizer inner;
        private final Replica replica;
        private final Reduction reduction;
        private final List<Param> trainable;
        private final List<Param> statistics;
        private final float[] flat;
        private final float[] flatStats;
        private long lastStepEnd = System.nanoTime();
        private long lastExchangeTotal;
        private long steps;
        private long computeNanos;
        private long exchangeNanos;

        Exchange(Optimizer inner, Replica replica, Model model, Reduction reduction, boolean statisticsSynchronized) {
            this.inner = inner;
            this.replica = replica;
            this.reduction = reduction;
            this.trainable = model.params().stream().filter(Param::trainable).toList();
            this.statistics = statisticsSynchronized ? List.of()
                    : model.params().stream().filter(p -> !p.trainable()).toList();
            this.flat = new float[trainable.stream().mapToInt(Param::size).sum()];
            this.flatStats = new float[statistics.stream().mapToInt(Param::size).sum()];
        }

        /**
         * Wall time per step outside the all-reduces (data wait, forward, backward, optimizer
         * update) summed over the {@link #timedSteps()}: the steps of this task after the first
         * {@link Trainer#WARMUP_STEPS}, which the JIT slows down.
         */
        long computeNanos() {
            return computeNanos;
        }

        /** Time inside the all-reduces (gradients, loss figures, statistics) over the timed steps, waiting for the slower rank included. */
        long exchangeNanos() {
            return exchangeNanos;
        }

        long timedSteps() {
            return Math.max(0, steps - Trainer.WARMUP_STEPS);
        }

        int parameters() {
            return flat.length;
        }

        @Override
        public void step(List<ParamGroup> groups) {
            float w = reduction == Reduction.SUM ? 1f : (float) replica.sliceSize / replica.globalSize;
            int off = 0;
            for (Param p : trainable) {
                float[] g = p.grad();
                for (int i = 0; i < g.length; i++) {
                    flat[off + i] = g[i] * w;
                }
                off += g.length;
            }
            replica.ring().sum(flat, flat.length);
            off = 0;
            for (Param p : trainable) {
                System.arraycopy(flat, off, p.grad(), 0, p.size());
                off += p.size();
            }
            inner.step(groups);
            if (replica.lastOfEpoch && flatStats.length > 0) {
                averageStatistics();
            }
            long now = System.nanoTime();
            long exchangeTotal = replica.ring().exchangeNanos();
            if (++steps > Trainer.WARMUP_STEPS) {
                long exchange = exchangeTotal - lastExchangeTotal;
                computeNanos += now - lastStepEnd - exchange;
                exchangeNanos += exchange;
            }
            lastStepEnd = now;
            lastExchangeTotal = exchangeTotal;
        }

        private void averageStatistics() {
            float inv = 1f / replica.workers();
            int off = 0;
            for (Param p : statistics) {
                float[] v = p.value();
                for (int i = 0; i < v.length; i++) {
                    flatStats[off + i] = v[i] * inv;
                }
                off += v.length;
            }
            replica.ring().sum(flatStats, flatStats.length);
            off = 0;
            for (Param p : statistics) {
                System.arraycopy(flatStats, off, p.value(), 0, p.size());
                off += p.size();
            }
        }

        @Override
        public String name() {
            return inner.name();
        }

        @Override
        public double learningRate() {
            return inner.learningRate();
        }

        @Override
        public long iterations() {
            return inner.iterations();
        }

        @Override
        public Map<String, float[]> state() {
            return inner.state();
        }

        @Override
        public void load(Map<String, float[]> state, long iterations) {
            inner.load(state, iterations);
        }
    }
}
