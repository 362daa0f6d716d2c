package dev.fovea.nn;

import dev.fovea.FoveaException;
import dev.fovea.tensor.Rng;
import java.util.Locale;
import java.util.Map;

/**
 * How Conv2D and Dense draw their kernels at build time: uniform in [−limit, limit] with a limit
 * from the kernel's fan-in (inputs per output: KH·KW·C for a conv) and fan-out (KH·KW·F).
 * Keras's names: {@code glorot_uniform} (its default), {@code he_uniform}, {@code lecun_uniform}.
 * {@code fan_in_uniform} is PyTorch's default for {@code nn.Convolution} and {@code nn.Linear}
 * ({@code kaiming_uniform_(a=√5)}, limit 1/√fan_in), which airbench keeps.
 */
public enum KernelInitializer {
    GLOROT_UNIFORM, HE_UNIFORM, LECUN_UNIFORM, FAN_IN_UNIFORM;

    /** The Keras-style name, as stored in a model file's config. */
    public String keras() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static KernelInitializer parse(String name) {
        for (KernelInitializer k : values()) {
            if (k.keras().equals(name)) {
                return k;
            }
        }
        throw new FoveaException("unknown kernel_initializer '" + name
                + "'; expected glorot_uniform, he_uniform, lecun_uniform or fan_in_uniform");
    }

    /**
     * Reads a {@code kernel_initializer} as a model file or Keras writes it: a name
     * ({@link #keras()}, or Keras's) or Keras's serialized form, {@code {"class_name":
     * "GlorotUniform", "config": {"seed": null}}} or a {@code VarianceScaling} whose scale, mode
     * and uniform distribution make one of these four. Its seed is ignored: Fovea draws every
     * weight from the model's seed.
     *
     * @param layer the layer class, for the error
     */
    static KernelInitializer fromConfig(String layer, Object value) {
        if (value instanceof String s) {
            return parse(s);
        }
        String name = LayerConfig.initializerName(value);
        Map<?, ?> config = value instanceof Map<?, ?> m && m.get("config") instanceof Map<?, ?> c ? c : Map.of();
        KernelInitializer k = name == null ? null : switch (name) {
            case "GlorotUniform", "glorot_uniform" -> GLOROT_UNIFORM;
            case "HeUniform", "he_uniform" -> HE_UNIFORM;
            case "LecunUniform", "lecun_uniform" -> LECUN_UNIFORM;
            case "VarianceScaling" -> varianceScaling(config);
            default -> null;
        };
        if (k == null) {
            throw new FoveaException(layer + " option kernel_initializer = " + LayerConfig.show(value)
                    + " is not supported; Fovea's " + layer + " supports kernel_initializer glorot_uniform, he_uniform,"
                    + " lecun_uniform or fan_in_uniform (Keras's VarianceScaling with a uniform distribution and"
                    + " scale 1 fan_avg, 2 fan_in, 1 fan_in or 1/3 fan_in)");
        }
        return k;
    }

    /** Keras's VarianceScaling, uniform: limit √(3·scale/n) with n the fan of {@code mode}. */
    private static KernelInitializer varianceScaling(Map<?, ?> c) {
        if (!"uniform".equals(c.get("distribution")) || !(c.get("scale") instanceof Number s)) {
            return null;
        }
        double scale = s.doubleValue();
        Object mode = c.get("mode");
        if ("fan_avg".equals(mode)) {
            return near(scale, 1) ? GLOROT_UNIFORM : null;
        }
        if (!"fan_in".equals(mode)) {
            return null;
        }
        return near(scale, 2) ? HE_UNIFORM : near(scale, 1) ? LECUN_UNIFORM : near(scale, 1.0 / 3) ? FAN_IN_UNIFORM : null;
    }

    private static boolean near(double a, double b) {
        return Math.abs(a - b) <= 1e-6 * b;
    }

    /** The half-width of the uniform range for a kernel with these fans. */
    public double limit(long fanIn, long fanOut) {
        return switch (this) {
            case GLOROT_UNIFORM -> Math.sqrt(6.0 / (fanIn + fanOut));
            case HE_UNIFORM -> Math.sqrt(6.0 / fanIn);
            case LECUN_UNIFORM -> Math.sqrt(3.0 / fanIn);
            case FAN_IN_UNIFORM -> 1.0 / Math.sqrt(fanIn);
        };
    }

    /** Fills {@code k} (written) with uniform draws in ±{@link #limit}, one {@code rng} draw per element in order. */
    public void fill(float[] k, long fanIn, long fanOut, Rng rng) {
        float limit = (float) limit(fanIn, fanOut);
        for (int i = 0; i < k.length; i++) {
            k[i] = (rng.nextFloat() * 2f - 1f) * limit;
        }
    }
}
