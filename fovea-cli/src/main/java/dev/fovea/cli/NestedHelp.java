package dev.fovea.cli;

import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code fovea help [COMMAND...]}: the help of a command at any depth ({@code fovea help data
 * show}); picocli's own help command looks up only the first word and so printed the group's.
 */
@Command(name = "help", helpCommand = true, mixinStandardHelpOptions = true,
        description = "Prints the help of a command, e.g. 'fovea help train' or 'fovea help data show'.")
final class NestedHelp implements CommandLine.IHelpCommandInitializable2, Runnable {
    @Parameters(paramLabel = "COMMAND", arity = "0..*", description = "The command (and subcommand) to explain.")
    String[] commands = new String[0];

    private CommandLine self;
    private CommandLine.Help.ColorScheme colors;
    private PrintWriter out;

    @Override
    public void init(CommandLine helpCommandLine, CommandLine.Help.ColorScheme colorScheme, PrintWriter outWriter,
                     PrintWriter errWriter) {
        self = helpCommandLine;
        colors = colorScheme;
        out = outWriter;
    }

    @Override
    public void run() {
        CommandLine target = self.getParent();
        StringBuilder path = new StringBuilder(target.getCommandName());
        for (String c : commands) {
            CommandLine next = target.getSubcommands().get(c);
            if (next == null) {
                throw new UserError("help: '" + path + "' has no command '" + c + "'; its commands are "
                        + String.join(", ", target.getSubcommands().keySet()));
            }
            target = next;
            path.append(' ').append(c);
        }
        target.usage(out, colors);
        out.flush();
    }
}
