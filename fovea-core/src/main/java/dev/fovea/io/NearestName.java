package dev.fovea.io;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * The existing path a mistyped one most likely meant, for "did you mean" in a not-found message:
 * {@code ../shared/datasets/cifar10-binary} → {@code ../shared/datasets/cifar-10-binary.tar.gz}.
 * Each missing part of the path is replaced by the closest name in the folder above it: names are
 * compared lower-cased, without archive and file extensions and without the separators
 * {@code - _ . space}, by edit distance (insertions, deletions, substitutions and swaps of
 * neighbours), and a name counts as close within a third of its length. Nothing is suggested
 * when a part has no close name or the result does not exist.
 */
public final class NearestName {
    /** Folders with more entries than this are not searched (a suggestion is not worth the wait). */
    private static final int MAX_ENTRIES = 10_000;

    private NearestName() {
    }

    /** The existing path closest to {@code missing}, in the same form (relative stays relative), or null. */
    public static Path suggest(Path missing) {
        Path cur = missing.getRoot();
        boolean changed = false;
        for (Path part : missing) {
            String name = part.toString();
            Path next = cur == null ? Path.of(name) : cur.resolve(name);
            if (!Files.exists(next)) {
                String best = closest(name, cur == null ? Path.of(".") : cur);
                if (best == null) {
                    return null;
                }
                next = cur == null ? Path.of(best) : cur.resolve(best);
                changed = true;
            }
            cur = next;
        }
        return changed && cur != null && Files.exists(cur) ? cur : null;
    }

    /** The entry of {@code dir} closest to {@code name}, or null when none is close. */
    static String closest(String name, Path dir) {
        if (!Files.isDirectory(dir)) {
            return null;
        }
        String key = key(name);
        String best = null;
        int bestKey = Integer.MAX_VALUE;
        int bestRaw = Integer.MAX_VALUE;
        int seen = 0;
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            for (Path e : entries) {
                if (++seen > MAX_ENTRIES) {
                    return null;
                }
                String candidate = e.getFileName().toString();
                if (candidate.startsWith(".") && !name.startsWith(".")) {
                    continue;
                }
                int d = distance(key, key(candidate));
                int raw = distance(name.toLowerCase(Locale.ROOT), candidate.toLowerCase(Locale.ROOT));
                if (d < bestKey || d == bestKey && (raw < bestRaw || raw == bestRaw && candidate.compareTo(best) < 0)) {
                    best = candidate;
                    bestKey = d;
                    bestRaw = raw;
                }
            }
        } catch (IOException | RuntimeException e) {
            return null;
        }
        return best != null && bestKey <= Math.max(1, key.length() / 3) ? best : null;
    }

    /** {@code Cifar-10_binary.tar.gz} → {@code cifar10binary}: what is left when spelling habits are set aside. */
    static String key(String name) {
        String s = name.toLowerCase(Locale.ROOT).replaceFirst(
                "\\.(tar\\.gz|tgz|tar|gz|zip|bin|safetensors|json|csv|jpe?g|png|bmp|gif)$", "");
        return s.replaceAll("[-_. ]", "");
    }

    /** Optimal string alignment distance: insertions, deletions, substitutions, adjacent swaps. */
    static int distance(String a, String b) {
        int[][] d = new int[a.length() + 1][b.length() + 1];
        for (int i = 0; i <= a.length(); i++) {
            d[i][0] = i;
        }
        for (int j = 0; j <= b.length(); j++) {
            d[0][j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
                }
            }
        }
        return d[a.length()][b.length()];
    }
}
