package dev.fovea.run;

import dev.fovea.FoveaException;
import dev.fovea.nn.Model;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Parameter names picked by glob, for the options that name parameters ({@code --lr-multiplier
 * '*}{@code /beta=64'}, {@code --freeze whiten/kernel}, {@code --freeze-after whiten/bias=3}):
 * names as {@link Model#namedParams()} gives them, {@code *} any run of characters, {@code ?} one.
 */
final class ParamGlobs {
    private ParamGlobs() {
    }

    /** A glob as a pattern. */
    static Pattern glob(String glob) {
        StringBuilder re = new StringBuilder();
        for (char ch : glob.toCharArray()) {
            re.append(ch == '*' ? ".*" : ch == '?' ? "." : Pattern.quote(String.valueOf(ch)));
        }
        return Pattern.compile(re.toString());
    }

    /** The names of {@code net}'s parameters that {@code glob} matches; none is a user error. */
    static List<String> matching(Model net, String glob, String option) {
        Pattern p = glob(glob);
        List<String> names = new ArrayList<>();
        for (String name : net.namedParams().keySet()) {
            if (p.matcher(name).matches()) {
                names.add(name);
            }
        }
        if (names.isEmpty()) {
            List<String> all = List.copyOf(net.namedParams().keySet());
            throw new FoveaException(option + " " + glob + ": matches none of the model's parameters; its names look"
                    + " like " + all.subList(0, Math.min(4, all.size())) + " (see 'fovea summary --model ...')");
        }
        return names;
    }

    /** Splits "GLOB=VALUE" at its last '='. */
    static String[] keyValue(String option, String arg, String example) {
        int eq = arg.lastIndexOf('=');
        if (eq <= 0 || eq == arg.length() - 1) {
            throw new FoveaException(option + " " + arg + ": expected GLOB=VALUE, e.g. " + example);
        }
        return new String[]{arg.substring(0, eq), arg.substring(eq + 1)};
    }

    /** The VALUE of "GLOB=VALUE" as a number ≥ 0. */
    static double number(String option, String arg, String text) {
        try {
            double v = Double.parseDouble(text);
            if (v >= 0 && Double.isFinite(v)) {
                return v;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new FoveaException(option + " " + arg + ": expected a number >= 0 after '=', received '" + text + "'");
    }
}
