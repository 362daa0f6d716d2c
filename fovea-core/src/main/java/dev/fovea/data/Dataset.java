package dev.fovea.data;

import dev.fovea.FoveaException;
import dev.fovea.tensor.Rng;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;

/**
 * Labelled images held as uint8 in one array, NHWC (image-major, then rows, columns,
 * channels), with int labels in [0, classNames.size()). Kept as bytes so 50,000 CIFAR images
 * take 150 MB instead of 600 MB as floats; conversion to float happens per batch in
 * {@link Batches}. Immutable by convention: the arrays are shared, not copied, so do not
 * write into them. Not a lazy or streaming dataset: everything is in memory.
 */
public final class Dataset {
    private final byte[] images;
    private final int[] labels;
    private final List<String> classNames;
    private final int height;
    private final int width;
    private final int channels;

    /**
     * @param images uint8 pixels (N,H,W,C), read; length must be N·H·W·C
     * @param labels class index per image (N), read
     */
    public Dataset(byte[] images, int[] labels, List<String> classNames, int height, int width,
                   int channels) {
        if (height < 1 || width < 1 || channels < 1) {
            throw new IllegalArgumentException("image size must be positive, received "
                    + height + "×" + width + "×" + channels);
        }
        long expected = (long) labels.length * height * width * channels;
        if (images.length != expected) {
            throw new IllegalArgumentException("dataset of " + labels.length + " images of "
                    + height + "×" + width + "×" + channels + " needs " + expected
                    + " bytes, received " + images.length);
        }
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] < 0 || labels[i] >= classNames.size()) {
                throw new FoveaException("image " + i + " has label " + labels[i]
                        + ", expected a class index in [0, " + classNames.size()
                        + "); check that the label names match the data");
            }
        }
        this.images = images;
        this.labels = labels;
        this.classNames = List.copyOf(classNames);
        this.height = height;
        this.width = width;
        this.channels = channels;
    }

    public int size() {
        return labels.length;
    }

    public int height() {
        return height;
    }

    public int width() {
        return width;
    }

    public int channels() {
        return channels;
    }

    /** Bytes per image, H·W·C. */
    public int imageBytes() {
        return height * width * channels;
    }

    /** The shared pixel array (N,H,W,C); image i starts at {@code i * imageBytes()}. */
    public byte[] images() {
        return images;
    }

    /** The shared label array (N). */
    public int[] labels() {
        return labels;
    }

    public int label(int i) {
        return labels[i];
    }

    public List<String> classNames() {
        return classNames;
    }

    public int numClasses() {
        return classNames.size();
    }

    /** A copy of image i's pixels (H,W,C). */
    public byte[] image(int i) {
        int n = imageBytes();
        return Arrays.copyOfRange(images, i * n, (i + 1) * n);
    }

    /** Number of images per class, indexed by label. */
    public int[] classCounts() {
        int[] counts = new int[classNames.size()];
        for (int l : labels) {
            counts[l]++;
        }
        return counts;
    }

    /** A new dataset holding copies of the images at {@code indices}, in that order. */
    public Dataset subset(int[] indices) {
        int n = imageBytes();
        byte[] img = new byte[indices.length * n];
        int[] lab = new int[indices.length];
        for (int k = 0; k < indices.length; k++) {
            int i = indices[k];
            if (i < 0 || i >= labels.length) {
                throw new IndexOutOfBoundsException("subset index " + i + " outside [0, "
                        + labels.length + ")");
            }
            System.arraycopy(images, i * n, img, k * n, n);
            lab[k] = labels[i];
        }
        return new Dataset(img, lab, classNames, height, width, channels);
    }

    /**
     * Splits off a seeded random {@code fraction} of the images as a validation set (like
     * Keras's {@code validation_split}, but shuffled first, so a dataset sorted by class still
     * gives a representative split). Both parts keep the original order of their images.
     *
     * @param fraction in (0, 1)
     */
    public Splits splitValidation(double fraction, long seed) {
        if (!(fraction > 0 && fraction < 1)) {
            throw new FoveaException("validation split must be a fraction in (0, 1), received "
                    + fraction + "; use e.g. 0.1 for 10%");
        }
        int nVal = (int) Math.round(size() * fraction);
        if (nVal == 0 || nVal == size()) {
            throw new FoveaException("validation split " + fraction + " of " + size()
                    + " images leaves one side empty; use a fraction between "
                    + (1.0 / size()) + " and " + (1 - 1.0 / size()));
        }
        int[] perm = new int[size()];
        for (int i = 0; i < perm.length; i++) {
            perm[i] = i;
        }
        new Rng(seed).shuffle(perm);
        int[] val = Arrays.copyOfRange(perm, 0, nVal);
        int[] train = Arrays.copyOfRange(perm, nVal, perm.length);
        Arrays.sort(val);
        Arrays.sort(train);
        return new Splits(subset(train), subset(val), "validation");
    }

    /**
     * SHA-256 of the images as decoded (uint8 NHWC, in order) followed by every label as a
     * 4-byte big-endian int: identifies the data independently of its file format, so a CIFAR
     * archive and its extracted folder hash alike.
     */
    public String sha256() {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            md.update(images);
            ByteBuffer b = ByteBuffer.allocate(4 * labels.length);
            b.asIntBuffer().put(labels);
            md.update(b.array());
            return HexFormat.of().formatHex(md.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform provides SHA-256", e);
        }
    }

    @Override
    public String toString() {
        return "Dataset(" + size() + " images, " + height + "×" + width + "×" + channels + ", "
                + classNames.size() + " classes)";
    }
}
