package dev.fovea.cli;

import dev.fovea.FoveaException;
import dev.fovea.run.OutputFolder;
import dev.fovea.run.ParseErrors;
import dev.fovea.train.Provenance;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code fovea} command. Subcommands live in their own classes. A failure the user can fix
 * ({@link UserError}, {@link FoveaException}, an I/O error) is printed as its message alone and
 * exits 2, as is a command line that does not parse ({@link dev.fovea.run.ParseErrors}: the message and the
 * help command to run, not the whole usage); anything else is a bug, printed as an internal
 * error with exit 1 (set {@code FOVEA_DEBUG=1} to see the stack trace of either).
 */
@Command(name = "fovea", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Train and use convolutional image classifiers, in pure Java.",
        footerHeading = "%nExit codes:%n",
        footer = {"  0  success",
                "  1  an internal error (a bug: please report it with FOVEA_DEBUG=1's stack trace), or a failed check",
                "  2  a usage, input or file problem; the message says what and how to fix it"},
        subcommands = {
                NestedHelp.class,
                CheckCommand.class,
                SummaryCommand.class,
                DataCommand.class,
                TrainCommand.class,
                LrFindCommand.class,
                BenchCommand.class,
                ExplainCommand.class,
                EvaluateCommand.class,
                PredictCommand.class,
                ImportCommand.class,
                ServeCommand.class,
                SparkCommand.class,
        })
public final class Main implements java.util.concurrent.Callable<Integer> {
    /** Exit code of a usage, input or file problem (picocli uses it for usage errors too). */
    static final int USER_ERROR = 2;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the command line and returns the exit code (tests call this). */
    public static int run(String... args) {
        return commandLine(new Main()).execute(args);
    }

    /** {@code command} under Fovea's help layout and failure reporting (tests run their own commands through it). */
    static CommandLine commandLine(Object command) {
        CommandLine cl = new CommandLine(command);
        // Plain text: HelpLayout re-wraps picocli's lines, and on a terminal picocli's colour codes
        // counted as columns and were cut apart ('[33m  PATH ...', 'Show this help message and' / 'exit.').
        cl.setColorScheme(CommandLine.Help.defaultColorScheme(CommandLine.Help.Ansi.OFF));
        // Help reads best at 80 columns, as git and man pages lay it out; a narrower terminal gets its width.
        HelpLayout.install(cl, Math.min(80, Console.columns()));
        cl.setParameterExceptionHandler((ex, args) -> ParseErrors.handle(ex, Console::err,
                path -> ("./fovea help " + path).trim()));
        cl.setExecutionExceptionHandler((ex, cmd, parsed) -> {
            if (System.getenv("FOVEA_DEBUG") != null) {
                ex.printStackTrace();
            }
            // IllegalArgumentException is deliberately absent: core code throws it only for
            // programming errors, whose stack trace matters.
            boolean user = ex instanceof UserError || ex instanceof FoveaException
                    || ex instanceof java.io.IOException || ex instanceof java.io.UncheckedIOException;
            String msg = user ? ex.getMessage()
                    : "internal error, " + ex + " (set FOVEA_DEBUG=1 to see the stack trace)";
            Console.err(cmd.getErr(), "error: " + msg);
            // A write that failed while working (a full disk) exits 1, as it always has.
            return ex instanceof UserError ue ? ue.exitCode() : ex instanceof OutputFolder.WriteFailure ? 1
                    : user ? USER_ERROR : 1;
        });
        return cl;
    }

    /** A bare {@code fovea}: the usage on stderr and exit 2, as git does, since no command ran. */
    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getErr());
        return USER_ERROR;
    }

    /**
     * Fovea's version (from the jar manifest, or "dev" when run from classes), then the JDK that runs
     * it and the Vector API's preferred width: the launcher picks the newest JDK it finds, and
     * training speed depends on both.
     */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Main.class.getPackage().getImplementationVersion();
            int bits = Provenance.vectorBits();
            return new String[]{"fovea " + (v == null ? "dev" : v),
                    "java: " + Runtime.version() + ", " + Provenance.javaVendor() + ", " + System.getProperty("java.home"),
                    "vector: " + bits + "-bit (" + bits / Float.SIZE + " floats), " + dev.fovea.kernel.Vectors.tileSet()
                            + " register tiles"};
        }
    }
}
