package dev.fovea.nn;

import dev.fovea.FoveaException;
import java.util.Locale;

/** The element-wise (and softmax) activations layers accept, under their Keras names. */
public enum ActivationFunction {
    LINEAR, RELU, SIGMOID, TANH, GELU, SOFTMAX;

    /** Parses a Keras name ({@code relu}, {@code softmax}, {@code linear} or {@code None}). */
    public static ActivationFunction parse(String s) {
        if (s == null || s.isBlank() || s.equalsIgnoreCase("none")) {
            return LINEAR;
        }
        try {
            return valueOf(s.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new FoveaException("unknown activation '" + s
                    + "'; expected one of linear, relu, sigmoid, tanh, gelu, softmax");
        }
    }

    /** The Keras names this enum parses, for messages: {@code linear, relu, …, gelu or softmax}. */
    static String supported() {
        StringBuilder s = new StringBuilder();
        ActivationFunction[] all = values();
        for (int i = 0; i < all.length; i++) {
            s.append(i == 0 ? "" : i == all.length - 1 ? " or " : ", ").append(all[i].keras());
        }
        return s.toString();
    }

    public String keras() {
        return name().toLowerCase(Locale.ROOT);
    }
}
