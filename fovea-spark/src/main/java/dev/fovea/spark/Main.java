package dev.fovea.spark;

import dev.fovea.FoveaException;
import dev.fovea.run.ParseErrors;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import org.apache.spark.sql.AnalysisException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code fovea spark}: Fovea's Spark jobs, one subcommand each ({@code predict}, {@code train}).
 * Run by the {@code ./fovea} launcher with Spark's jars on the class path, or on a cluster as
 * {@code spark-submit --class dev.fovea.spark.Main fovea-spark.jar predict|train …}. As in
 * the {@code fovea} command, a failure the user can fix (a {@link FoveaException}, a Spark
 * {@link AnalysisException} such as a missing path, an I/O error) prints its message alone and
 * exits 2; anything else is a bug, printed as an internal error with exit 1
 * ({@code FOVEA_DEBUG=1} shows the stack trace of either).
 */
@Command(name = "fovea spark", mixinStandardHelpOptions = true,
        description = "Runs Fovea on Apache Spark: local[N] on this machine, or a cluster through spark-submit.",
        footerHeading = "%nExit codes:%n",
        footer = {"  0  success",
                "  1  an internal error (a bug: please report it with FOVEA_DEBUG=1's stack trace)",
                "  2  a usage, input or file problem; the message says what and how to fix it"},
        subcommands = {PredictCommand.class, TrainCommand.class})
public final class Main implements Callable<Integer> {
    static final int USER_ERROR = 2;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        // The report's charts (XChart, AWT) on a cluster driver without a display, under
        // spark-submit too, where ./fovea's -Djava.awt.headless=true is not passed.
        System.setProperty("java.awt.headless", "true");
        System.exit(run(args));
    }

    /** Runs the command line and returns the exit code. */
    public static int run(String... args) {
        return run(new PrintWriter(System.out, true), new PrintWriter(System.err, true), args);
    }

    /** As {@link #run(String...)}, printing to {@code out} and {@code err} (tests). */
    static int run(PrintWriter out, PrintWriter err, String... args) {
        CommandLine cl = new CommandLine(new Main());
        cl.setOut(out);
        cl.setErr(err);
        // A command line that does not parse: one error line and the help command, as in fovea.
        cl.setParameterExceptionHandler((ex, a) -> ParseErrors.handle(ex, PrintWriter::println,
                path -> path.isEmpty() ? "./fovea spark --help" : "./fovea spark " + path + " --help"));
        cl.setExecutionExceptionHandler((ex, cmd, parsed) -> {
            if (System.getenv("FOVEA_DEBUG") != null) {
                ex.printStackTrace();
            }
            boolean user = isUserError(ex);
            String msg = user ? message(ex) : "internal error, " + ex + " (set FOVEA_DEBUG=1 to see the stack trace)";
            cmd.getErr().println("error: " + msg);
            return user ? USER_ERROR : 1;
        });
        return cl.execute(args);
    }

    static boolean isUserError(Throwable ex) {
        return ex instanceof FoveaException || ex instanceof AnalysisException
                || ex instanceof java.io.IOException || ex instanceof java.io.UncheckedIOException;
    }

    /** Spark's AnalysisException appends the query plan to getMessage(); the first line says it all. */
    private static String message(Throwable ex) {
        String m = ex instanceof AnalysisException a ? a.getSimpleMessage() : ex.getMessage();
        return m == null ? ex.toString() : m;
    }

    /** A bare {@code fovea spark}: the usage on stderr and exit 2, since no job ran. */
    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getErr());
        return USER_ERROR;
    }
}
