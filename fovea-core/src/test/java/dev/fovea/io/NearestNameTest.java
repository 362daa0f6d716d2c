package dev.fovea.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue 20, defect 10: a mistyped path gets the existing name it most likely meant, or nothing. */
class NearestNameTest {
    @TempDir
    Path dir;

    @Test
    void eachMissingPartIsReplacedByTheClosestNameBesideIt() throws Exception {
        Path datasets = Files.createDirectories(dir.resolve("shared/datasets"));
        Files.writeString(datasets.resolve("cifar-10-binary.tar.gz"), "x");
        Files.createDirectories(datasets.resolve("cifar10-images-sample"));
        Files.writeString(datasets.resolve("README.md"), "x");
        assertEquals(datasets.resolve("cifar-10-binary.tar.gz"), NearestName.suggest(datasets.resolve("cifar10-binary")));
        assertEquals(datasets.resolve("cifar-10-binary.tar.gz"),
                NearestName.suggest(datasets.resolve("cifar-10-binary.tgz")));
        assertEquals(datasets.resolve("cifar10-images-sample"),
                NearestName.suggest(datasets.resolve("cifar10-image-sample")));
        // A typo in a folder above, and in the name too.
        assertEquals(datasets.resolve("cifar-10-binary.tar.gz"),
                NearestName.suggest(dir.resolve("shared/dataset/cifar10-binary.tar.gz")));
        assertNull(NearestName.suggest(datasets.resolve("imagenet")), "nothing close");
        assertNull(NearestName.suggest(dir.resolve("elsewhere/cifar-10-binary.tar.gz")), "no folder close");
    }

    @Test
    void distancesCountSwapsAsOneEdit() {
        assertEquals(1, NearestName.distance("trian", "train"));
        assertEquals(0, NearestName.distance(NearestName.key("Cifar_10-Binary.tar.gz"), NearestName.key("cifar10binary")));
        assertEquals(3, NearestName.distance("kitten", "sitting"));
    }
}
