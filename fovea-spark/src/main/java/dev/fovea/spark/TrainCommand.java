package dev.fovea.spark;

import dev.fovea.run.Check;
import dev.fovea.run.TrainSettings;
import dev.fovea.run.TrainingRun;
import dev.fovea.train.Trainer;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code fovea spark train}: synchronous data-parallel training with K Spark barrier tasks
 * ({@link SparkTrainer}). Every option of {@code fovea train} (fovea-run's
 * {@link TrainSettings.Options}: the same defaults, recipes, checks, run folder, run.json and
 * resume), plus the master, the number of workers and the batch-norm mode. The run is prepared
 * (data read, model built and checked, run folder checked) before Spark starts; the folder gets
 * the model, checkpoint and history after every epoch, run.json with per-rank timings, and at the
 * end fovea train's report.html and plots/ (fovea-report's {@code RunReport}, shaded into this jar).
 */
@Command(name = "train", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Trains a model with K synchronous data-parallel workers (Spark barrier tasks).",
                "Takes fovea train's options, with its defaults, plus --master, --workers and --batch-norm."})
final class TrainCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--master", paramLabel = "URL",
            description = "Spark master, e.g. local[2]. Default: spark-submit's, else local[*].")
    String master;

    @Option(names = "--workers", paramLabel = "K",
            description = "Data-parallel replicas, one barrier task each (default: 2, or the resumed run's).")
    Integer workers;

    @Option(names = "--batch-norm", paramLabel = "per-worker|sync",
            description = "Batch-norm statistics per worker's slice (PyTorch DDP's default; no extra exchange) or"
                    + " synchronized over the global batch (3 small all-reduces per BN layer per step; matches one"
                    + " process) (default: per-worker, or the resumed run's).")
    String batchNorm;

    @Mixin
    TrainSettings.Options options;

    @Override
    public Integer call() throws java.io.IOException {
        TrainingRun run = prepare(System.err);
        SparkTrainer.Outcome o;
        try (SparkSession spark = session()) {
            o = SparkTrainer.train(spark, run, parallel, options.noReport(), System.out, System.err);
        }
        PrintWriter w = spec.commandLine().getOut();
        TrainWorker.Result r0 = o.ranks().get(0);
        boolean identical = o.ranks().stream().allMatch(r -> r.weightsSha256().equals(r0.weightsSha256()));
        w.printf(Locale.ROOT, "trained to epoch %d with %d workers in %.1f s; model written to %s%n", r0.epochsDone(),
                o.ranks().size(), o.seconds(), run.dir().resolve(TrainWorker.MODEL));
        for (TrainWorker.Result r : o.ranks()) {
            w.printf(Locale.ROOT, "  rank %d: %d steps", r.rank(), r.steps());
            if (r.timedSteps() > 0) {
                w.printf(Locale.ROOT, ", %.1f ms compute + %.1f ms exchange per step (%d steps after the %d of"
                                + " warm-up, %,d parameters)", r.computeNanos() / 1e6 / r.timedSteps(),
                        r.exchangeNanos() / 1e6 / r.timedSteps(), r.timedSteps(), Trainer.WARMUP_STEPS, r.parameters());
            }
            w.println();
        }
        w.println("replicas " + (identical ? "bit-identical" : "DIFFER (a bug: please report it)")
                + ", weights sha256 " + r0.weightsSha256().substring(0, 16));
        w.flush();
        return identical ? 0 : 1;
    }

    /** The workers and batch-norm mode, resolved as the other options are (given, else the resumed run's). */
    ParallelSettings parallel;

    /**
     * Everything before Spark starts, as {@code fovea train} does it (fovea-run), with the workers
     * and the batch-norm mode: the options checked, a resumed run's run.json read, the data and
     * model loaded and checked. Writes nothing.
     */
    TrainingRun prepare(PrintStream err) {
        Check.positive("--workers", workers, "data-parallel replicas");
        String command = "fovea spark " + String.join(" ", spec.commandLine().getParseResult().originalArgs());
        TrainingRun.Request request = TrainingRun.request(options, command, 1);
        Map<String, Object> saved = request.saved();
        int k = workers != null ? workers : ((Number) saved.getOrDefault("workers", 2)).intValue();
        String bn = batchNorm != null ? batchNorm : String.valueOf(saved.getOrDefault("batch_norm",
                ParallelSettings.PER_WORKER));
        parallel = new ParallelSettings(k, bn);
        parallel.check(request.settings().batchSize());
        return TrainingRun.prepare(request.withWorkers(k), err, err::println);
    }

    private SparkSession session() {
        SparkSession.Builder b = SparkSession.builder().appName("fovea spark train");
        String m = master != null ? master : new SparkConf().get("spark.master", "local[*]");
        b.master(m);
        if (m.startsWith("local")) {
            b.config("spark.ui.enabled", "false");
        }
        return b.getOrCreate();
    }
}
