package dev.fovea.spark;

import dev.fovea.FoveaException;
import dev.fovea.data.Dataset;
import dev.fovea.io.ModelFile;
import dev.fovea.nn.Model;
import dev.fovea.report.RunReport;
import dev.fovea.run.OutputFolder;
import dev.fovea.run.RunFolder;
import dev.fovea.run.TrainSettings;
import dev.fovea.run.TrainingRun;
import dev.fovea.train.History;
import java.io.IOException;
import java.io.PrintStream;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.rdd.RDD;
import org.apache.spark.sql.SparkSession;
import scala.Function1;
import scala.jdk.javaapi.CollectionConverters;
import scala.reflect.ClassTag$;

/**
 * Synchronous data-parallel training on Spark, the driver's side of a {@link TrainingRun} that
 * fovea-run has prepared exactly as for {@code fovea train} (settings, run folder, resume checks,
 * data, model and its initialization, run.json): checks that the master has a task slot for each
 * worker, broadcasts the model file and the uint8 images once, and runs K barrier tasks
 * ({@link TrainWorker}), one replica each. The driver takes no part in the gradient exchange.
 * Rank 0 writes the model, checkpoint and history; the driver then adds the per-rank timings to
 * {@code run.json} and writes {@code fovea train}'s report ({@code report.html}, {@code plots/}).
 */
public final class SparkTrainer {
    private SparkTrainer() {
    }

    /** What the run did: every rank's result (bit-identical weights, timings) and the wall time. */
    public record Outcome(List<TrainWorker.Result> ranks, double seconds) {
    }

    /**
     * The Java way in: trains {@code settings} with {@code parallel} into {@code out}, a new run,
     * or with {@code resume} the run already in {@code out}, continued to {@code settings.epochs()}
     * in total; then writes the report. Data loading, notes and the report's figures go to {@code err}.
     */
    public static Outcome train(SparkSession spark, TrainSettings settings, ParallelSettings parallel, Path out,
                                boolean resume, PrintStream err) {
        settings.check();
        parallel.check(settings.batchSize());
        Map<String, Object> saved = resume ? RunFolder.read(out) : Map.of();
        TrainingRun run = TrainingRun.prepare(new TrainingRun.Request(settings, saved, out, resume ? out : null, false,
                true, "SparkTrainer.train", parallel.workers()), err, err::println);
        return train(spark, run, parallel, false, err, err);
    }

    /**
     * Trains the prepared {@code run} with {@code parallel} workers, then (unless
     * {@code noReport}) writes the report as {@code fovea train} does: from the final model on the
     * validation data, or on the training data when there is none, printing its figures to
     * {@code report}.
     */
    public static Outcome train(SparkSession spark, TrainingRun run, ParallelSettings parallel, boolean noReport,
                                PrintStream report, PrintStream err) {
        TrainSettings s = run.settings();
        parallel.check(s.batchSize());
        // Only local mode knows its slots up front; a cluster's executors may still be registering,
        // and Spark's own barrier check then waits for them or says why it cannot run.
        int slots = spark.sparkContext().defaultParallelism();
        if (spark.sparkContext().isLocal() && parallel.workers() > slots) {
            throw new FoveaException("--workers " + parallel.workers() + " needs " + parallel.workers()
                    + " task slots at once (barrier tasks all start together), but the master "
                    + spark.sparkContext().master() + " offers " + slots + "; lower --workers or give the master"
                    + " more cores, e.g. local[" + parallel.workers() + "]");
        }
        Path out = run.dir();
        Dataset train = run.train();
        Dataset val = run.validation();
        ModelFile.Info info = run.info(run.provenance().withWorkers(parallel.workers(), parallel.batchNorm()));
        byte[] modelBytes = modelBytes(run.model(), info);
        run.begin(record(parallel, List.of(), Double.NaN), err::println);
        if (run.lrFinding() != null) {
            RunReport.writeLrFinding(out, run.lrFinding());
        }

        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        TrainWorker.Job job = new TrainWorker.Job(s, parallel, out.toAbsolutePath().toString(),
                run.checkpoint() == null ? null : run.checkpoint().toAbsolutePath().toString(),
                jsc.broadcast(modelBytes), s.model(), jsc.broadcast(train.images()), train.labels(),
                val == null ? null : jsc.broadcast(val.images()), val == null ? null : val.labels(),
                new ArrayList<>(train.classNames()), train.height(), train.width(), train.channels(),
                new LinkedHashMap<>(run.normalization().toMap()), run.dropLast(), run.totalSteps(),
                new LinkedHashMap<>(info.provenance()));
        err.printf("training %s on %,d images with %d workers (global batch %d, %d per worker), %s; run folder %s%n",
                s.model(), train.size(), parallel.workers(), s.batchSize(), s.batchSize() / parallel.workers(),
                val == null ? "no validation" : "validating on " + val.size() + " images", out);
        long start = System.nanoTime();
        // JavaRDD has no barrier(): the Scala RDD's, with a serializable Java lambda as the Scala function.
        RDD<Integer> ranksRdd = jsc.parallelize(IntStream.range(0, parallel.workers()).boxed().toList(),
                parallel.workers()).rdd();
        RDD<TrainWorker.Result> trained = ranksRdd.barrier().mapPartitions(
                (Function1<scala.collection.Iterator<Integer>, scala.collection.Iterator<TrainWorker.Result>>
                        & Serializable) ignored -> CollectionConverters.asScala(List.of(TrainWorker.run(job)).iterator()),
                false, ClassTag$.MODULE$.apply(TrainWorker.Result.class));
        // The shuffle makes the barrier stage a shuffle-map stage: Spark reruns a failed one (up to
        // spark.stage.maxConsecutiveAttempts, 4), but aborts a failed barrier result stage.
        List<TrainWorker.Result> ranks = trained.toJavaRDD().repartition(1).collect();
        double seconds = (System.nanoTime() - start) / 1e9;
        ranks = ranks.stream().sorted((a, b) -> Integer.compare(a.rank(), b.rank())).toList();
        run.writeRecord(record(parallel, ranks, seconds));
        if (!noReport) {
            writeReport(run, parallel, report);
        }
        return new Outcome(ranks, seconds);
    }

    /**
     * The driver's report of the run rank 0 left in its folder (its model and history): the same
     * as {@code fovea train}'s, so the evaluation runs here, once, on the final weights.
     */
    private static void writeReport(TrainingRun run, ParallelSettings parallel, PrintStream o) {
        Path out = run.dir();
        TrainSettings s = run.settings();
        ModelFile.Loaded model = ModelFile.load(out.resolve(RunFolder.MODEL));
        History history;
        try {
            history = History.fromCsv(Files.readString(out.resolve(RunFolder.HISTORY)));
        } catch (IOException e) {
            throw OutputFolder.failure("cannot read", out.resolve(RunFolder.HISTORY), "--out", e);
        }
        Map<String, String> shown = TrainingRun.reportRows(model.info().provenance());
        Dataset data = run.validation() != null ? run.validation() : run.train();
        try {
            RunReport.write(out, model.model(), history, data, run.validation() == null, run.normalization(),
                    model.info().classNames(), "Fovea run: " + s.model() + " on " + s.data() + " (fovea spark train, "
                            + parallel.workers() + " workers)", shown, s.ttaLevel(), o);
        } catch (RunReport.WriteFailure e) {
            throw OutputFolder.translate(e.getCause(), "cannot write the report into", out, "--out");
        }
    }

    private static byte[] modelBytes(Model net, ModelFile.Info info) {
        Path tmp = null;
        try {
            tmp = Files.createTempFile("fovea-initial-", ".safetensors");
            ModelFile.save(tmp, net, info);
            return Files.readAllBytes(tmp);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write a temporary copy of the initial model (" + e.getMessage()
                    + "); check the free space of java.io.tmpdir", e);
        } finally {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // the OS cleans tmp
                }
            }
        }
    }

    /**
     * What this front end adds to {@code run.json}: the workers and batch-norm mode (a resumed
     * run takes them when not given), the status, and after the job each rank's steps, timings
     * and weights' SHA-256.
     */
    private static Map<String, Object> record(ParallelSettings parallel, List<TrainWorker.Result> ranks,
                                              double seconds) {
        Map<String, Object> record = new LinkedHashMap<>();
        record.put("workers", parallel.workers());
        record.put("batch_norm", parallel.batchNorm());
        // Written once before the job (so that a resume after a crash finds the settings) and once after.
        record.put("status", Double.isNaN(seconds) ? "running" : "done");
        record.put("seconds", Double.isNaN(seconds) ? null : seconds);
        List<Map<String, Object>> perRank = new ArrayList<>();
        for (TrainWorker.Result r : ranks) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("rank", r.rank());
            m.put("steps", r.steps());
            m.put("parameters", r.parameters());
            m.put("timed_steps", r.timedSteps());
            m.put("compute_ms_per_step", r.timedSteps() == 0 ? null : r.computeNanos() / 1e6 / r.timedSteps());
            m.put("exchange_ms_per_step", r.timedSteps() == 0 ? null : r.exchangeNanos() / 1e6 / r.timedSteps());
            m.put("weights_sha256", r.weightsSha256());
            perRank.add(m);
        }
        record.put("ranks", perRank);
        return record;
    }
}
