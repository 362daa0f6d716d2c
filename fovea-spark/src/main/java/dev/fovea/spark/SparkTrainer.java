package dev.fovea.spark;

import dev.fovea.FoveaException;
import dev.fovea.data.DataSources;
import dev.fovea.data.Dataset;
import dev.fovea.data.ImageFolder;
import dev.fovea.data.Normalization;
import dev.fovea.data.Splits;
import dev.fovea.eval.TestTimeAugmentation;
import dev.fovea.io.AtomicFiles;
import dev.fovea.io.ModelFile;
import dev.fovea.nn.Model;
import dev.fovea.nn.Presets;
import dev.fovea.report.RunReport;
import dev.fovea.tensor.Rng;
import dev.fovea.train.History;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import java.io.Serializable;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.rdd.RDD;
import scala.Function1;
import scala.jdk.javaapi.CollectionConverters;
import scala.reflect.ClassTag$;
import org.apache.spark.sql.SparkSession;

/**
 * Synchronous data-parallel training on Spark, the driver's side: reads the data and builds (or
 * loads) the model on the driver, checks that they fit each other before any task starts,
 * broadcasts the model file and the uint8 images once, and runs K barrier tasks
 * ({@link TrainWorker}), one replica each. The driver takes no part in the gradient exchange.
 * Writes {@code run.json} into the run folder; rank 0 writes the model, checkpoint and history;
 * then the driver writes {@code fovea train}'s report ({@code report.html}, {@code plots/}).
 */
public final class SparkTrainer {
    static final String RUN_RECORD = "run.json";

    private SparkTrainer() {
    }

    /** What the run did: every rank's result (bit-identical weights, timings) and the wall time. */
    public record Outcome(List<TrainWorker.Result> ranks, double seconds) {
    }

    /**
     * Trains into {@code out}. A folder that already holds a checkpoint is continued only with
     * {@code resume} (and then to {@code settings.epochs()} in total).
     */
    public static Outcome train(SparkSession spark, TrainSettings s, Path out, boolean resume, PrintStream err) {
        return train(spark, s, out, resume, err, err);
    }

    /**
     * As {@link #train(SparkSession, TrainSettings, Path, boolean, PrintStream)}, then writes the
     * report as {@code fovea train} does ({@code report.html} and {@code plots/}, from the final
     * model on the validation data, or on the training data when there is none), printing its
     * figures to {@code report}.
     */
    public static Outcome train(SparkSession spark, TrainSettings s, Path out, boolean resume, PrintStream report,
                                PrintStream err) {
        s.check();
        Path checkpoint = out.resolve(TrainWorker.CHECKPOINT);
        if (resume && !Files.exists(checkpoint)) {
            throw new FoveaException("--resume: " + out + " holds no " + TrainWorker.CHECKPOINT
                    + "; pass the --out folder of an earlier 'fovea spark train', or start without --resume");
        }
        if (!resume && Files.exists(checkpoint)) {
            throw new FoveaException("--out " + out + " already holds a run (" + TrainWorker.CHECKPOINT
                    + "); pass --resume to continue it, or another --out folder");
        }
        // Only local mode knows its slots up front; a cluster's executors may still be registering,
        // and Spark's own barrier check then waits for them or says why it cannot run.
        int slots = spark.sparkContext().defaultParallelism();
        if (spark.sparkContext().isLocal() && s.workers() > slots) {
            throw new FoveaException("--workers " + s.workers() + " needs " + s.workers() + " task slots at once"
                    + " (barrier tasks all start together), but the master " + spark.sparkContext().master()
                    + " offers " + slots + "; lower --workers or give the master more cores, e.g. local["
                    + s.workers() + "]");
        }
        Splits splits = DataSources.load(s.data(), ImageFolder.Options.defaults(), err);
        Dataset train = limit(splits.train(), s.limit(), s.seed());
        Dataset val = null;
        if (s.validation().equals("test")) {
            if (splits.test() == null) {
                throw new FoveaException("--validation test: " + s.data() + " has no test split; pass --validation none");
            }
            val = limit(splits.test(), s.limit(), s.seed());
        }
        Model net = initialModel(s, train);
        Normalization norm = s.normalize() ? Normalization.fit(train) : Normalization.scale(train.channels());
        int rest = train.size() % s.batchSize();
        boolean dropLast = rest != 0 && rest < s.workers();
        if (dropLast) {
            err.println("note: the last batch of each epoch would have " + rest + " images for " + s.workers()
                    + " workers; it is dropped (--batch-size " + s.batchSize() + ", " + train.size() + " images)");
        }
        if (train.size() < s.batchSize() && dropLast) {
            throw new FoveaException("--batch-size " + s.batchSize() + ": the " + train.size() + " training images"
                    + " do not fill one batch; lower --batch-size");
        }
        try {
            Files.createDirectories(out);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the run folder " + out + ": " + e.getMessage(), e);
        }
        Map<String, Object> provenance = new LinkedHashMap<>();
        provenance.put("trainer", "fovea spark train");
        provenance.put("workers", s.workers());
        provenance.put("data", s.data());
        provenance.put("limit", s.limit() == 0 ? "none" : s.limit() + " images per split");
        byte[] modelBytes = modelBytes(net, new ModelFile.Info(train.classNames(), norm.toMap(), Map.of()));

        if (resume) {
            checkSameRun(out, s);
        }
        writeRecord(out, s, List.of(), Double.NaN);

        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        TrainWorker.Job job = new TrainWorker.Job(s, out.toAbsolutePath().toString(), jsc.broadcast(modelBytes),
                s.model(), jsc.broadcast(train.images()), train.labels(),
                val == null ? null : jsc.broadcast(val.images()), val == null ? null : val.labels(),
                new ArrayList<>(train.classNames()), train.height(), train.width(), train.channels(),
                new LinkedHashMap<>(norm.toMap()), dropLast, provenance);
        err.printf("training %s on %,d images with %d workers (global batch %d, %d per worker), %s; run folder %s%n",
                s.model(), train.size(), s.workers(), s.batchSize(), s.batchSize() / s.workers(),
                val == null ? "no validation" : "validating on " + val.size() + " images", out);
        long start = System.nanoTime();
        // JavaRDD has no barrier(): the Scala RDD's, with a serializable Java lambda as the Scala function.
        RDD<Integer> ranksRdd = jsc.parallelize(IntStream.range(0, s.workers()).boxed().toList(), s.workers()).rdd();
        RDD<TrainWorker.Result> trained = ranksRdd.barrier().mapPartitions(
                (Function1<scala.collection.Iterator<Integer>, scala.collection.Iterator<TrainWorker.Result>>
                        & Serializable) ignored -> CollectionConverters.asScala(List.of(TrainWorker.run(job)).iterator()),
                false, ClassTag$.MODULE$.apply(TrainWorker.Result.class));
        // The shuffle makes the barrier stage a shuffle-map stage: Spark reruns a failed one (up to
        // spark.stage.maxConsecutiveAttempts, 4), but aborts a failed barrier result stage.
        List<TrainWorker.Result> ranks = trained.toJavaRDD().repartition(1).collect();
        double seconds = (System.nanoTime() - start) / 1e9;
        ranks = ranks.stream().sorted((a, b) -> Integer.compare(a.rank(), b.rank())).toList();
        writeRecord(out, s, ranks, seconds);
        writeReport(out, s, val != null ? val : train, val == null, norm, provenance, report);
        return new Outcome(ranks, seconds);
    }

    /**
     * The driver's report of the run rank 0 left in {@code out} (its model and history): the
     * same as {@code fovea train}'s, so the evaluation runs here, once, on the final weights.
     */
    private static void writeReport(Path out, TrainSettings s, Dataset data, boolean onTrainingData,
                                    Normalization norm, Map<String, Object> provenance, PrintStream o) {
        ModelFile.Loaded model = ModelFile.load(out.resolve(TrainWorker.MODEL));
        History history;
        try {
            history = History.fromCsv(Files.readString(out.resolve(TrainWorker.HISTORY)));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + out.resolve(TrainWorker.HISTORY) + ": " + e.getMessage(), e);
        }
        Map<String, String> shown = new LinkedHashMap<>();
        provenance.forEach((k, v) -> shown.put(k, String.valueOf(v)));
        s.toMap().forEach((k, v) -> shown.putIfAbsent(k, String.valueOf(v)));
        try {
            RunReport.write(out, model.model(), history, data, onTrainingData, norm, model.info().classNames(),
                    "Fovea run: " + s.model() + " on " + s.data() + " (fovea spark train, " + s.workers()
                            + " workers)", shown, TestTimeAugmentation.Level.NONE, o);
        } catch (RunReport.WriteFailure e) {
            throw new FoveaException("cannot write the report into " + out + ": " + e.getMessage()
                    + "; the model, checkpoint and history are written; free space or fix the folder's permissions"
                    + " and run again with --resume (it writes the report without training further)");
        }
    }

    /** A preset initialized from the seed, or a model file's weights; checked against the data's shape. */
    static Model initialModel(TrainSettings s, Dataset train) {
        Model net;
        if (Presets.names().contains(s.model())) {
            net = Presets.create(s.model(), train.height(), train.width(), train.channels(), train.numClasses());
            net.initialize(s.seed());
        } else {
            Path p = Path.of(s.model());
            if (!Files.isRegularFile(p)) {
                throw new FoveaException("--model " + s.model() + ": neither a preset " + Presets.names()
                        + " nor a model file; pass one of those");
            }
            net = ModelFile.load(p).model();
        }
        var in = net.inputShape();
        if (in.dim(0) != train.height() || in.dim(1) != train.width() || in.dim(2) != train.channels()) {
            throw new FoveaException("--model " + s.model() + " expects images of " + in.dim(0) + "×" + in.dim(1) + "×"
                    + in.dim(2) + " but --data " + s.data() + " has " + train.height() + "×" + train.width() + "×"
                    + train.channels() + "; use a preset (it adapts to the data) or a model made for this data");
        }
        if (net.outputShape().dim(-1) < train.numClasses()) {
            throw new FoveaException("--model " + s.model() + " predicts " + net.outputShape().dim(-1)
                    + " classes but --data has " + train.numClasses() + "; use a preset or a model with enough outputs");
        }
        return net;
    }


    /** At most {@code n} images drawn with the seed, in their original order (as {@code fovea train --limit}). */
    static Dataset limit(Dataset d, int n, long seed) {
        if (d == null || n <= 0 || d.size() <= n) {
            return d;
        }
        int[] all = IntStream.range(0, d.size()).toArray();
        new Rng(seed).split(77).shuffle(all);
        int[] idx = Arrays.copyOf(all, n);
        Arrays.sort(idx);
        return d.subset(idx);
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
     * Settings a resumed run must share with the run it continues. The workers may change: K does
     * not alter the result of a model without batch-norm or with synchronized batch-norm (with
     * per-worker statistics, each worker's slice, and so the statistics, depend on K).
     */
    static final List<String> SAME_ON_RESUME = List.of("data", "limit", "seed", "batch_size", "optimizer", "lr",
            "momentum", "weight_decay", "loss_reduction", "augment", "normalize", "batch_norm");

    /** Refuses to resume with settings that would make a different run than the checkpoint's. */
    private static void checkSameRun(Path out, TrainSettings s) {
        Path file = out.resolve(RUN_RECORD);
        if (!Files.exists(file)) {
            return; // a checkpoint without a record: only the checkpoint's own checks apply
        }
        Map<String, Object> saved;
        try {
            saved = ModelFile.parse(file, Files.readString(file), new com.fasterxml.jackson.core.type.TypeReference<>() { });
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
        Map<String, Object> now = s.toMap();
        for (String key : SAME_ON_RESUME) {
            String was = String.valueOf(saved.get(key));
            String is = String.valueOf(now.get(key));
            if (!was.equals(is)) {
                throw new FoveaException("--resume: the run in " + out + " was trained with --" + key.replace('_', '-')
                        + " " + was + ", this command has " + is + "; resume with the same setting (see " + file + ")");
            }
        }
    }

    private static void writeRecord(Path out, TrainSettings s, List<TrainWorker.Result> ranks, double seconds) {
        Map<String, Object> record = new LinkedHashMap<>(s.toMap());
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
        AtomicFiles.writeBytes(out.resolve(RUN_RECORD), ModelFile.json(record).getBytes(StandardCharsets.UTF_8));
    }
}
