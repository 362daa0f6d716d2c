package dev.fovea.run;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParameterException;

/**
 * A command line picocli could not parse, reported as every other user error is: one
 * {@code error:} line saying what was expected and what was received, in this project's words
 * ({@code --epochs abc: expected a number (…), received 'abc'}, not Java's "is not a double"),
 * then the one command that shows the options ({@code ./fovea help train}). Picocli's default,
 * the message followed by the whole usage, pushed the message off a 24-line terminal. Shared by
 * the {@code fovea} command and {@code fovea spark}, which word their help commands differently.
 */
public final class ParseErrors {
    /** Exit code of a command line that does not parse, as of every usage error. */
    public static final int USER_ERROR = 2;

    private ParseErrors() {
    }

    /**
     * Prints {@code ex} as above on the command's error writer through {@code print} (which may
     * break long lines for a terminal), the hint naming {@code helpCommand} of the command's
     * path ({@code "train"}, or {@code ""} at the top); returns the exit code (2).
     */
    public static int handle(ParameterException ex, java.util.function.BiConsumer<java.io.PrintWriter, String> print,
                             UnaryOperator<String> helpCommand) {
        if (System.getenv("FOVEA_DEBUG") != null) {
            ex.printStackTrace();
        }
        CommandLine cmd = ex.getCommandLine();
        print.accept(cmd.getErr(), "error: " + message(ex));
        print.accept(cmd.getErr(), hint(cmd, helpCommand));
        cmd.getErr().flush();
        return USER_ERROR;
    }

    /** The message without the {@code error: } prefix. */
    public static String message(ParameterException ex) {
        CommandLine cmd = ex.getCommandLine();
        if (ex instanceof CommandLine.UnmatchedArgumentException u) {
            return unmatched(cmd, u);
        }
        if (ex instanceof CommandLine.MissingParameterException m) {
            return missing(cmd, ex.getMessage(), m.getMissing());
        }
        if (ex instanceof CommandLine.OverwrittenOptionException o) {
            return name(o.getOverwritten()) + " was given twice: expected it once; keep the value you mean";
        }
        if (ex.getCause() instanceof CommandLine.TypeConversionException && ex.getArgSpec() != null) {
            return badValue(ex.getArgSpec(), String.valueOf(ex.getValue()));
        }
        return ex.getMessage().isEmpty() ? ex.getMessage() : lowerFirst(ex.getMessage());
    }

    /** {@code for the options of train, run: ./fovea help train}, with {@code helpCommand} of the path. */
    public static String hint(CommandLine cmd, UnaryOperator<String> helpCommand) {
        List<String> path = new ArrayList<>();
        for (CommandLine c = cmd; c.getParent() != null; c = c.getParent()) {
            path.add(0, c.getCommandName());
        }
        return path.isEmpty() ? "for the commands, run: " + helpCommand.apply("")
                : "for the options of " + String.join(" ", path) + ", run: " + helpCommand.apply(String.join(" ", path));
    }

    /** {@code --epochs abc: expected a number (total epochs of the run, …), received 'abc'}. */
    static String badValue(ArgSpec arg, String value) {
        Class<?> type = arg.type();
        if (arg.isMultiValue() && arg.auxiliaryTypes().length > 0) {
            type = arg.auxiliaryTypes()[0];
        }
        String expected;
        if (type == int.class || type == Integer.class || type == long.class || type == Long.class
                || type == short.class || type == Short.class) {
            expected = "a whole number";
        } else if (type == double.class || type == Double.class || type == float.class || type == Float.class) {
            expected = "a number";
        } else if (type.isEnum()) {
            expected = "one of " + java.util.Arrays.stream(type.getEnumConstants())
                    .map(c -> c.toString().toLowerCase(Locale.ROOT)).collect(Collectors.joining(", "));
        } else {
            expected = "a " + arg.paramLabel();
        }
        String what = purpose(arg);
        return name(arg) + " " + value + ": expected " + expected + (what.isEmpty() ? "" : " (" + what + ")")
                + ", received '" + value + "'";
    }

    /**
     * The start of the option's description, as a reminder of what it is for: its first
     * sentence without the default, lower-cased; empty when that is not short.
     */
    static String purpose(ArgSpec arg) {
        String[] d = arg.description();
        if (d.length == 0) {
            return "";
        }
        String s = String.join(" ", d).strip();
        int stop = sentenceEnd(s);
        s = stop >= 0 ? s.substring(0, stop) : s.replaceFirst("\\.$", "");
        s = s.replaceFirst("\\s*\\((?i:default)[^)]*\\)", "").replaceFirst("(?i)\\s*default:.*$", "").strip();
        if (s.isEmpty() || s.length() > 70 || s.contains("${")) {
            return "";
        }
        return lowerFirst(s);
    }

    /**
     * Where the first sentence ends: the first ". " outside parentheses that does not end an
     * abbreviation ("e.g. ", "i.e. "); −1 when the text is one sentence.
     */
    static int sentenceEnd(String s) {
        int depth = 0;
        for (int i = 0; i + 1 < s.length(); i++) {
            char ch = s.charAt(i);
            if (ch == '(') {
                depth++;
            } else if (ch == ')') {
                depth = Math.max(0, depth - 1);
            } else if (ch == '.' && s.charAt(i + 1) == ' ' && depth == 0 && !s.regionMatches(true, Math.max(0, i - 3),
                    "e.g", 0, 3) && !s.regionMatches(true, Math.max(0, i - 3), "i.e", 0, 3)) {
                return i;
            }
        }
        return -1;
    }

    /** "Images per step" → "images per step"; an acronym ("TCP port") keeps its capitals. */
    private static String lowerFirst(String s) {
        return s.length() > 1 && Character.isUpperCase(s.charAt(1)) ? s
                : Character.toLowerCase(s.charAt(0)) + s.substring(1);
    }

    /**
     * Unknown options and stray arguments. The words after an unknown option are taken as its
     * values and not named: picocli reported {@code --epoch 1} as two unknown options.
     */
    private static String unmatched(CommandLine cmd, CommandLine.UnmatchedArgumentException u) {
        String where = cmd.getParent() == null ? "fovea" : commandPath(cmd);
        List<String> options = u.getUnmatched().stream().filter(a -> a.startsWith("-") && a.length() > 1).toList();
        List<String> suggestions = u.getSuggestions();
        String didYouMean = suggestions.isEmpty() ? ""
                : "; did you mean " + String.join(" or ", suggestions.subList(0, Math.min(3, suggestions.size()))) + "?";
        if (!options.isEmpty()) {
            List<String> names = options.stream().map(o -> o.contains("=") ? o.substring(0, o.indexOf('=')) : o)
                    .distinct().toList();
            return where + " has no option " + String.join(", ", names) + didYouMean;
        }
        String first = u.getUnmatched().isEmpty() ? "" : u.getUnmatched().get(0);
        if (!cmd.getSubcommands().isEmpty() && cmd.getCommandSpec().positionalParameters().isEmpty()) {
            return where + " has no command '" + first + "'" + (didYouMean.isEmpty()
                    ? "; its commands are " + String.join(", ", cmd.getSubcommands().keySet()) : didYouMean);
        }
        return where + ": unexpected argument '" + first + "'"
                + (cmd.getCommandSpec().positionalParameters().isEmpty() ? ": " + where + " takes options only" : "")
                + didYouMean;
    }

    private static String missing(CommandLine cmd, String picocliMessage, Collection<ArgSpec> missing) {
        List<ArgSpec> args = new ArrayList<>(missing);
        if (args.size() == 1 && picocliMessage.startsWith("Missing required parameter for option")) {
            ArgSpec a = args.get(0);
            return name(a) + ": expected a value (" + a.paramLabel() + ") after it, received nothing";
        }
        List<String> parts = new ArrayList<>();
        for (ArgSpec a : args) {
            String what = purpose(a);
            parts.add((a instanceof OptionSpec ? name(a) + " " + a.paramLabel() : a.paramLabel())
                    + (what.isEmpty() ? "" : " (" + what + ")"));
        }
        return commandPath(cmd) + " needs " + String.join(" and ", parts) + ", received none";
    }

    private static String commandPath(CommandLine cmd) {
        List<String> path = new ArrayList<>();
        for (CommandLine c = cmd; c != null; c = c.getParent()) {
            path.add(0, c.getCommandName());
        }
        return String.join(" ", path);
    }

    /** An option's longest name ({@code --batch-size}), or a positional parameter's label. */
    private static String name(ArgSpec arg) {
        return arg instanceof OptionSpec o ? o.longestName() : arg.paramLabel();
    }
}
