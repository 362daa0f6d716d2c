package dev.fovea.cli;

import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Unmatched;

/**
 * {@code fovea spark}: listed here so that {@code fovea --help} shows it, but run elsewhere.
 * Spark's jars are deliberately not in {@code fovea.jar}; the {@code ./fovea} launcher sends
 * {@code fovea spark ...} to {@code dev.fovea.spark.Main} in the fovea-spark module with Spark on
 * the class path, so this class only runs when someone starts {@code fovea.jar} directly.
 */
@Command(name = "spark", mixinStandardHelpOptions = true,
        description = "Batch inference and data-parallel training on Apache Spark, local[N] or a cluster (./fovea spark predict|train --help).")
final class SparkCommand implements Callable<Integer> {
    /** Whatever follows, options included: none of it is read here. */
    @Unmatched
    List<String> args;

    @Override
    public Integer call() {
        throw new UserError("'fovea spark' runs in its own JVM with Spark's jars, which fovea.jar leaves out: run it"
                + " through the ./fovea launcher (./fovea spark predict --help, ./fovea spark train --help), or on a cluster as 'spark-submit"
                + " --class dev.fovea.spark.Main fovea-spark/target/fovea-spark.jar predict|train ...'");
    }
}
