package dev.fovea.spark;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import dev.fovea.train.Trainer;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code fovea spark train}: synchronous data-parallel training with K Spark barrier tasks
 * ({@link SparkTrainer}). Takes {@code fovea train}'s main options; the run folder gets the
 * model, checkpoint and history after every epoch, plus run.json with per-rank timings, and at
 * the end fovea train's report.html and plots/ (fovea-report's {@code RunReport}, shaded into
 * this jar).
 */
@Command(name = "train", mixinStandardHelpOptions = true,
        description = "Trains a model with K synchronous data-parallel workers (Spark barrier tasks).")
final class TrainCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--master", paramLabel = "URL",
            description = "Spark master, e.g. local[2]. Default: spark-submit's, else local[*].")
    String master;

    @Option(names = "--workers", paramLabel = "K", defaultValue = "2",
            description = "Data-parallel replicas, one barrier task each. Default: ${DEFAULT-VALUE}.")
    int workers;

    @Option(names = "--model", paramLabel = "PRESET|FILE", defaultValue = "tutorial-cnn",
            description = "Preset or model file to start from. Default: ${DEFAULT-VALUE}.")
    String model;

    @Option(names = "--data", paramLabel = "PATH", defaultValue = "cifar10",
            description = "cifar10 (cached download), a CIFAR-10 .tar.gz/folder/.bin, or an image folder/.zip."
                    + " Default: ${DEFAULT-VALUE}.")
    String data;

    @Option(names = "--epochs", paramLabel = "N", defaultValue = "1",
            description = "Total epochs of the run (with --resume, including those done). Default: ${DEFAULT-VALUE}.")
    int epochs;

    @Option(names = "--batch-size", paramLabel = "B", defaultValue = "32",
            description = "The global batch, split evenly among the workers. Default: ${DEFAULT-VALUE}.")
    int batchSize;

    @Option(names = "--optimizer", paramLabel = "NAME", defaultValue = "adam",
            description = "adam, adamw or sgd. Default: ${DEFAULT-VALUE}.")
    String optimizer;

    @Option(names = "--lr", paramLabel = "RATE",
            description = "Learning rate (default: 0.001 for adam/adamw, 0.01 for sgd).")
    Double lr;

    @Option(names = "--momentum", paramLabel = "M", defaultValue = "0.9",
            description = "SGD momentum. Default: ${DEFAULT-VALUE}.")
    double momentum;

    @Option(names = "--weight-decay", paramLabel = "W", defaultValue = "0",
            description = "Decoupled weight decay (0 with adamw means its default, 0.004). Default: ${DEFAULT-VALUE}.")
    double weightDecay;

    @Option(names = "--loss-reduction", paramLabel = "mean|sum", defaultValue = "mean",
            description = "Loss over the global batch: mean or sum. Default: ${DEFAULT-VALUE}.")
    String lossReduction;

    @Option(names = "--augment", paramLabel = "none|tutorial", defaultValue = "tutorial",
            description = "Augmentation: none, or tutorial (10%% shifts, horizontal flips). Default: ${DEFAULT-VALUE}.")
    String augment;

    @Option(names = "--normalize", description = "Standardize inputs per channel with the training set's mean and std.")
    boolean normalize;

    @Option(names = "--validation", paramLabel = "test|none", defaultValue = "test",
            description = "Validate on the data's test split after every epoch, or not. Default: ${DEFAULT-VALUE}.")
    String validation;

    @Option(names = "--limit", paramLabel = "N", defaultValue = "0",
            description = "Use at most N images of each split, drawn with the seed (0: all). Default: ${DEFAULT-VALUE}.")
    int limit;

    @Option(names = "--batch-norm", paramLabel = "per-worker|sync", defaultValue = TrainSettings.PER_WORKER,
            description = "Batch-norm statistics per worker's slice (PyTorch DDP's default; no extra exchange) or"
                    + " synchronized over the global batch (3 small all-reduces per BN layer per step; matches one"
                    + " process). Default: ${DEFAULT-VALUE}.")
    String batchNorm;

    @Option(names = "--seed", paramLabel = "N", defaultValue = "0",
            description = "Seed of initialization, shuffling, dropout and augmentation. Default: ${DEFAULT-VALUE}.")
    long seed;

    @Option(names = "--out", paramLabel = "DIR", defaultValue = "runs/spark",
            description = "Run folder, readable by every executor (shared file system on a cluster)."
                    + " Default: ${DEFAULT-VALUE}.")
    Path out;

    @Option(names = "--resume", description = "Continue the run in --out from its last checkpoint, to --epochs in total.")
    boolean resume;

    @Override
    public Integer call() throws java.io.IOException {
        TrainSettings s = new TrainSettings(model, data, workers, epochs, batchSize, seed, optimizer, lr, momentum,
                weightDecay, lossReduction, augment, normalize, validation, limit, batchNorm);
        s.check();
        SparkTrainer.Outcome o;
        try (SparkSession spark = session()) {
            o = SparkTrainer.train(spark, s, out, resume, System.out, System.err);
        }
        PrintWriter w = spec.commandLine().getOut();
        TrainWorker.Result r0 = o.ranks().get(0);
        boolean identical = o.ranks().stream().allMatch(r -> r.weightsSha256().equals(r0.weightsSha256()));
        w.printf(Locale.ROOT, "trained to epoch %d with %d workers in %.1f s; model written to %s%n", r0.epochsDone(),
                o.ranks().size(), o.seconds(), out.resolve(TrainWorker.MODEL));
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
