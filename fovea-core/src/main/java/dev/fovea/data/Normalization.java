package dev.fovea.data;

import dev.fovea.FoveaException;
import java.util.Arrays;

/**
 * Conversion of uint8 pixels to float: scaling to [0, 1], then optionally subtracting a
 * per-channel mean and dividing by a per-channel standard deviation (both on the [0, 1]
 * scale, as torchvision's {@code Normalize} after {@code ToTensor}). Implemented as a 256-entry
 * table per channel, so converting costs one lookup per value. Immutable.
 */
public final class Normalization {
    private final float[] mean;
    private final float[] std;
    private final float[] table;

    /** @param mean per channel, on the [0, 1] scale; @param std per channel, positive */
    public Normalization(float[] mean, float[] std) {
        if (mean.length != std.length || mean.length == 0) {
            throw new FoveaException("normalization needs one mean and one std per channel,"
                    + " received " + mean.length + " means and " + std.length + " stds");
        }
        for (float s : std) {
            if (!(s > 0)) {
                throw new FoveaException("normalization std must be positive, received "
                        + Arrays.toString(std) + "; a constant channel cannot be standardized");
            }
        }
        this.mean = mean.clone();
        this.std = std.clone();
        table = new float[256 * mean.length];
        for (int ch = 0; ch < mean.length; ch++) {
            for (int v = 0; v < 256; v++) {
                table[ch * 256 + v] = (v / 255f - mean[ch]) / std[ch];
            }
        }
    }

    /** Scaling to [0, 1] only (x / 255). */
    public static Normalization scale(int channels) {
        float[] m = new float[channels];
        float[] s = new float[channels];
        Arrays.fill(s, 1f);
        return new Normalization(m, s);
    }

    /** Per-channel mean and (population) standard deviation of a dataset's [0, 1] pixels. */
    public static Normalization fit(Dataset ds) {
        int c = ds.channels();
        long[][] hist = new long[c][256];
        byte[] px = ds.images();
        for (int i = 0; i < px.length; i++) {
            hist[i % c][px[i] & 0xFF]++;
        }
        float[] m = new float[c];
        float[] s = new float[c];
        for (int ch = 0; ch < c; ch++) {
            double n = 0;
            double sum = 0;
            double sq = 0;
            for (int v = 0; v < 256; v++) {
                double x = v / 255.0;
                n += hist[ch][v];
                sum += hist[ch][v] * x;
                sq += hist[ch][v] * x * x;
            }
            double mu = sum / n;
            m[ch] = (float) mu;
            s[ch] = (float) Math.sqrt(Math.max(sq / n - mu * mu, 0));
        }
        return new Normalization(m, s);
    }

    public int channels() {
        return mean.length;
    }

    /**
     * The model file's {@code preprocessing} entry: {@code {"scale": 1/255, "mean": [...],
     * "std": [...]}} (mean and std on the [0, 1] scale).
     */
    public java.util.Map<String, Object> toMap() {
        java.util.Map<String, Object> m = new java.util.LinkedHashMap<>();
        m.put("scale", 1.0 / 255);
        java.util.List<Double> mu = new java.util.ArrayList<>();
        java.util.List<Double> sd = new java.util.ArrayList<>();
        for (int i = 0; i < mean.length; i++) {
            mu.add((double) mean[i]);
            sd.add((double) std[i]);
        }
        m.put("mean", mu);
        m.put("std", sd);
        return m;
    }

    /** Reads {@link #toMap()} output; a map without mean/std means scaling only. */
    public static Normalization fromMap(java.util.Map<String, Object> m, int channels) {
        Object mu = m.get("mean");
        Object sd = m.get("std");
        if (!(mu instanceof java.util.List<?> ml) || !(sd instanceof java.util.List<?> sl)) {
            return scale(channels);
        }
        if (ml.size() != channels || sl.size() != channels) {
            throw new FoveaException("the model's preprocessing has " + ml.size() + " channel means but the"
                    + " data has " + channels + " channels; use data with the channels the model was trained on");
        }
        float[] a = new float[channels];
        float[] b = new float[channels];
        for (int i = 0; i < channels; i++) {
            a[i] = ((Number) ml.get(i)).floatValue();
            b[i] = ((Number) sl.get(i)).floatValue();
        }
        return new Normalization(a, b);
    }

    public float[] mean() {
        return mean.clone();
    }

    public float[] std() {
        return std.clone();
    }

    /**
     * The first {@code images} images of {@code data} (all of them when it holds fewer) as
     * training feeds them: (N, H, W, C) floats, converted by this normalization without
     * augmentation. What a data-dependent initialization (airbench94's whitening,
     * {@code nn.Initializers.whitening}) estimates from.
     *
     * @throws FoveaException when {@code images} is below 1 or the channels differ from the data's
     */
    public float[] toFloat(Dataset data, int images) {
        if (images < 1) {
            throw new FoveaException("converting the first images of the data needs at least 1 image, received "
                    + images);
        }
        if (channels() != data.channels()) {
            throw new FoveaException("a normalization of " + channels() + " channels for images of "
                    + data.channels() + " channels; pass the normalization the model is trained with");
        }
        int values = Math.min(images, data.size()) * data.imageBytes();
        float[] x = new float[values];
        toFloat(data.images(), 0, x, 0, values);
        return x;
    }

    /**
     * Converts {@code count} values; channels cycle starting at channel 0.
     *
     * @param src uint8 (…,C) at srcOff, read; @param dst float (…,C) at dstOff, written
     */
    public void toFloat(byte[] src, int srcOff, float[] dst, int dstOff, int count) {
        int c = mean.length;
        float[] t = table;
        if (c == 3) {
            for (int i = 0; i < count; i += 3) {
                dst[dstOff + i] = t[src[srcOff + i] & 0xFF];
                dst[dstOff + i + 1] = t[256 + (src[srcOff + i + 1] & 0xFF)];
                dst[dstOff + i + 2] = t[512 + (src[srcOff + i + 2] & 0xFF)];
            }
            return;
        }
        for (int i = 0; i < count; i++) {
            dst[dstOff + i] = t[(i % c) * 256 + (src[srcOff + i] & 0xFF)];
        }
    }
}
