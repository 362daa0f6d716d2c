package dev.fovea.cli;

import dev.fovea.FoveaException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code fovea} command. Subcommands live in their own classes; a user-facing failure is
 * raised as {@link UserError} and printed as one message without a stack trace (set
 * {@code FOVEA_DEBUG=1} to see the trace).
 */
@Command(name = "fovea", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Train and use convolutional image classifiers, in pure Java.",
        subcommands = {
                NestedHelp.class,
                CheckCommand.class,
                SummaryCommand.class,
                DataCommand.class,
                TrainCommand.class,
                BenchCommand.class,
                ExplainCommand.class,
                EvaluateCommand.class,
                PredictCommand.class,
        })
public final class Main implements java.util.concurrent.Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the command line and returns the exit code (tests call this). */
    public static int run(String... args) {
        CommandLine cl = new CommandLine(new Main());
        HelpLayout.install(cl, 80);
        cl.setExecutionExceptionHandler((ex, cmd, parsed) -> {
            if (System.getenv("FOVEA_DEBUG") != null) {
                ex.printStackTrace();
            }
            boolean user = ex instanceof UserError || ex instanceof FoveaException
                    || ex instanceof IllegalArgumentException || ex instanceof java.io.IOException
                    || ex instanceof java.io.UncheckedIOException;
            String msg = user ? ex.getMessage()
                    : "internal error, " + ex + " (set FOVEA_DEBUG=1 to see the stack trace)";
            cmd.getErr().println("error: " + msg);
            return ex instanceof UserError ue ? ue.exitCode() : 1;
        });
        return cl.execute(args);
    }

    /** A bare {@code fovea}: the usage on stderr and exit 2, as git does, since no command ran. */
    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getErr());
        return 2;
    }

    /** Version from the jar manifest, or "dev" when run from classes. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Main.class.getPackage().getImplementationVersion();
            return new String[]{"fovea " + (v == null ? "dev" : v)};
        }
    }
}
