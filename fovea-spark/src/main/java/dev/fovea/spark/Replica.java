package dev.fovea.spark;

import dev.fovea.loss.Reduction;
import dev.fovea.nn.BatchNormalization;
import dev.fovea.nn.CrossReplicaSum;
import dev.fovea.nn.Layer;
import dev.fovea.nn.Model;
import dev.fovea.nn.RandomState;
import dev.fovea.tensor.Rng;
import dev.fovea.tensor.Shape;
import dev.fovea.tensor.Tensor;
import dev.fovea.train.Batch;
import dev.fovea.train.Callback;
import dev.fovea.train.DataFeed;
import dev.fovea.train.Feed;
import dev.fovea.train.TrainContext;
import java.util.HashMap;
import java.util.Map;

/**
 * One data-parallel worker's view of a training step, shared by the pieces that plug into an
 * ordinary {@link dev.fovea.train.Trainer}: {@link Slices} (the feed, which hands the trainer
 * this rank's contiguous slice of each global batch), {@link SyncStep} (the loss, metric and
 * optimizer wrappers that exchange over {@link #ring()}) and {@link DropoutSeeds}. The feed
 * records the slice and global batch sizes of the step it just handed out; the wrappers read them.
 */
final class Replica {
    private final RingAllReduce ring;
    private final long seed;
    int sliceSize;
    int globalSize;
    /** The step being trained is the last of its epoch: batch-norm statistics are averaged after it. */
    boolean lastOfEpoch;

    Replica(RingAllReduce ring, long seed) {
        this.ring = ring;
        this.seed = seed;
    }

    RingAllReduce ring() {
        return ring;
    }

    int rank() {
        return ring.rank();
    }

    int workers() {
        return ring.size();
    }

    /**
     * Synchronized batch-norm: hands every batch-norm layer of {@code net}, nested models'
     * included, a reducer over this
     * ring (double sums, bit-identical on every rank) whose gradient weight is this step's
     * n_k/B for a mean loss and 1 for a summed one, the weights {@link SyncStep.Exchange}
     * applies to the parameter gradients. The reductions' time counts as exchange.
     */
    void synchronizeBatchNorm(Model net, Reduction reduction) {
        CrossReplicaSum sum = new CrossReplicaSum() {
            @Override
            public void sum(double[] values) {
                ring.sum(values, values.length);
            }

            @Override
            public double gradientWeight() {
                return reduction == Reduction.SUM ? 1.0 : (double) sliceSize / globalSize;
            }
        };
        for (Layer layer : net.namedLayers().values()) {
            if (layer instanceof BatchNormalization bn) {
                bn.setCrossReplicaSum(sum);
            }
        }
    }

    /** First row of this rank's slice of a global batch of {@code n}: slices differ by at most one row. */
    static int sliceStart(int rank, int workers, int n) {
        return (int) ((long) rank * n / workers);
    }

    /**
     * The training data as this rank sees it: the global batches of the full data set, shuffled
     * and augmented from (seed, epoch) exactly as single-process training's {@link DataFeed} does
     * (every rank runs the same feeder, so the random draws match), cut to this rank's rows. The
     * feeder's work is repeated on every rank; it is the price of identical augmentation and small
     * next to a step's forward and backward passes.
     */
    static final class Slices implements Feed.Source {
        private final DataFeed full;
        private final Replica replica;
        private final Map<Integer, Tensor> xBySize = new HashMap<>();
        private final Map<Integer, int[]> labelsBySize = new HashMap<>();

        Slices(DataFeed full, Replica replica) {
            this.full = full;
            this.replica = replica;
        }

        @Override
        public int size() {
            return full.size();
        }

        @Override
        public Feed training(int epoch, int batchSize, boolean shuffle) {
            return training(epoch, batchSize, shuffle, false);
        }

        @Override
        public Feed training(int epoch, int batchSize, boolean shuffle, boolean dropLast) {
            Feed global = full.training(epoch, batchSize, shuffle, dropLast);
            return new Feed() {
                private int handed;

                @Override
                public int steps() {
                    return global.steps();
                }

                @Override
                public Batch next() {
                    Batch b = global.next();
                    return b == null ? null : slice(b, ++handed == global.steps());
                }

                @Override
                public void close() {
                    global.close();
                }
            };
        }

        /** Copies this rank's rows of {@code b} into buffers kept per slice size (two sizes at most per run). */
        private Batch slice(Batch b, boolean last) {
            int n = b.size();
            int from = sliceStart(replica.rank(), replica.workers(), n);
            int rows = sliceStart(replica.rank() + 1, replica.workers(), n) - from;
            Shape s = b.x().shape();
            int per = b.x().size() / n;
            Tensor x = xBySize.computeIfAbsent(rows, r -> Tensor.zeros(Shape.of(r, s.dim(1), s.dim(2), s.dim(3))));
            int[] labels = labelsBySize.computeIfAbsent(rows, int[]::new);
            System.arraycopy(b.x().data(), from * per, x.data(), 0, rows * per);
            System.arraycopy(b.labels(), from, labels, 0, rows);
            replica.sliceSize = rows;
            replica.globalSize = n;
            replica.lastOfEpoch = last;
            return new Batch(x, labels);
        }

        @Override
        public Feed inOrder(int batchSize) {
            return full.inOrder(batchSize);
        }

        /** The full feed's: every rank trains on the same global batches (the workers are the run's provenance). */
        @Override
        public dev.fovea.train.Provenance.TrainingData describe() {
            return full.describe();
        }
    }

    /**
     * Seeds every dropout layer before each step from (seed, global step, rank, layer), so masks
     * do not depend on how many steps a restarted task replayed, and ranks draw different masks
     * for their different images. A single process draws its masks from one stream per layer, so
     * with dropout the K-worker run is a different (equally valid) random run, not the same one.
     */
    static final class DropoutSeeds implements Callback {
        private final Replica replica;

        DropoutSeeds(Replica replica) {
            this.replica = replica;
        }

        @Override
        public void onTrainBegin(TrainContext ctx) {
            seed(ctx);
        }

        @Override
        public void onBatchEnd(TrainContext ctx, int step, Map<String, Double> logs) {
            seed(ctx);
        }

        private void seed(TrainContext ctx) {
            long step = ctx.optimizer().iterations();
            int i = 0;
            // i counts every layer of the walk, so a flat model's layers keep their numbers.
            for (Layer layer : ctx.model().namedLayers().values()) {
                if (layer instanceof RandomState r) {
                    r.setRngState(new Rng(replica.seed).split(step).split(replica.rank()).split(i).state());
                }
                i++;
            }
        }
    }
}
