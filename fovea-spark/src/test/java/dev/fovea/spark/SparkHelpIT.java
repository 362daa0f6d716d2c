package dev.fovea.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code ./fovea spark [COMMAND] --help} as a user types it, for {@code fovea spark} and every
 * subcommand it has (read from the command tree, so a new one is covered): the usage on stdout,
 * exit 0, and nothing on stderr. picocli formats each description with {@code String.format}, so
 * a bare {@code %} ("10% shifts") made it print {@code [picocli WARN] Could not format ...} three
 * times above the usage.
 */
class SparkHelpIT {
    @TempDir
    Path tmp;

    @Test
    void everySparkCommandsHelpIsCleanOfWarnings() throws Exception {
        List<List<String>> commands = new ArrayList<>();
        commands.add(List.of());
        for (String name : new CommandLine(new Main()).getSubcommands().keySet()) {
            commands.add(List.of(name));
        }
        assertTrue(commands.size() >= 3, "predict and train at least: " + commands);
        for (List<String> command : commands) {
            List<String> args = new ArrayList<>(List.of("spark"));
            args.addAll(command);
            args.add("--help");
            Launcher.Run r = Launcher.fovea(tmp, args.toArray(String[]::new));
            String typed = "./fovea " + String.join(" ", args);
            assertEquals(0, r.code(), typed + "\n" + r.out() + r.err());
            assertTrue(r.out().startsWith("Usage: fovea spark" + (command.isEmpty() ? "" : " " + command.get(0))),
                    typed + " prints its usage first:\n" + r.out());
            assertFalse(r.out().contains("%n") || r.out().contains("%%"), typed + ": unformatted text\n" + r.out());
            assertEquals("", r.err(), typed + " writes nothing to stderr");
        }
    }
}
