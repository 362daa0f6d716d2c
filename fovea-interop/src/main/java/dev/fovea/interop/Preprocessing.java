package dev.fovea.interop;

import dev.fovea.FoveaException;
import dev.fovea.data.Normalization;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * How raw pixels (0–255) become a model's inputs, for model files that do not say (Keras and
 * ONNX files): what {@code --rescale} or {@code --normalize} gives, in the form Fovea's model files
 * record as {@code fovea.preprocessing} and {@link Normalization} applies.
 * <ul>
 * <li>{@code --rescale SCALE[,OFFSET]}: x·SCALE + OFFSET on the raw pixel, Keras's
 *     {@code Rescaling(scale, offset)}; SCALE a number or a fraction ({@code 1/255}: [0, 1];
 *     {@code 1/127.5,-1}: [-1, 1]; {@code 1}: the raw 0–255);</li>
 * <li>{@code --normalize MEAN/STD}: (x/255 − MEAN)/STD per channel, torchvision's
 *     {@code Normalize} after {@code ToTensor}: MEAN and STD comma-separated on the [0, 1] scale,
 *     one value for every channel or one per channel
 *     ({@code 0.4914,0.4822,0.4465/0.247,0.243,0.261}).</li>
 * </ul>
 * Both are the one affine map per channel Normalization computes, (x/255 − mean)/std: a rescale
 * is mean −OFFSET·std with std 1/(255·SCALE). Immutable.
 *
 * @param mean per channel on the [0, 1] scale (one value: every channel)
 * @param std  per channel, positive
 * @param text what the user wrote, for messages and provenance
 */
public record Preprocessing(double[] mean, double[] std, String text) {
    /** The syntax, for help texts and messages. */
    public static final String RESCALE_HELP = "--rescale SCALE[,OFFSET] (x·SCALE + OFFSET on 0–255 pixels: 1/255 for"
            + " [0, 1], 1/127.5,-1 for [-1, 1])";
    public static final String NORMALIZE_HELP = "--normalize MEAN/STD ((x/255 − MEAN)/STD, per channel or one for"
            + " all: 0.4914,0.4822,0.4465/0.247,0.243,0.261)";

    /**
     * The preprocessing the options give: null when neither is given; an error when both are, or
     * when a value does not parse.
     */
    public static Preprocessing parse(String rescale, String normalize) {
        if (rescale != null && normalize != null) {
            throw new FoveaException("--rescale " + rescale + " and --normalize " + normalize + " both given; pass one:"
                    + " they are two ways to say the same affine map");
        }
        if (rescale != null) {
            String[] p = rescale.split(",", -1);
            if (p.length > 2) {
                throw new FoveaException("--rescale " + rescale + ": expected SCALE or SCALE,OFFSET (e.g. 1/255 or"
                        + " 1/127.5,-1), received " + p.length + " values");
            }
            double scale = number(p[0], "--rescale " + rescale, "SCALE");
            double offset = p.length == 2 ? number(p[1], "--rescale " + rescale, "OFFSET") : 0;
            if (!(scale > 0)) {
                throw new FoveaException("--rescale " + rescale + ": expected a positive SCALE, received " + p[0]
                        + "; a model's input grows with the pixel value");
            }
            double std = 1 / (255 * scale);
            return new Preprocessing(new double[]{-offset * std}, new double[]{std}, "--rescale " + rescale);
        }
        if (normalize != null) {
            String[] p = normalize.split("/", -1);
            if (p.length != 2) {
                throw new FoveaException("--normalize " + normalize + ": expected MEAN/STD, each one value or one per"
                        + " channel separated by commas (e.g. 0.4914,0.4822,0.4465/0.247,0.243,0.261)");
            }
            double[] mean = numbers(p[0], "--normalize " + normalize, "MEAN");
            double[] std = numbers(p[1], "--normalize " + normalize, "STD");
            for (double s : std) {
                if (!(s > 0)) {
                    throw new FoveaException("--normalize " + normalize + ": every STD must be positive, received " + s);
                }
            }
            return new Preprocessing(mean, std, "--normalize " + normalize);
        }
        return null;
    }

    /** Whether this is plain x/255, Fovea's default. */
    boolean isUnitScale() {
        return mean.length == 1 && mean[0] == 0 && Math.abs(std[0] - 1) < 1e-12;
    }

    /**
     * The model file's {@code preprocessing} entry for {@code channels} input channels:
     * {@code {"scale": 1/255}} for x/255, else with {@code mean} and {@code std} per channel.
     */
    public Map<String, Object> toMap(int channels, String where) {
        if (mean.length != 1 && mean.length != channels || std.length != 1 && std.length != channels) {
            throw new FoveaException(where + ": " + text + " gives " + mean.length + " mean(s) and " + std.length
                    + " std(s), the model takes " + channels + " input channels; give one value or " + channels);
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("scale", 1.0 / 255);
        if (isUnitScale()) {
            return m;
        }
        List<Double> mu = new ArrayList<>();
        List<Double> sd = new ArrayList<>();
        for (int c = 0; c < channels; c++) {
            mu.add(mean[mean.length == 1 ? 0 : c]);
            sd.add(std[std.length == 1 ? 0 : c]);
        }
        m.put("mean", mu);
        m.put("std", sd);
        return m;
    }

    private static double[] numbers(String s, String option, String what) {
        String[] p = s.split(",", -1);
        double[] v = new double[p.length];
        for (int i = 0; i < p.length; i++) {
            v[i] = number(p[i], option, what);
        }
        return v;
    }

    /** A number or a fraction {@code a/b}. */
    private static double number(String s, String option, String what) {
        String t = s.trim();
        try {
            int slash = t.indexOf('/');
            double v = slash < 0 ? Double.parseDouble(t)
                    : Double.parseDouble(t.substring(0, slash)) / Double.parseDouble(t.substring(slash + 1));
            if (Double.isFinite(v)) {
                return v;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new FoveaException(option + ": " + what + " '" + s + "' is not a number (e.g. 0.5 or 1/255)");
    }
}
