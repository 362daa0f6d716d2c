package dev.fovea.data;

import dev.fovea.FoveaException;
import dev.fovea.io.NearestName;
import dev.fovea.io.Sha256;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Resolves the {@code --data} argument: {@code cifar10} (the cached or downloaded official
 * archive), or a path to a CIFAR-10 binary source (.tar.gz, folder, .bin) or an image folder
 * (folder or .zip with one sub-folder per class).
 */
public final class DataSources {
    /** The name that selects the cached/downloaded CIFAR-10 archive. */
    public static final String CIFAR10 = "cifar10";

    private DataSources() {
    }

    /** Loads all splits; downloads go to {@code err} as progress, skipped files as warnings. */
    public static Splits load(String spec, ImageFolder.Options options, PrintStream err) {
        Path p = resolve(spec, err);
        if (Cifar10.recognizes(p)) {
            return Cifar10.load(p);
        }
        return ImageFolder.load(p, options, err::println);
    }

    /** Counts per split and class; for CIFAR-10 without decoding any pixels. */
    public static DataInfo info(String spec, ImageFolder.Options options, PrintStream err) {
        Path p = resolve(spec, err);
        if (Cifar10.recognizes(p)) {
            return Cifar10.info(p);
        }
        return DataInfo.of(p.toString(), ImageFolder.load(p, options, err::println));
    }

    /**
     * The SHA-256 of the data as it lies on disk ({@link dev.fovea.io.Sha256}): of an archive,
     * {@code .bin} or {@code .zip}, its bytes as {@code sha256sum} prints them; of a folder, the
     * {@code sha256sum} listing of its files, hashed. For {@code cifar10}, the cached archive.
     */
    public static String fileSha256(String spec, PrintStream err) {
        return Sha256.of(resolve(spec, err));
    }

    private static Path resolve(String spec, PrintStream err) {
        if (spec.equalsIgnoreCase(CIFAR10)) {
            return Cifar10Download.ensure(err);
        }
        Path p = Path.of(spec);
        if (!Files.exists(p)) {
            Path near = NearestName.suggest(p);
            throw new FoveaException("data not found: " + spec + " does not exist; "
                    + (near == null ? "pass" : "did you mean " + near + "? Otherwise pass")
                    + " cifar10, a cifar-10-binary.tar.gz, a cifar-10-batches-bin folder, a .bin"
                    + " batch, or a folder/.zip with one sub-folder of images per class");
        }
        if (!Cifar10.recognizes(p) && !ImageFolder.recognizes(p)) {
            throw new FoveaException("cannot tell what kind of data " + spec + " is: expected a"
                    + " .tar.gz/.tgz CIFAR-10 archive, a .bin batch, a .zip or a folder");
        }
        return p;
    }
}
