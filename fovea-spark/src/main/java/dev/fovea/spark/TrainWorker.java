package dev.fovea.spark;

import dev.fovea.data.Dataset;
import dev.fovea.data.Normalization;
import dev.fovea.io.AtomicFiles;
import dev.fovea.io.ModelFile;
import dev.fovea.nn.Model;
import dev.fovea.nn.Param;
import dev.fovea.optim.ParamGroup;
import dev.fovea.run.RunFolder;
import dev.fovea.run.TrainSettings;
import dev.fovea.train.Callback;
import dev.fovea.train.DataFeed;
import dev.fovea.train.FitOptions;
import dev.fovea.train.TrainContext;
import dev.fovea.train.Trainer;
import java.io.Serializable;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.spark.BarrierTaskContext;
import org.apache.spark.SparkEnv;
import org.apache.spark.broadcast.Broadcast;

/**
 * The body of one barrier task of {@code fovea spark train}: one replica. It joins the ring
 * (addresses exchanged once through {@link BarrierTaskContext#allGather}), builds the model from
 * the broadcast file or, when the run folder holds one, from rank 0's last checkpoint (that is
 * how a retried stage or {@code --resume} continues), and runs an ordinary
 * {@link Trainer#fit} whose feed, loss, metric and optimizer are the {@link Replica} and
 * {@link SyncStep} wrappers. Rank 0 writes the checkpoint, model and history after every
 * epoch; the run folder must therefore be a path every executor reads and rank 0 writes (local
 * disk in local mode, a shared file system on a cluster).
 */
final class TrainWorker {
    static final String CHECKPOINT = RunFolder.CHECKPOINT;
    static final String MODEL = RunFolder.MODEL;
    static final String HISTORY = RunFolder.HISTORY;
    /** Test hook: the last rank throws once per JVM after this global step, to exercise Spark's stage retry. */
    static final String FAIL_AT_STEP = "fovea.spark.test.failAtStep";
    private static final AtomicBoolean FAILED_ONCE = new AtomicBoolean();

    private TrainWorker() {
    }

    /**
     * Everything a task needs, shipped in the closure; the big arrays travel as broadcasts.
     * {@code resumeFrom} is the checkpoint a resumed run continues (null for a fresh one), taken
     * when the run folder has none of its own yet; {@code totalSteps} is the schedule's span.
     */
    record Job(TrainSettings settings, ParallelSettings parallel, String out, String resumeFrom,
               Broadcast<byte[]> model, String modelName, Broadcast<byte[]> trainImages, int[] trainLabels,
               Broadcast<byte[]> valImages, int[] valLabels, ArrayList<String> classes, int height, int width,
               int channels, Map<String, Object> normalization, boolean dropLast, long totalSteps,
               Map<String, Object> provenance) implements Serializable {
    }

    /**
     * What a task reports: the steps it trained, its timings (compute and exchange summed over
     * its {@code timedSteps}, the steps after the JIT warm-up) and a SHA-256 of its final weights
     * (trainable and not), which must be equal on every rank.
     */
    record Result(int rank, long steps, int parameters, long timedSteps, long computeNanos, long exchangeNanos,
                  int epochsDone, String weightsSha256) implements Serializable {
    }

    static Result run(Job job) {
        BarrierTaskContext ctx = BarrierTaskContext.get();
        int rank = ctx.partitionId();
        String host = SparkEnv.get().blockManager().blockManagerId().host();
        ServerSocketChannel server = RingAllReduce.listen(host);
        String[] all;
        try {
            all = ctx.allGather(host + ":" + ((java.net.InetSocketAddress) server.getLocalAddress()).getPort());
        } catch (java.io.IOException | RuntimeException e) {
            // connect() closes the server socket; without it (a failed allGather) close it here.
            try {
                server.close();
            } catch (java.io.IOException ignored) {
                // the first failure is the one to report
            }
            throw e instanceof java.io.IOException io ? new java.io.UncheckedIOException(io) : (RuntimeException) e;
        }
        try (RingAllReduce ring = RingAllReduce.connect(rank, List.of(all), server)) {
            return train(job, ring);
        }
    }

    private static Result train(Job job, RingAllReduce ring) {
        TrainSettings s = job.settings();
        ParallelSettings parallel = job.parallel();
        Replica replica = new Replica(ring, s.seed());
        Model net = ModelFile.fromFile(ModelBroadcast.parse(job.model().value(), job.modelName())).model();
        Normalization norm = Normalization.fromMap(job.normalization(), job.channels());
        Dataset train = new Dataset(job.trainImages().value(), job.trainLabels(), job.classes(), job.height(),
                job.width(), job.channels());
        // The loss, optimizer, groups and recipe callbacks fovea train builds, from the same settings.
        SyncStep.GlobalLoss loss = new SyncStep.GlobalLoss(s.loss(net), replica);
        if (parallel.syncBatchNorm()) {
            replica.synchronizeBatchNorm(net, s.reduction());
        }
        SyncStep.Exchange exchange = new SyncStep.Exchange(s.optimizer(job.totalSteps()), replica, net,
                s.reduction(), parallel.syncBatchNorm());
        Trainer trainer = new Trainer(net, exchange, loss, new SyncStep.GlobalAccuracy(loss));
        List<ParamGroup> groups = s.groups(net);
        if (groups != null) {
            trainer.setParamGroups(groups);
        }
        trainer.setInfo(new ModelFile.Info(job.classes(), job.normalization(), job.provenance()));
        Path out = Path.of(job.out());
        // The run folder's own checkpoint is the newest (a stage Spark reruns after a failure);
        // without one, a resumed run starts from the checkpoint it resumes.
        Path checkpoint = out.resolve(CHECKPOINT);
        if (Files.exists(checkpoint)) {
            trainer.restoreCheckpoint(checkpoint);
        } else if (job.resumeFrom() != null) {
            trainer.restoreCheckpoint(Path.of(job.resumeFrom()));
        }
        long stepsBefore = exchange.iterations();
        double remaining = s.epochs() - trainer.epochsDone();
        if (remaining > 0) {
            List<Callback> callbacks = new ArrayList<>(s.callbacks(net, job.totalSteps()));
            callbacks.add(new Replica.DropoutSeeds(replica));
            String failAt = System.getProperty(FAIL_AT_STEP);
            if (failAt != null && ring.rank() == ring.size() - 1) {
                callbacks.add(new InjectedFailure(Long.parseLong(failAt)));
            }
            FitOptions fo = new FitOptions().epochs(remaining).batchSize(s.batchSize()).dropLast(job.dropLast())
                    .verbose(0);
            if (ring.rank() == 0) {
                callbacks.add(new RankZeroSaver(out, (int) Math.ceil(s.epochs() - 1e-9), s.verbose() > 0));
                if (job.valImages() != null) {
                    // Only rank 0 validates: the others would compute the same figures on identical weights.
                    fo.validation(DataFeed.plain(new Dataset(job.valImages().value(), job.valLabels(), job.classes(),
                            job.height(), job.width(), job.channels()), norm));
                }
            }
            fo.callbacks(callbacks.toArray(Callback[]::new));
            trainer.fit(new Replica.Slices(new DataFeed(train, s.augmentationConfig(), norm, s.seed()), replica), fo);
        }
        return new Result(ring.rank(), exchange.iterations() - stepsBefore, exchange.parameters(),
                exchange.timedSteps(), exchange.computeNanos(), exchange.exchangeNanos(), trainer.epochsDone(),
                weightsSha256(net));
    }

    /** SHA-256 over every parameter's float bits, in the model's order. */
    static String weightsSha256(Model net) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            for (Param p : net.params()) {
                ByteBuffer b = ByteBuffer.allocate(p.size() * Float.BYTES);
                b.asFloatBuffer().put(p.value());
                md.update(b);
            }
            return HexFormat.of().formatHex(md.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }

    /**
     * Rank 0's files after every epoch, as {@code fovea train} writes them: the checkpoint (so a
     * retried stage or {@code --resume} continues from here), the model and the history; each
     * written to a temporary name and renamed. One line per epoch on stderr, unless {@code --verbose 0}.
     */
    private static final class RankZeroSaver implements Callback {
        private final Path out;
        private final int epochs;
        private final boolean print;

        RankZeroSaver(Path out, int epochs, boolean print) {
            this.out = out;
            this.epochs = epochs;
            this.print = print;
        }

        @Override
        public void onEpochEnd(TrainContext ctx, int epoch, Map<String, Double> logs) {
            try {
                ctx.saveCheckpoint(out.resolve(CHECKPOINT));
                ctx.saveModel(out.resolve(MODEL));
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException("cannot write into the run folder " + out + ": " + e.getMessage(), e);
            }
            AtomicFiles.writeBytes(out.resolve(HISTORY), ctx.history().toCsv().getBytes(StandardCharsets.UTF_8));
            if (!print) {
                return;
            }
            StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "epoch %d/%d:", epoch, epochs));
            logs.forEach((k, v) -> line.append(String.format(Locale.ROOT, " %s %.4f", k, v)));
            System.err.println(line);
        }
    }

    /** Throws once per JVM after global step {@code step}: Spark then retries the whole barrier stage. */
    private static final class InjectedFailure implements Callback {
        private final long step;

        InjectedFailure(long step) {
            this.step = step;
        }

        @Override
        public void onBatchEnd(TrainContext ctx, int stepInEpoch, Map<String, Double> logs) {
            if (ctx.optimizer().iterations() == step && FAILED_ONCE.compareAndSet(false, true)) {
                throw new IllegalStateException("injected failure after step " + step + " (" + FAIL_AT_STEP + ")");
            }
        }
    }
}
