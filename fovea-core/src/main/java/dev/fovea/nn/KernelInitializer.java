package dev.fovea.nn;

import dev.fovea.FoveaException;
import dev.fovea.tensor.Rng;
import java.util.Locale;

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
