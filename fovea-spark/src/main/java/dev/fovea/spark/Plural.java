package dev.fovea.spark;

import java.util.Locale;

/** Counts in words for the command's messages: "1 row", "0 rows", "1,024 image files". */
final class Plural {
    private Plural() {
    }

    /** {@code n} with thousands separators, then {@code noun} as given for 1, with an "s" otherwise (regular nouns only). */
    static String of(long n, String noun) {
        return String.format(Locale.ROOT, "%,d %s%s", n, noun, n == 1 ? "" : "s");
    }
}
