package dev.fovea.io;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Locates the PyTorch reference cases for tests: the system property {@code fovea.reference}
 * or the environment variable {@code FOVEA_REFERENCE} if set, else the first
 * {@code shared/reference/ops} found walking up from the working directory (the repository
 * sits beside {@code shared/} on developer machines and in CI). Fails rather than skips when
 * they are missing, so a misconfigured run cannot pass without checking anything.
 */
public final class ReferenceFiles {
    private ReferenceFiles() {
    }

    public static Path dir() {
        String configured = System.getProperty("fovea.reference", System.getenv("FOVEA_REFERENCE"));
        if (configured != null) {
            return Path.of(configured);
        }
        return shared().resolve("reference/ops");
    }

    /** The {@code shared/} folder beside the repository (found walking up from the working directory). */
    public static Path shared() {
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            Path candidate = p.resolve("shared");
            if (Files.isDirectory(candidate.resolve("reference/ops"))) {
                return candidate;
            }
        }
        throw new IllegalStateException("no shared/reference/ops above " + Path.of("").toAbsolutePath()
                + "; set -Dfovea.reference=DIR or FOVEA_REFERENCE");
    }

    /** {@code shared/datasets}: the CIFAR-10 archive and the image-folder sample. */
    public static Path datasets() {
        return shared().resolve("datasets");
    }
}
