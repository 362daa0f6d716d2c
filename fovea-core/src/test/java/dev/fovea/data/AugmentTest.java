package dev.fovea.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fovea.FoveaException;
import dev.fovea.data.Augmentation.FillMode;
import dev.fovea.data.Augmentation.PadMode;
import dev.fovea.tensor.Rng;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class AugmentTest {
    private static byte[] bytes(int... v) {
        byte[] b = new byte[v.length];
        for (int i = 0; i < v.length; i++) {
            b[i] = (byte) v[i];
        }
        return b;
    }

    /** Shifts a one-row, one-channel image horizontally by dx. */
    private static byte[] shiftRow(int[] row, float dx, FillMode mode, int fill) {
        Augment a = new Augment(Augmentation.none(), 1, row.length, 1);
        byte[] out = new byte[row.length];
        a.shift(bytes(row), 0, out, 0, 0f, dx, mode, fill);
        return out;
    }

    @Test
    void shiftMatchesHandComputedScipyModes() {
        int[] row = {0, 100, 200};
        // out[c] = in[c + dx]; nearest clamps, reflect mirrors with the edge repeated.
        assertArrayEquals(bytes(50, 150, 200), shiftRow(row, 0.5f, FillMode.NEAREST, 0));
        assertArrayEquals(bytes(0, 0, 100), shiftRow(row, -1f, FillMode.NEAREST, 0));
        assertArrayEquals(bytes(100, 0, 0), shiftRow(row, -2f, FillMode.REFLECT, 0));
        assertArrayEquals(bytes(200, 200, 100), shiftRow(row, 2f, FillMode.REFLECT, 0));
        assertArrayEquals(bytes(50, 150, 7), shiftRow(row, 0.5f, FillMode.CONSTANT, 7));
        assertArrayEquals(bytes(7, 0, 100), shiftRow(row, -1f, FillMode.CONSTANT, 7));
        assertArrayEquals(bytes(25, 125, 200), shiftRow(row, 0.25f, FillMode.NEAREST, 0));
    }

    /** Independent double-precision reference of scipy's order-1 shift with mode nearest. */
    private static int reference(byte[] img, int h, int w, int c, int r, int x, int k, double dy,
                                 double dx) {
        double y = Math.min(h - 1, Math.max(0, r + dy));
        double xx = Math.min(w - 1, Math.max(0, x + dx));
        int y0 = (int) Math.floor(y);
        int x0 = (int) Math.floor(xx);
        int y1 = Math.min(h - 1, y0 + 1);
        int x1 = Math.min(w - 1, x0 + 1);
        double fy = y - y0;
        double fx = xx - x0;
        double v = (1 - fy) * ((1 - fx) * (img[(y0 * w + x0) * c + k] & 0xFF)
                + fx * (img[(y0 * w + x1) * c + k] & 0xFF))
                + fy * ((1 - fx) * (img[(y1 * w + x0) * c + k] & 0xFF)
                + fx * (img[(y1 * w + x1) * c + k] & 0xFF));
        return (int) Math.round(v);
    }

    @Test
    void twoDimensionalShiftMatchesReferenceOnOddShapes() {
        Rng rng = new Rng(5);
        for (int[] s : new int[][]{{1, 1, 1}, {5, 7, 3}, {9, 4, 2}, {32, 32, 3}}) {
            int h = s[0];
            int w = s[1];
            int c = s[2];
            byte[] img = new byte[h * w * c];
            for (int i = 0; i < img.length; i++) {
                img[i] = (byte) rng.nextInt(256);
            }
            Augment a = new Augment(Augmentation.none(), h, w, c);
            byte[] out = new byte[img.length];
            for (int trial = 0; trial < 5; trial++) {
                float dy = (rng.nextFloat() - 0.5f) * 6;
                float dx = (rng.nextFloat() - 0.5f) * 6;
                a.shift(img, 0, out, 0, dy, dx, FillMode.NEAREST, 0);
                for (int r = 0; r < h; r++) {
                    for (int x = 0; x < w; x++) {
                        for (int k = 0; k < c; k++) {
                            int want = reference(img, h, w, c, r, x, k, dy, dx);
                            int got = out[(r * w + x) * c + k] & 0xFF;
                            // fixed-point weights (1/1024) may round the other way
                            assertTrue(Math.abs(want - got) <= 1, "shape " + Arrays.toString(s)
                                    + " at " + r + "," + x + "," + k + ": " + got + " vs " + want);
                        }
                    }
                }
            }
        }
    }

    @Test
    void flipAndPadCropAndCutoutByHand() {
        Augment a = new Augment(Augmentation.none(), 2, 3, 1);
        byte[] img = bytes(1, 2, 3, 4, 5, 6);
        a.flipHorizontal(img, 0);
        assertArrayEquals(bytes(3, 2, 1, 6, 5, 4), img);

        byte[] src = bytes(1, 2, 3, 4, 5, 6);
        byte[] out = new byte[6];
        a.padCrop(src, 0, out, 0, 1, 0, 0, PadMode.ZERO);
        assertArrayEquals(bytes(0, 0, 0, 0, 1, 2), out);
        a.padCrop(src, 0, out, 0, 1, 2, 2, PadMode.ZERO);
        assertArrayEquals(bytes(5, 6, 0, 0, 0, 0), out);
        // reflect without repeating the edge: row (4 5 6) above row 0 and below row 1
        a.padCrop(src, 0, out, 0, 1, 0, 0, PadMode.REFLECT);
        assertArrayEquals(bytes(5, 4, 5, 2, 1, 2), out);

        Augment b = new Augment(Augmentation.none(), 3, 3, 1);
        byte[] sq = bytes(1, 1, 1, 1, 1, 1, 1, 1, 1);
        b.cutout(sq, 0, 0, 0, 2); // centred on a corner: clipped to one pixel
        assertArrayEquals(bytes(0, 1, 1, 1, 1, 1, 1, 1, 1), sq);
        b.cutout(sq, 0, 2, 2, 2);
        assertArrayEquals(bytes(0, 1, 1, 1, 0, 0, 1, 0, 0), sq);
    }

    private static int[] ramp(int w) {
        int[] r = new int[w];
        for (int i = 0; i < w; i++) {
            r[i] = 8 * i;
        }
        return r;
    }

    /** The width shift implied at the middle column of a shifted 1×32 ramp, in pixels. */
    private static float impliedShift(Augmentation cfg, long seed) {
        Augment a = new Augment(cfg, 1, 32, 1);
        byte[] out = new byte[32];
        a.apply(bytes(ramp(32)), 0, out, 0, new Rng(seed));
        return ((out[16] & 0xFF) - 128) / 8f;
    }

    @Test
    void shiftRangeBelowOneIsAFractionAndAboveOneIsPixels() {
        float maxFrac = 0;
        float maxPix = 0;
        for (long seed = 0; seed < 300; seed++) {
            float f = impliedShift(new Augmentation(0.1f, 0f, false), seed);
            float p = impliedShift(new Augmentation(2f, 0f, false), seed);
            assertTrue(Math.abs(f) <= 3.2f + 0.07f, "fractional shift " + f);
            assertTrue(Math.abs(p) <= 2f + 0.07f, "pixel shift " + p);
            maxFrac = Math.max(maxFrac, Math.abs(f));
            maxPix = Math.max(maxPix, Math.abs(p));
        }
        assertTrue(maxFrac > 2.9f, "range 0.1 of 32 px reaches near ±3.2, got " + maxFrac);
        assertTrue(maxPix > 1.8f && maxPix <= 2.07f, "range 2 px, got " + maxPix);
    }

    @Test
    void applyIsSeededAndFlipsAboutHalfTheTime() {
        Augment a = new Augment(Augmentation.tutorial(), 1, 32, 1);
        byte[] img = bytes(ramp(32));
        byte[] o1 = new byte[32];
        byte[] o2 = new byte[32];
        a.apply(img, 0, o1, 0, new Rng(9));
        a.apply(img, 0, o2, 0, new Rng(9));
        assertArrayEquals(o1, o2);
        Augment flipOnly = new Augment(new Augmentation(0f, 0f, true), 1, 32, 1);
        Rng rng = new Rng(1);
        int flipped = 0;
        for (int i = 0; i < 1000; i++) {
            flipOnly.apply(img, 0, o1, 0, rng);
            flipped += (o1[0] & 0xFF) == 248 ? 1 : 0;
        }
        assertTrue(flipped > 440 && flipped < 560, "flipped " + flipped + " of 1000");
        assertFalse(Augmentation.tutorial().isNone());
        assertTrue(Augmentation.none().isNone());
    }

    @Test
    void applyEqualsShiftThenFlipWithKerasDraws() {
        int h = 5;
        int w = 7;
        Augmentation cfg = new Augmentation(0.3f, 0.2f, true).withFill(FillMode.CONSTANT, 9);
        Augment a = new Augment(cfg, h, w, 3);
        Rng data = new Rng(11);
        byte[] img = new byte[h * w * 3];
        for (int i = 0; i < img.length; i++) {
            img[i] = (byte) data.nextInt(256);
        }
        byte[] got = new byte[img.length];
        byte[] want = new byte[img.length];
        int flips = 0;
        for (long seed = 0; seed < 40; seed++) {
            a.apply(img, 0, got, 0, new Rng(seed));
            Rng r = new Rng(seed);
            float dy = (2 * r.nextFloat() - 1) * 0.2f * h;
            float dx = (2 * r.nextFloat() - 1) * 0.3f * w;
            boolean flip = r.nextInt(2) == 1;
            a.shift(img, 0, want, 0, dy, dx, FillMode.CONSTANT, 9);
            if (flip) {
                a.flipHorizontal(want, 0);
                flips++;
            }
            assertArrayEquals(want, got, "seed " + seed);
        }
        assertTrue(flips > 5 && flips < 35);
    }

    @Test
    void badConfigurationsAreRejected() {
        assertThrows(FoveaException.class, () -> new Augmentation(-0.1f, 0f, false));
        assertThrows(FoveaException.class,
                () -> Augmentation.none().withFill(FillMode.CONSTANT, 300));
        Augmentation bigPad = Augmentation.none().withPadCrop(4, PadMode.REFLECT);
        assertThrows(FoveaException.class, () -> new Augment(bigPad, 4, 8, 3));
    }
}
