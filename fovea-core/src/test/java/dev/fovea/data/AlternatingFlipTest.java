package dev.fovea.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fovea.FoveaException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** airbench's alternating flip, alone and after a 2-px reflect pad-crop, through {@link Batches}. */
class AlternatingFlipTest {
    private static final int N = 200;
    private static final int SIDE = 8;

    /** N images of 8×8×1 whose pixel (r, c) is 20 + 20·c, labelled with their index. */
    private static Dataset ramps() {
        byte[] px = new byte[N * SIDE * SIDE];
        int[] labels = new int[N];
        List<String> names = new ArrayList<>();
        for (int i = 0; i < N; i++) {
            for (int p = 0; p < SIDE * SIDE; p++) {
                px[i * SIDE * SIDE + p] = (byte) (20 + 20 * (p % SIDE));
            }
            labels[i] = i;
            names.add("c" + i);
        }
        return new Dataset(px, labels, names, SIDE, SIDE, 1);
    }

    /**
     * flipped[image] in one epoch, read from the batches: columns 3 and 4 of the middle row come
     * from source columns 1..6 whatever the crop offset (at most 2), so the ramp decreases
     * there exactly when the image was mirrored.
     */
    private static boolean[] flips(Batches b, int epoch) {
        boolean[] out = new boolean[N];
        int seen = 0;
        try (Batches.Epoch ep = b.epoch(epoch)) {
            for (Batches.Batch batch = ep.next(); batch != null; batch = ep.next()) {
                float[] x = batch.x().data();
                for (int i = 0; i < batch.size(); i++) {
                    int row = i * SIDE * SIDE + 4 * SIDE;
                    assertNotEquals(x[row + 3], x[row + 4]);
                    out[batch.labels()[i]] = x[row + 4] < x[row + 3];
                    seen++;
                }
            }
        }
        assertEquals(N, seen);
        return out;
    }

    @Test
    void eachImageAlternatesFromAHalfFlippedFirstEpoch() {
        Augmentation aug = Augmentation.none().withPadCrop(2, Augmentation.PadMode.REFLECT).withAlternatingFlip();
        Batches b = new Batches(ramps(), Batches.Config.of(32), aug, Normalization.scale(1), 5);
        boolean[][] byEpoch = new boolean[4][];
        for (int e = 0; e < 4; e++) {
            byEpoch[e] = flips(b, e);
        }
        int flippedFirst = 0;
        for (int i = 0; i < N; i++) {
            boolean f = byEpoch[0][i];
            flippedFirst += f ? 1 : 0;
            // mirrored relative to epoch 0 in odd epochs, as in epoch 0 in even ones
            assertEquals(!f, byEpoch[1][i], "image " + i + " epoch 1");
            assertEquals(f, byEpoch[2][i], "image " + i + " epoch 2");
            assertEquals(!f, byEpoch[3][i], "image " + i + " epoch 3");
            assertEquals(f, Augment.alternatingFlip(5, i, 0), "image " + i + ": the documented function");
        }
        // Binomial(200, ½): mean 100, sd ≈ 7; 70..130 is beyond 4 sd either way.
        assertTrue(flippedFirst > 70 && flippedFirst < 130, flippedFirst + " of " + N + " flipped in epoch 0");

        // A fresh feeder (a resumed run) at epoch 3 and another seed.
        Batches again = new Batches(ramps(), Batches.Config.of(50), aug, Normalization.scale(1), 5);
        assertEquals(java.util.Arrays.toString(byEpoch[3]), java.util.Arrays.toString(flips(again, 3)));
        Batches other = new Batches(ramps(), Batches.Config.of(32), aug, Normalization.scale(1), 6);
        assertNotEquals(java.util.Arrays.toString(byEpoch[0]), java.util.Arrays.toString(flips(other, 0)));
    }

    @Test
    void randomAndAlternatingFlipsExcludeEachOther() {
        FoveaException e = assertThrows(FoveaException.class, () -> new Augmentation(0f, 0f, true,
                Augmentation.FillMode.NEAREST, 0, 0, Augmentation.PadMode.REFLECT, 0, true));
        assertTrue(e.getMessage().contains("received both"), e.getMessage());
        Augmentation a = Augmentation.tutorial().withAlternatingFlip();
        assertTrue(a.alternatingFlip() && !a.horizontalFlip());
        assertTrue(!Augmentation.none().withAlternatingFlip().isNone());
    }
}
