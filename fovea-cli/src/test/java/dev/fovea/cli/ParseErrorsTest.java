package dev.fovea.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Issue 20, defect 2: a command line that does not parse is one {@code error:} line in the
 * project's words (expected, received) and the help command to run, exit 2; never Java's type
 * names ("is not a double") and never the whole usage, which scrolled the error off the screen.
 */
class ParseErrorsTest {
    /** Java's words for types, as picocli's messages used them ("'abc' is not a double"). */
    private static final Pattern JAVA_WORDS = Pattern.compile("not an? (double|int|long|float|short)\\b|Invalid value");

    private static List<String> lines(CliRun r) {
        return List.of(r.err().strip().split("\n"));
    }

    @Test
    void aMistypedNumberIsOneErrorLineAndTheHelpCommand() {
        CliRun r = CliRun.of("train", "--epochs", "abc");
        assertEquals(2, r.code(), r.err());
        assertEquals(List.of("error: --epochs abc: expected a number (total epochs of the run, may be fractional as"
                        + " 9.9), received 'abc'", "for the options of train, run: ./fovea help train"), lines(r));
        assertEquals("", r.out());

        CliRun b = CliRun.of("train", "--batch-size", "1.5");
        assertEquals(2, b.code(), b.err());
        assertEquals(List.of("error: --batch-size 1.5: expected a whole number (images per training step),"
                + " received '1.5'", "for the options of train, run: ./fovea help train"), lines(b));
    }

    @Test
    void aMistypedOptionNameIsNamedAloneWithTheSuggestion() {
        CliRun r = CliRun.of("train", "--epoch", "1");
        assertEquals(2, r.code(), r.err());
        assertEquals(List.of("error: fovea train has no option --epoch; did you mean --epochs?",
                "for the options of train, run: ./fovea help train"), lines(r));

        CliRun nested = CliRun.of("data", "info", "x", "--strictt");
        assertEquals(2, nested.code(), nested.err());
        assertTrue(lines(nested).get(0).startsWith("error: fovea data info has no option --strictt"), nested.err());
        assertEquals("for the options of data info, run: ./fovea help data info", lines(nested).get(1));

        CliRun command = CliRun.of("trian");
        assertEquals(2, command.code(), command.err());
        assertEquals(List.of("error: fovea has no command 'trian'; did you mean train?",
                "for the commands, run: ./fovea help"), lines(command));
    }

    @Test
    void missingAndRepeatedOptionsSayWhatWasExpected() {
        CliRun missing = CliRun.of("predict", "img.jpg");
        assertEquals(2, missing.code(), missing.err());
        assertEquals("error: fovea predict needs --model FILE (a model file (.safetensors) written by 'fovea train'),"
                + " received none", lines(missing).get(0));

        CliRun noValue = CliRun.of("train", "--epochs");
        assertEquals(2, noValue.code(), noValue.err());
        assertEquals("error: --epochs: expected a value (N) after it, received nothing", lines(noValue).get(0));

        CliRun twice = CliRun.of("train", "--epochs", "1", "--epochs", "2");
        assertEquals(2, twice.code(), twice.err());
        assertEquals("error: --epochs was given twice: expected it once; keep the value you mean",
                lines(twice).get(0));
    }

    /** Every numeric option of every command, given a word: two lines, the project's words, exit 2. */
    @Test
    void everyNumericOptionOfEveryCommandReportsAWordTheSameWay() {
        List<String> checked = new ArrayList<>();
        for (List<String> path : HelpAndUsageTest.allCommands()) {
            CommandLine cl = new CommandLine(new Main());
            for (String c : path) {
                cl = cl.getSubcommands().get(c);
            }
            for (OptionSpec o : cl.getCommandSpec().options()) {
                Class<?> t = o.isMultiValue() && o.auxiliaryTypes().length > 0 ? o.auxiliaryTypes()[0] : o.type();
                if (!(Number.class.isAssignableFrom(t) || (t.isPrimitive() && t != boolean.class))) {
                    continue;
                }
                List<String> args = new ArrayList<>(path);
                args.add(o.longestName());
                args.add("abc");
                CliRun r = CliRun.of(args.toArray(new String[0]));
                String where = args + ": " + r.err();
                assertEquals(2, r.code(), where);
                List<String> l = lines(r);
                assertEquals(2, l.size(), where);
                assertTrue(l.get(0).startsWith("error: " + o.longestName() + " abc: expected a "), where);
                assertTrue(l.get(0).endsWith(", received 'abc'"), where);
                assertFalse(JAVA_WORDS.matcher(l.get(0)).find(), where);
                assertEquals("for the options of " + String.join(" ", path) + ", run: ./fovea help "
                        + String.join(" ", path), l.get(1), where);
                checked.add(String.join(" ", path) + " " + o.longestName());
            }
        }
        assertTrue(checked.size() > 30, "numeric options checked: " + checked);
        assertTrue(checked.contains("bench --batch-size"), checked.toString());
        assertTrue(checked.contains("serve --port"), checked.toString());
    }
}
