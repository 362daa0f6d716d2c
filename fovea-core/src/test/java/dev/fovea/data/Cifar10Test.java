package dev.fovea.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.fovea.FoveaException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class Cifar10Test {
    static final Path SHARED = dev.fovea.io.ReferenceFiles.datasets().resolve("cifar-10-binary.tar.gz");

    @TempDir
    Path tmp;

    /** Checks NHWC layout: pixel p, channel ch of image i comes from plane ch of its record. */
    private static void assertPixels(Dataset ds, int i, int batch, int record) {
        byte[] img = ds.image(i);
        for (int p = 0; p < 1024; p += 97) {
            for (int ch = 0; ch < 3; ch++) {
                assertEquals(CifarFixtures.value(batch, record, ch, p), img[p * 3 + ch] & 0xFF,
                        "image " + i + " pixel " + p + " channel " + ch);
            }
        }
    }

    private static void assertFixture(Splits s, List<String> names) {
        assertEquals(names, s.train().classNames());
        assertArrayEquals(new int[]{0, 1, 2, 3, 9}, s.train().labels());
        assertArrayEquals(new int[]{4, 4}, s.test().labels());
        assertEquals("test", s.testName());
        assertEquals(32, s.train().height());
        assertEquals(3, s.train().channels());
        assertPixels(s.train(), 0, 1, 0);
        assertPixels(s.train(), 2, 1, 2);
        assertPixels(s.train(), 4, 2, 1);
        assertPixels(s.test(), 1, 3, 1);
    }

    @Test
    void readsArchiveWithMetaNamesInBatchOrder() throws IOException {
        Path gz = CifarFixtures.tarGz(tmp, CifarFixtures.files(true));
        assertFixture(Cifar10.load(gz), List.of("a", "b", "c", "d", "e", "f", "g", "h", "i", "j"));
    }

    @Test
    void withoutMetaUsesStandardNames() throws IOException {
        Path gz = CifarFixtures.tarGz(tmp, CifarFixtures.files(false));
        assertFixture(Cifar10.load(gz), Cifar10.LABELS);
        assertEquals("airplane", Cifar10.LABELS.get(0));
        assertEquals("truck", Cifar10.LABELS.get(9));
    }

    @Test
    void readsExtractedFolderAndItsParent() throws IOException {
        Path bin = CifarFixtures.folder(tmp, CifarFixtures.files(true));
        List<String> names = List.of("a", "b", "c", "d", "e", "f", "g", "h", "i", "j");
        assertFixture(Cifar10.load(bin), names);
        assertFixture(Cifar10.load(tmp), names);
    }

    @Test
    void readsSingleBatchFile() throws IOException {
        Path bin = CifarFixtures.folder(tmp, CifarFixtures.files(false));
        Splits s = Cifar10.load(bin.resolve("data_batch_2.bin"));
        assertArrayEquals(new int[]{3, 9}, s.train().labels());
        assertNull(s.test());
        assertPixels(s.train(), 1, 2, 1);
    }

    @Test
    void infoCountsWithoutPixels() throws IOException {
        Path gz = CifarFixtures.tarGz(tmp, CifarFixtures.files(false));
        DataInfo info = Cifar10.info(gz);
        assertEquals(2, info.splits().size());
        assertEquals(5, info.splits().get(0).count());
        assertArrayEquals(new int[]{1, 1, 1, 1, 0, 0, 0, 0, 0, 1},
                info.splits().get(0).classCounts());
        assertEquals(2, info.splits().get(1).classCounts()[4]);
    }

    @Test
    void sizeNotMultipleOfRecordNamesTheFile() throws IOException {
        Path f = tmp.resolve("data_batch_1.bin");
        Files.write(f, Arrays.copyOf(CifarFixtures.batch(1, new int[]{1, 2}), 2 * 3073 + 5));
        FoveaException e = assertThrows(FoveaException.class, () -> Cifar10.load(f));
        assertTrue(e.getMessage().contains(f.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("3,073"), e.getMessage());
        assertTrue(e.getMessage().contains("6151 bytes"), e.getMessage());
    }

    @Test
    void malformedEntryInsideArchiveNamesTheEntry() throws IOException {
        Map<String, byte[]> files = CifarFixtures.files(false);
        files.put("test_batch.bin", new byte[100]);
        Path gz = CifarFixtures.tarGz(tmp, files);
        FoveaException e = assertThrows(FoveaException.class, () -> Cifar10.info(gz));
        assertTrue(e.getMessage().contains("cifar-10-batches-bin/test_batch.bin"), e.getMessage());
    }

    @Test
    void labelOutOfRangeNamesTheFile() throws IOException {
        Path f = tmp.resolve("data_batch_1.bin");
        Files.write(f, CifarFixtures.batch(1, new int[]{1, 12}));
        FoveaException e = assertThrows(FoveaException.class, () -> Cifar10.load(f));
        assertTrue(e.getMessage().contains("label 12"), e.getMessage());
        assertTrue(e.getMessage().contains(f.toString()), e.getMessage());
    }

    @Test
    void truncatedArchiveIsAnError() throws IOException {
        Path gz = CifarFixtures.tarGz(tmp, CifarFixtures.files(true));
        byte[] all = Files.readAllBytes(gz);
        Path cut = tmp.resolve("cut.tar.gz");
        Files.write(cut, Arrays.copyOf(all, all.length / 2));
        FoveaException e = assertThrows(FoveaException.class, () -> Cifar10.load(cut));
        assertTrue(e.getMessage().contains(cut.toString()), e.getMessage());
    }

    @Test
    void archiveWithoutBatchesAndMissingPathAreErrors() throws IOException {
        Path gz = CifarFixtures.tarGz(tmp, Map.of("readme.txt", new byte[3]));
        assertTrue(assertThrows(FoveaException.class, () -> Cifar10.load(gz)).getMessage()
                .contains("data_batch_1.bin"));
        Path missing = tmp.resolve("nope.tar.gz");
        assertTrue(assertThrows(FoveaException.class, () -> Cifar10.load(missing)).getMessage()
                .contains("does not exist"));
    }

    @Test
    void sharedArchiveInfo() {
        assumeTrue(Files.isRegularFile(SHARED), "shared dataset not present");
        DataInfo info = Cifar10.info(SHARED);
        assertEquals(50_000, info.splits().get(0).count());
        assertEquals(5_000, info.splits().get(1).count());
        assertEquals(50_000, Arrays.stream(info.splits().get(0).classCounts()).sum());
        assertEquals(Cifar10.LABELS, info.classNames());
    }
}
