package dev.fovea.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fovea.FoveaException;
import dev.fovea.tensor.Rng;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class BatchesTest {
    /** n images of 2×2×3 whose every byte is 10·index + channel. */
    private static Dataset tiny(int n) {
        byte[] px = new byte[n * 12];
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            for (int p = 0; p < 12; p++) {
                px[i * 12 + p] = (byte) (10 * i + p % 3);
            }
            labels[i] = i % 3;
        }
        return new Dataset(px, labels, List.of("a", "b", "c"), 2, 2, 3);
    }

    private static List<float[]> collect(Batches b, int epoch, List<int[]> labels) {
        List<float[]> xs = new ArrayList<>();
        try (Batches.Epoch ep = b.epoch(epoch)) {
            for (Batches.Batch batch = ep.next(); batch != null; batch = ep.next()) {
                assertEquals(xs.size(), batch.index());
                xs.add(batch.x().data().clone());
                labels.add(batch.labels().clone());
            }
        }
        return xs;
    }

    @Test
    void everyImageOnceWithPartialLastBatchAndExactScaling() {
        Dataset ds = tiny(10);
        Batches b = new Batches(ds, Batches.Config.of(4), Augmentation.none(),
                Normalization.scale(3), 1);
        assertEquals(3, b.batchesPerEpoch());
        List<int[]> labels = new ArrayList<>();
        List<float[]> xs = collect(b, 0, labels);
        assertEquals(3, xs.size());
        assertEquals(2, labels.get(2).length);
        boolean[] seen = new boolean[10];
        for (int k = 0; k < xs.size(); k++) {
            float[] x = xs.get(k);
            for (int i = 0; i < labels.get(k).length; i++) {
                int idx = Math.round(x[i * 12] * 255f) / 10;
                assertFalse(seen[idx], "image " + idx + " twice");
                seen[idx] = true;
                assertEquals(idx % 3, labels.get(k)[i]);
                assertEquals((10 * idx + 2) / 255f, x[i * 12 + 5], 0f);
            }
        }
        for (boolean s : seen) {
            assertTrue(s);
        }
        Batches drop = new Batches(ds, new Batches.Config(4, true, true, 2), Augmentation.none(),
                Normalization.scale(3), 1);
        assertEquals(2, collect(drop, 0, new ArrayList<>()).size());
    }

    @Test
    void epochDependsOnlyOnSeedAndEpochNumber() {
        Dataset ds = tiny(23);
        Augmentation aug = new Augmentation(0.5f, 0.5f, true);
        Batches a = new Batches(ds, Batches.Config.of(5), aug, Normalization.scale(3), 42);
        Batches b = new Batches(ds, Batches.Config.of(5), aug, Normalization.scale(3), 42);
        collect(a, 0, new ArrayList<>());
        collect(a, 1, new ArrayList<>());
        List<int[]> la = new ArrayList<>();
        List<int[]> lb = new ArrayList<>();
        List<float[]> xa = collect(a, 2, la);
        List<float[]> xb = collect(b, 2, lb); // "resumed" straight at epoch 2
        for (int k = 0; k < xa.size(); k++) {
            assertArrayEquals(xa.get(k), xb.get(k));
            assertArrayEquals(la.get(k), lb.get(k));
        }
        List<int[]> l3 = new ArrayList<>();
        collect(a, 3, l3);
        assertNotEquals(Arrays.deepToString(la.toArray()), Arrays.deepToString(l3.toArray()));
    }

    @Test
    void augmentedBatchEqualsAugmentAppliedInShuffledOrder() {
        Dataset ds = tiny(7);
        Augmentation aug = Augmentation.tutorial().withCutout(1);
        Normalization norm = new Normalization(new float[]{0.5f, 0.4f, 0.3f},
                new float[]{0.25f, 0.5f, 2f});
        Batches b = new Batches(ds, new Batches.Config(7, true, false, 1), aug, norm, 3);
        float[] x;
        try (Batches.Epoch ep = b.epoch(5)) {
            x = ep.next().x().data().clone();
            assertNull(ep.next());
        }
        Rng base = new Rng(3).split(5);
        int[] perm = {0, 1, 2, 3, 4, 5, 6};
        base.split(0).shuffle(perm);
        Rng augRng = base.split(1);
        Augment augment = new Augment(aug, 2, 2, 3);
        byte[] img = new byte[12];
        for (int i = 0; i < 7; i++) {
            augment.apply(ds.images(), perm[i] * 12, img, 0, augRng);
            for (int p = 0; p < 12; p++) {
                int ch = p % 3;
                float want = ((img[p] & 0xFF) / 255f - norm.mean()[ch]) / norm.std()[ch];
                assertEquals(want, x[i * 12 + p], 1e-6f);
            }
        }
    }

    @Test
    void closingMidEpochStopsTheFeederThread() {
        Dataset ds = tiny(50);
        Batches b = new Batches(ds, new Batches.Config(2, true, false, 2), Augmentation.tutorial(),
                Normalization.scale(3), 0);
        Batches.Epoch ep = b.epoch(0);
        assertTrue(ep.next() != null);
        ep.close();
        assertFalse(ep.feederAlive());
        Batches.Epoch next = b.epoch(1); // a fresh epoch still sees all 25 batches
        int n = 0;
        while (next.next() != null) {
            n++;
        }
        assertEquals(25, n);
        assertFalse(next.feederAlive());
        Batches.Epoch third = b.epoch(2);
        b.close();
        assertFalse(third.feederAlive());
        assertTrue(Thread.getAllStackTraces().keySet().stream()
                .noneMatch(t -> t.getName().startsWith("fovea-batches") && t.isAlive()));
    }

    @Test
    void normalizationFitAndValidationSplit() {
        byte[] px = {0, (byte) 255, 51, (byte) 255, 0, 102};
        Dataset ds = new Dataset(px, new int[]{0, 1}, List.of("x", "y"), 1, 1, 3);
        Normalization n = Normalization.fit(ds);
        assertArrayEquals(new float[]{0.5f, 0.5f, 0.3f}, n.mean(), 1e-6f);
        assertArrayEquals(new float[]{0.5f, 0.5f, 0.1f}, n.std(), 1e-6f);
        assertThrows(FoveaException.class, () -> new Normalization(new float[]{0}, new float[]{0}));

        Dataset big = tiny(20);
        Splits s = big.splitValidation(0.25, 7);
        assertEquals(15, s.train().size());
        assertEquals(5, s.test().size());
        assertEquals("validation", s.testName());
        boolean[] seen = new boolean[20];
        for (Dataset d : List.of(s.train(), s.test())) {
            for (int i = 0; i < d.size(); i++) {
                int idx = (d.images()[i * 12] & 0xFF) / 10;
                assertFalse(seen[idx]);
                seen[idx] = true;
                assertEquals(idx % 3, d.label(i));
            }
        }
        assertArrayEquals(s.test().labels(), big.splitValidation(0.25, 7).test().labels());
        assertThrows(FoveaException.class, () -> big.splitValidation(1.0, 7));
        assertArrayEquals(new int[]{7, 7, 6}, big.classCounts());
    }
}
