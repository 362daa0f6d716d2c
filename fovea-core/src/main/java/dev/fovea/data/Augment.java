package dev.fovea.data;

import dev.fovea.FoveaException;
import dev.fovea.tensor.Rng;

/**
 * Random augmentation of one uint8 image (H,W,C) at a time, as configured by an
 * {@link Augmentation}: random crop after padding, then width/height shift, then horizontal
 * flip, then cutout. Randomness comes from the {@link Rng} passed per call, drawn in that fixed
 * order, so a seed reproduces the same images; the alternating flip is no draw but a function of
 * (seed, image index, epoch) that the caller passes in. Holds scratch buffers for one image size, so
 * {@link #apply} allocates nothing; one instance per thread (not thread-safe).
 *
 * <p>The shift follows Keras's {@code ImageDataGenerator.random_transform}: a shift t drawn
 * uniformly in [−range, range] (times the size when range &lt; 1) and output pixel (r, c)
 * sampled at input (r + t_h, c + t_w) with linear interpolation and the fill mode outside the
 * image (scipy.ndimage's {@code affine_transform}, order 1). Unlike Keras, the result is
 * rounded back to uint8, since images stay uint8 until batching.
 */
public final class Augment {
    private static final int ONE = 1 << 10;

    private final Augmentation cfg;
    private final int h;
    private final int w;
    private final int c;
    private final byte[] bufA;
    private final byte[] bufB;
    private final int[] rowA;
    private final int[] rowB;
    private final int[] rowW;
    private final int[] colA;
    private final int[] colB;
    private final int[] colW;
    private final int[] idxA;
    private final int[] idxB;
    private final int[] hx;

    public Augment(Augmentation cfg, int height, int width, int channels) {
        if (cfg.padCrop() > 0 && cfg.padMode() == Augmentation.PadMode.REFLECT
                && cfg.padCrop() >= Math.min(height, width)) {
            throw new FoveaException("reflect padding of " + cfg.padCrop() + " pixels needs"
                    + " images larger than that, received " + height + "×" + width
                    + "; use a smaller --pad-crop or zero padding");
        }
        this.cfg = cfg;
        this.h = height;
        this.w = width;
        this.c = channels;
        int n = height * width * channels;
        bufA = new byte[n];
        bufB = new byte[n];
        rowA = new int[height];
        rowB = new int[height];
        rowW = new int[height];
        colA = new int[width];
        colB = new int[width];
        colW = new int[width];
        idxA = new int[width * channels];
        idxB = new int[width * channels];
        hx = new int[n];
    }

    /** Rng stream of the alternating flip's epoch-0 coin; epochs use streams 0, 1, 2, … */
    private static final long FLIP_STREAM = -1;

    /**
     * Whether the alternating flip mirrors image {@code index} (its position in the dataset) in
     * {@code epoch} (0-based): a fair coin drawn once from (seed, index), inverted in odd
     * epochs. A function of its arguments only, so neither resuming nor the thread count can
     * change it.
     */
    public static boolean alternatingFlip(long seed, int index, int epoch) {
        boolean first = new Rng(seed).split(FLIP_STREAM).split(index).nextInt(2) == 1;
        return first ^ (epoch % 2 != 0);
    }

    /**
     * Writes an augmented copy of one image, without the alternating flip (see the overload).
     *
     * @param src (H,W,C) uint8 at {@code srcOff}, read
     * @param dst (H,W,C) uint8 at {@code dstOff}, written (may not overlap src)
     */
    public void apply(byte[] src, int srcOff, byte[] dst, int dstOff, Rng rng) {
        apply(src, srcOff, dst, dstOff, rng, false);
    }

    /**
     * Writes an augmented copy of one image; {@code mirror} is the alternating flip's decision
     * for it ({@link #alternatingFlip}), used in place of the random flip when the
     * configuration asks for the alternating flip and ignored otherwise.
     *
     * @param src (H,W,C) uint8 at {@code srcOff}, read
     * @param dst (H,W,C) uint8 at {@code dstOff}, written (may not overlap src)
     */
    public void apply(byte[] src, int srcOff, byte[] dst, int dstOff, Rng rng, boolean mirror) {
        int n = h * w * c;
        System.arraycopy(src, srcOff, bufA, 0, n);
        byte[] cur = bufA;
        byte[] other = bufB;
        if (cfg.padCrop() > 0) {
            int p = cfg.padCrop();
            padCrop(cur, 0, other, 0, p, rng.nextInt(2 * p + 1), rng.nextInt(2 * p + 1),
                    cfg.padMode());
            byte[] t = cur;
            cur = other;
            other = t;
        }
        if (cfg.heightShift() > 0 || cfg.widthShift() > 0) {
            float dy = draw(cfg.heightShift(), h, rng);
            float dx = draw(cfg.widthShift(), w, rng);
            boolean flip = cfg.alternatingFlip() ? mirror : cfg.horizontalFlip() && rng.nextInt(2) == 1;
            shift(cur, 0, other, 0, dy, dx, cfg.fillMode(), cfg.fillValue(), flip);
            byte[] t = cur;
            cur = other;
            other = t;
        } else if (cfg.alternatingFlip() ? mirror : cfg.horizontalFlip() && rng.nextInt(2) == 1) {
            flipHorizontal(cur, 0);
        }
        if (cfg.cutout() > 0) {
            cutout(cur, 0, rng.nextInt(h), rng.nextInt(w), cfg.cutout());
        }
        System.arraycopy(cur, 0, dst, dstOff, n);
    }

    private static float draw(float range, int size, Rng rng) {
        if (range == 0) {
            return 0f;
        }
        float t = (2 * rng.nextFloat() - 1) * range;
        return range < 1 ? t * size : t;
    }

    /**
     * dst(r, c) = src(r + dy, c + dx), bilinear, outside the image filled per {@code mode}.
     *
     * @param src (H,W,C) read; @param dst (H,W,C) written
     */
    public void shift(byte[] src, int srcOff, byte[] dst, int dstOff, float dy, float dx,
                      Augmentation.FillMode mode, int fill) {
        shift(src, srcOff, dst, dstOff, dy, dx, mode, fill, false);
    }

    /**
     * The shift, optionally followed by a horizontal flip folded into the column tables. The
     * fractional part of a uniform shift is the same for every pixel, so bilinear sampling is
     * separable: interpolate every source row horizontally once, then blend two such rows per
     * output row.
     */
    private void shift(byte[] src, int srcOff, byte[] dst, int dstOff, float dy, float dx,
                       Augmentation.FillMode mode, int fill, boolean flip) {
        int wyr = axis(h, dy, mode, rowA, rowB, rowW);
        int wxr = axis(w, dx, mode, colA, colB, colW);
        int wc = w * c;
        for (int x = 0; x < w; x++) {
            int from = flip ? w - 1 - x : x;
            int a = colA[from] * c;
            int b = colB[from] * c;
            for (int k = 0; k < c; k++) {
                idxA[x * c + k] = a + k;
                idxB[x * c + k] = b + k;
            }
        }
        int vx = ONE - wxr;
        for (int r = 0; r < h; r++) {
            int so = srcOff + r * wc;
            int ho = r * wc;
            for (int j = 0; j < wc; j++) {
                hx[ho + j] = vx * (src[so + idxA[j]] & 0xFF) + wxr * (src[so + idxB[j]] & 0xFF);
            }
        }
        int vy = ONE - wyr;
        for (int r = 0; r < h; r++) {
            int o = dstOff + r * wc;
            int ta = rowA[r] * wc;
            int tb = rowB[r] * wc;
            for (int j = 0; j < wc; j++) {
                dst[o + j] = (byte) ((vy * hx[ta + j] + wyr * hx[tb + j] + (1 << 19)) >> 20);
            }
        }
        if (mode == Augmentation.FillMode.CONSTANT) {
            byte f = (byte) fill;
            for (int r = 0; r < h; r++) {
                int o = dstOff + r * wc;
                if (rowW[r] < 0) {
                    java.util.Arrays.fill(dst, o, o + wc, f);
                    continue;
                }
                for (int x = 0; x < w; x++) {
                    if (colW[flip ? w - 1 - x : x] < 0) {
                        java.util.Arrays.fill(dst, o + x * c, o + x * c + c, f);
                    }
                }
            }
        }
    }

    /**
     * Per output index i along an axis of length n: the two source indices around i + d (a,
     * b), and −1 in {@code out} where a constant fill applies. Returns the weight of b in
     * 1/1024, the same for every i since the shift is uniform.
     */
    private static int axis(int n, float d, Augmentation.FillMode mode, int[] a, int[] b,
                            int[] out) {
        int base = (int) Math.floor(d);
        int frac = (int) Math.round((d - (double) base) * ONE);
        if (frac == ONE) {
            base++;
            frac = 0;
        }
        for (int i = 0; i < n; i++) {
            double y = i + (double) d;
            out[i] = mode == Augmentation.FillMode.CONSTANT && (y < -1e-6 || y > n - 1 + 1e-6)
                    ? -1 : 0;
            a[i] = map(i + base, n, mode);
            b[i] = map(i + base + 1, n, mode);
        }
        return frac;
    }

    private static int map(int i, int n, Augmentation.FillMode mode) {
        if (mode == Augmentation.FillMode.REFLECT) {
            int k = Math.floorMod(i, 2 * n);
            return k < n ? k : 2 * n - 1 - k;
        }
        return Math.min(n - 1, Math.max(0, i));
    }

    /**
     * dst(r, c) = padded(r + oy, c + ox), where padded is src with {@code pad} pixels added on
     * each side; oy, ox in [0, 2·pad].
     */
    public void padCrop(byte[] src, int srcOff, byte[] dst, int dstOff, int pad, int oy, int ox,
                        Augmentation.PadMode mode) {
        for (int r = 0; r < h; r++) {
            rowA[r] = mirror(r + oy - pad, h, mode);
        }
        for (int x = 0; x < w; x++) {
            colA[x] = mirror(x + ox - pad, w, mode);
        }
        int o = dstOff;
        for (int r = 0; r < h; r++) {
            int sr = rowA[r];
            for (int x = 0; x < w; x++) {
                int sc = colA[x];
                if (sr < 0 || sc < 0) {
                    for (int k = 0; k < c; k++) {
                        dst[o++] = 0;
                    }
                } else {
                    System.arraycopy(src, srcOff + (sr * w + sc) * c, dst, o, c);
                    o += c;
                }
            }
        }
    }

    private static int mirror(int i, int n, Augmentation.PadMode mode) {
        if (i >= 0 && i < n) {
            return i;
        }
        if (mode == Augmentation.PadMode.ZERO) {
            return -1;
        }
        return i < 0 ? -i : 2 * (n - 1) - i;
    }

    /** Mirrors image (H,W,C) at {@code off} left–right in place. */
    public void flipHorizontal(byte[] img, int off) {
        for (int r = 0; r < h; r++) {
            int row = off + r * w * c;
            for (int x = 0; x < w / 2; x++) {
                int a = row + x * c;
                int b = row + (w - 1 - x) * c;
                for (int k = 0; k < c; k++) {
                    byte t = img[a + k];
                    img[a + k] = img[b + k];
                    img[b + k] = t;
                }
            }
        }
    }

    /** Zeroes the size×size square centred at (cy, cx), clipped at the borders, in place. */
    public void cutout(byte[] img, int off, int cy, int cx, int size) {
        int r0 = Math.max(0, cy - size / 2);
        int r1 = Math.min(h, cy - size / 2 + size);
        int c0 = Math.max(0, cx - size / 2);
        int c1 = Math.min(w, cx - size / 2 + size);
        for (int r = r0; r < r1; r++) {
            if (c1 > c0) {
                java.util.Arrays.fill(img, off + (r * w + c0) * c, off + (r * w + c1) * c, (byte) 0);
            }
        }
    }
}
