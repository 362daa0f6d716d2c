package dev.fovea.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** Issue 12, item 12: help that works for every command and never splits a word; a bare fovea is a usage error. */
class HelpAndUsageTest {
    static final List<List<String>> COMMANDS = List.of(List.of("train"), List.of("evaluate"), List.of("predict"),
            List.of("summary"), List.of("data"), List.of("data", "info"), List.of("data", "show"), List.of("bench"),
            List.of("check"), List.of("explain"));

    /** Every command and subcommand of {@code fovea}, as the words that name it, found from the command tree. */
    static List<List<String>> allCommands() {
        List<List<String>> all = new java.util.ArrayList<>();
        collect(new picocli.CommandLine(new Main()), List.of(), all);
        return all;
    }

    private static void collect(picocli.CommandLine cl, List<String> path, List<List<String>> all) {
        for (var e : cl.getSubcommands().entrySet()) {
            List<String> sub = new java.util.ArrayList<>(path);
            sub.add(e.getKey());
            all.add(List.copyOf(sub));
            collect(e.getValue(), sub, all);
        }
    }

    private static String[] with(List<String> cmd, String... more) {
        java.util.ArrayList<String> a = new java.util.ArrayList<>(cmd);
        a.addAll(List.of(more));
        return a.toArray(new String[0]);
    }

    @Test
    void everyCommandHasHelpAndHelpFindsSubcommands() {
        for (List<String> cmd : COMMANDS) {
            CliRun r = CliRun.of(with(cmd, "--help"));
            assertEquals(0, r.code(), cmd + ": " + r.err());
            assertTrue(r.out().startsWith("Usage: fovea " + String.join(" ", cmd)), cmd + ": " + r.out());
        }
        CliRun nested = CliRun.of("help", "data", "show");
        assertEquals(0, nested.code(), nested.err());
        assertTrue(nested.out().startsWith("Usage: fovea data show"), nested.out());
        CliRun unknown = CliRun.of("help", "data", "shoe");
        assertEquals(2, unknown.code());
        assertTrue(unknown.err().contains("'fovea data' has no command 'shoe'; its commands are"), unknown.err());
    }

    /**
     * Issue 20, defect 9: the help of every command, both ways a person asks for it ({@code fovea
     * help X} and {@code X --help}), is the same text and prints no warning. Picocli formats
     * descriptions with {@code String.format}, so an unescaped {@code %} ("10% shifts") printed
     * {@code [picocli WARN] Could not format ...} above the help.
     */
    @Test
    void everyCommandsHelpBothWaysPrintsNoWarning() {
        List<List<String>> all = new java.util.ArrayList<>(allCommands());
        all.add(0, List.of());
        assertTrue(all.size() >= 14, all.toString());
        for (List<String> cmd : all) {
            CliRun flag = CliRun.of(with(cmd, "--help"));
            List<String> words = new java.util.ArrayList<>(List.of("help"));
            words.addAll(cmd);
            CliRun help = CliRun.of(words.toArray(new String[0]));
            for (CliRun r : List.of(flag, help)) {
                assertEquals(0, r.code(), cmd + ": " + r.err());
                assertEquals("", r.err(), cmd + ": nothing on stderr");
                assertFalse(r.out().contains("WARN"), cmd + ":\n" + r.out());
                assertTrue(r.out().startsWith("Usage: fovea" + (cmd.isEmpty() ? " " : " " + String.join(" ", cmd) + " ")),
                        cmd + ": " + r.out());
            }
            assertEquals(flag.out(), help.out(), cmd + ": 'help X' and 'X --help' differ");
        }
    }

    /** Lines fit 80 columns and break only at spaces: run.json, .tar.gz and paths stay whole. */
    @Test
    void helpWrapsAtSpacesOnlyAndUsesOnePlaceholderStyle() {
        Pattern camel = Pattern.compile("<[a-z]+[A-Z][A-Za-z]*>");
        for (List<String> cmd : COMMANDS) {
            String help = CliRun.of(with(cmd, "--help")).out();
            for (String line : help.split("\n")) {
                assertTrue(line.length() <= 80 || !line.trim().contains(" "), cmd + ": too long: " + line);
            }
            // Same words, in the same order, as picocli's own layout at a width where it never wraps.
            picocli.CommandLine wide = new picocli.CommandLine(new Main());
            wide.setUsageHelpWidth(2000);
            for (String c : cmd) {
                wide = wide.getSubcommands().get(c);
            }
            assertEquals(List.of(wide.getUsageMessage().trim().split("\\s+")), List.of(help.trim().split("\\s+")),
                    cmd + ": a word was split");
            assertFalse(camel.matcher(help).find(), cmd + ": picocli's field-name placeholder in\n" + help);
        }
        String train = CliRun.of("train", "--help").out();
        assertTrue(train.contains("run.json"), train);
        assertTrue(train.contains(".tar.gz/folder/.bin"), train);
    }

    /** A description placed under its column (its option name is too long) keeps that column when it wraps. */
    @Test
    void aLongOptionsWrappedDescriptionStaysInItsColumn() {
        String[] lines = CliRun.of("train", "--help").out().split("\n");
        int at = java.util.Arrays.asList(lines).indexOf(java.util.Arrays.stream(lines)
                .filter(l -> l.trim().equals("--weight-decay-mode=MODE")).findFirst().orElseThrow());
        int column = lines[at + 1].indexOf("decoupled");
        assertTrue(column > 20, lines[at + 1]);
        for (int i = at + 2; !lines[i].trim().startsWith("-"); i++) {
            assertEquals(column, lines[i].length() - lines[i].stripLeading().length(), "line " + lines[i]);
        }
    }

    @Test
    void bareFoveaPrintsUsageAndExitsTwo() {
        CliRun r = CliRun.of();
        assertEquals(2, r.code());
        assertTrue(r.err().contains("Usage: fovea"), r.err());
        assertTrue(r.err().contains("train"), r.err());
    }

    /** The third pooling of tutorial-cnn gets a 1×1 input from a 4×4 image: it, not the first, is named. */
    @Test
    void summaryNamesThePoolingLayerWhoseInputIsTooSmall() {
        CliRun r = CliRun.of("summary", "--model", "tutorial-cnn", "--input", "4x4x3");
        assertTrue(r.code() != 0, r.out());
        assertTrue(r.err().contains("max_pooling2d_2: pool_size (2, 2) does not fit input of shape (None, 1, 1, 128)"),
                r.err());
        assertFalse(r.err().contains("\tat "), r.err());
    }

    @Test
    void evaluateHasASeededLimit() throws Exception {
        java.nio.file.Path model = TrainedModel.write(java.nio.file.Files.createTempDirectory("fovea-eval")
                .resolve("m.safetensors"));
        String sample = TrainedModel.SAMPLE.toString();
        CliRun a = CliRun.of("evaluate", "--model", model.toString(), "--data", sample, "--limit", "50");
        assertEquals(0, a.code(), a.err());
        assertTrue(a.out().contains("images:   50\n"), a.out());
        assertTrue(a.out().contains("50 drawn at random with seed 0 (--limit)"), a.out());
        assertEquals(a.out().replaceAll("time: .*", ""), CliRun.of("evaluate", "--model", model.toString(), "--data",
                sample, "--limit", "50").out().replaceAll("time: .*", ""), "seeded: the same draw twice");
    }
}
