package dev.fovea.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;

/**
 * Help text wrapped at spaces only. Picocli wraps with {@code java.text.BreakIterator}, which
 * breaks after a dot inside a word ({@code run.\njson}, {@code .tar.\ngz}); so picocli lays the
 * help out on one very wide line per row, and each row is re-wrapped here at spaces, its
 * continuation lines aligned as picocli aligns them (option descriptions under their column,
 * the synopsis under its first option). A word longer than the width stays whole on its line.
 */
final class HelpLayout {
    /** Wide enough that picocli itself never wraps. */
    private static final int UNWRAPPED = 2000;
    /** A row of the option or command list: indented name, two or more spaces, description. */
    private static final Pattern ROW = Pattern.compile("^(\\s+\\S.*?\\s{2,})(\\S.*)$");
    /** A row of the command list: picocli pads the names to one width and adds a single space. */
    private static final Pattern COMMAND_ROW = Pattern.compile("^(\\s+\\S+\\s+)(\\S.*)$");

    /** Lines indented this far or more hold a description alone (its option name was too long). */
    private static final int DESCRIPTION_ONLY = 8;

    private HelpLayout() {
    }

    private static int leadingSpaces(String line) {
        int n = 0;
        while (n < line.length() && line.charAt(n) == ' ') {
            n++;
        }
        return n;
    }

    /** Installs the layout on {@code cl} and every subcommand, wrapping at {@code width} columns. */
    static void install(CommandLine cl, int width) {
        cl.setUsageHelpWidth(UNWRAPPED);
        Map<String, CommandLine.IHelpSectionRenderer> wrapped = new LinkedHashMap<>();
        Map<String, CommandLine.IHelpSectionRenderer> sections = cl.getHelpSectionMap();
        sections.forEach((key, r) -> wrapped.put(key, help -> {
            if (key.equals(CommandLine.Model.UsageMessageSpec.SECTION_KEY_DESCRIPTION)) {
                // Descriptions are written as arrays of short lines of one paragraph: reflow them.
                return wrap(paragraphs(r.render(help)), width);
            }
            if (!key.equals(CommandLine.Model.UsageMessageSpec.SECTION_KEY_SYNOPSIS)) {
                return wrap(r.render(help), width);
            }
            // The synopsis follows its heading ("Usage: ") on the same line: wrap the two together.
            var heading = sections.get(CommandLine.Model.UsageMessageSpec.SECTION_KEY_SYNOPSIS_HEADING);
            String pad = " ".repeat(heading == null ? 0 : heading.render(help).length());
            return wrap(pad + r.render(help), width).substring(pad.length());
        }));
        cl.setHelpSectionMap(wrapped);
        for (CommandLine sub : cl.getSubcommands().values()) {
            install(sub, width);
        }
    }

    /** Consecutive non-blank lines joined by spaces; blank lines stay as paragraph breaks. */
    static String paragraphs(String text) {
        boolean newline = text.endsWith("\n");
        StringBuilder out = new StringBuilder();
        for (String line : text.split("\n", -1)) {
            if (line.isBlank()) {
                out.append(out.length() == 0 || out.charAt(out.length() - 1) == '\n' ? "" : "\n").append('\n');
            } else {
                if (out.length() > 0 && out.charAt(out.length() - 1) != '\n') {
                    out.append(' ');
                }
                out.append(line.trim());
            }
        }
        String s = out.toString().stripTrailing();
        return newline ? s + "\n" : s;
    }

    /** Every line of {@code text} wrapped at spaces to {@code width} columns. */
    static String wrap(String text, int width) {
        StringBuilder out = new StringBuilder();
        String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            if (i > 0) {
                out.append('\n');
            }
            out.append(wrapLine(lines[i], width));
        }
        return out.toString();
    }

    private static String wrapLine(String line, int width) {
        if (line.length() <= width) {
            return line;
        }
        String head;
        String rest;
        int indent;
        Matcher m = ROW.matcher(line);
        if (!m.matches() && leadingSpaces(line) < DESCRIPTION_ONLY) {
            // Only command lists, indented by 2, have single-space rows; a deeper line with one
            // space after its first word is an option's description placed under its column.
            m = COMMAND_ROW.matcher(line);
        }
        if (m.matches() && !line.trim().startsWith("fovea ")) {
            head = m.group(1);
            rest = m.group(2);
            indent = head.length() + 2;
        } else if (line.startsWith(" ") && line.trim().startsWith("fovea") && line.indexOf(" [") > 0) {
            int at = line.indexOf(" [") + 1;
            head = line.substring(0, at);
            rest = line.substring(at);
            indent = at;
        } else {
            int lead = 0;
            while (lead < line.length() && line.charAt(lead) == ' ') {
                lead++;
            }
            head = line.substring(0, lead);
            rest = line.substring(lead);
            indent = lead;
        }
        if (indent > width / 2) {
            indent = Math.min(head.length(), 8);
        }
        List<String> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder(head);
        boolean empty = true;
        for (String word : rest.trim().split(" +")) {
            if (!empty && cur.length() + 1 + word.length() > width) {
                out.add(cur.toString());
                cur = new StringBuilder(" ".repeat(indent));
                empty = true;
            }
            if (!empty) {
                cur.append(' ');
            }
            cur.append(word);
            empty = false;
        }
        out.add(cur.toString());
        return String.join("\n", out);
    }
}
