package dev.fovea.nn;

import dev.fovea.FoveaException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * One layer's config being read back: the JSON-ready map a model file holds (what the layer's
 * {@code config()} wrote) or a Keras {@code get_config()}, with typed reads. Each layer class
 * reads its own keys in a static {@code fromConfig(LayerConfig)} beside the {@code config()} that
 * writes them (Keras's {@code from_config}/{@code get_config} pair), so a key is spelled in one
 * file; {@link LayerRegistry} only maps class names to those methods.
 *
 * <p>Reading is tolerant the way Keras is: an absent key takes Keras's default; a key Keras
 * writes that does not change what the layer computes is ignored ({@link #ignore}, and
 * {@code name}, {@code dtype} float32 and the input-shape keys for every layer); a Keras option
 * Fovea computes one way only is accepted at that value and otherwise one error naming the
 * layer class, the option, the value and what is supported ({@link #only}); a key neither Fovea
 * nor Keras writes is an error listing the options the class reads, as Keras's
 * {@code from_config} rejects unknown arguments. The layer's name is prefixed by the caller
 * ({@link LayerRegistry#create}). Not thread-safe; one per read.
 */
final class LayerConfig {
    /** Keys every Keras layer may carry that change nothing Fovea computes (the name is the model config's). */
    private static final List<String> KERAS_BASE = List.of("name", "batch_input_shape", "batch_shape", "input_shape",
            "input_dim", "build_config");

    private final String type;
    private final Map<String, Object> map;
    /** Keys a Fovea option is read from, in order: what the unknown-key error lists. */
    private final Set<String> options = new LinkedHashSet<>();
    /** Every key read, checked or ignored. */
    private final Set<String> handled = new LinkedHashSet<>();

    LayerConfig(String type, Map<String, Object> map) {
        this.type = type;
        this.map = map;
    }

    /** The Keras class name, {@code Conv2D}. */
    String type() {
        return type;
    }

    private Object read(String key) {
        options.add(key);
        handled.add(key);
        return map.get(key);
    }

    /** A whole number; {@code dflt} when absent or null. */
    int integer(String key, int dflt) {
        Object v = read(key);
        if (v == null) {
            return dflt;
        }
        if (v instanceof Number n && n.doubleValue() == Math.rint(n.doubleValue())) {
            return n.intValue();
        }
        throw malformed(key, v, "a whole number");
    }

    /** A whole number the layer cannot do without. */
    int required(String key) {
        requirePresent(key);
        return integer(key, 0);
    }

    /** A pair the layer cannot do without. */
    int[] requiredPair(String key) {
        requirePresent(key);
        return pair(key, null);
    }

    private void requirePresent(String key) {
        if (map.get(key) == null) {
            throw new FoveaException(type + ": the config lacks '" + key + "'; it is required");
        }
    }

    float real(String key, float dflt) {
        Object v = read(key);
        if (v == null) {
            return dflt;
        }
        if (v instanceof Number n) {
            return n.floatValue();
        }
        throw malformed(key, v, "a number");
    }

    boolean bool(String key, boolean dflt) {
        Object v = read(key);
        if (v == null) {
            return dflt;
        }
        if (v instanceof Boolean b) {
            return b;
        }
        throw malformed(key, v, "true or false");
    }

    String string(String key, String dflt) {
        Object v = read(key);
        if (v == null) {
            return dflt;
        }
        if (v instanceof String s) {
            return s;
        }
        throw malformed(key, v, "a string");
    }

    /** A Keras pair such as {@code kernel_size}: one number for both axes or a list of two. */
    int[] pair(String key, int[] dflt) {
        Object v = read(key);
        if (v == null) {
            return dflt;
        }
        if (v instanceof Number n) {
            return new int[]{n.intValue(), n.intValue()};
        }
        if (v instanceof List<?> l && l.size() == 2 && l.get(0) instanceof Number a && l.get(1) instanceof Number b) {
            return new int[]{a.intValue(), b.intValue()};
        }
        throw malformed(key, v, "a number or a list of two (height, width)");
    }

    /** The value as it stands, for an option read in a layer's own way (BatchNormalization's axis). */
    Object raw(String key) {
        return read(key);
    }

    /** Keras's {@code data_format}: Fovea's tensors are NHWC, {@code channels_last} (Keras's default). */
    void channelsLast() {
        only("data_format", v -> v == null || "channels_last".equals(v), "'channels_last' only (NHWC)");
    }

    /** Keras's {@code activation}: a name (linear when absent or None). */
    ActivationFunction activation() {
        Object v = read("activation");
        // Keras 3 writes a registered custom function as {"config": "name", ...}: read the name.
        if (v instanceof Map<?, ?> m && m.get("config") instanceof String s) {
            v = s;
        }
        if (v == null || v instanceof String) {
            try {
                return ActivationFunction.parse((String) v);
            } catch (FoveaException e) {
                // Keras's relu6, swish, elu, …: name the layer class and what Fovea has.
                throw unsupported("activation", v, ActivationFunction.supported());
            }
        }
        throw malformed("activation", v, "an activation name");
    }

    /** Keras's {@code padding}, {@code valid} when absent. */
    Padding padding() {
        return Padding.parse(string("padding", "valid"));
    }

    /** Keras's {@code kernel_initializer}: a name or Keras's serialized initializer. */
    KernelInitializer kernelInitializer() {
        return kernelInitializer("kernel_initializer");
    }

    /** An initializer under another key (DepthwiseConv2D's {@code depthwise_initializer}). */
    KernelInitializer kernelInitializer(String key) {
        Object v = read(key);
        return v == null ? KernelInitializer.GLOROT_UNIFORM : KernelInitializer.fromConfig(type, v);
    }

    /**
     * A Keras option Fovea computes one way only: accepted when absent (Keras's default is that
     * way) or when {@code ok} holds, else the error naming what is supported.
     */
    void only(String key, Predicate<Object> ok, String supported) {
        handled.add(key);
        if (map.containsKey(key) && !ok.test(map.get(key))) {
            throw unsupported(key, map.get(key), supported);
        }
    }

    /** Keras options that must be None (absent, null): regularizers, constraints, quantization. */
    void none(String... keys) {
        for (String key : keys) {
            only(key, v -> v == null, "None only (Fovea has no " + key.replace('_', ' ') + ")");
        }
    }

    /** Keras's constant initializers of a weight Fovea initializes so ({@code zeros} or {@code ones}). */
    void constant(String key, String name) {
        only(key, v -> v == null || name.equalsIgnoreCase(initializerName(v)), "'" + name + "' only");
    }

    /** Keys Keras writes that change nothing Fovea computes (a seed Fovea draws itself, a device option). */
    void ignore(String... keys) {
        handled.addAll(List.of(keys));
    }

    /**
     * After the layer read its keys: checks Keras's keys common to every layer and that no key
     * is left unread.
     */
    void finish() {
        handled.addAll(KERAS_BASE);
        only("trainable", v -> Boolean.TRUE.equals(v),
                "true only (a layer frozen in Keras: freeze it in Fovea with --freeze or train.FreezeSchedule)");
        only("dtype", v -> v == null || "float32".equals(dtypeName(v)), "float32 only (Fovea computes in float32)");
        // Newer Keras writes quantization_config on more layer types than Dense: None is float32 as it stands.
        none("activity_regularizer", "quantization_config");
        List<String> unknown = new ArrayList<>();
        for (String key : map.keySet()) {
            if (!handled.contains(key)) {
                unknown.add(key);
            }
        }
        if (!unknown.isEmpty()) {
            throw new FoveaException(type + " has no option " + String.join(", ", unknown) + " (received "
                    + show(map.get(unknown.get(0))) + "); Fovea's " + type + " reads "
                    + (options.isEmpty() ? "no options" : String.join(", ", options)));
        }
    }

    /** The error for a Keras option Fovea does not compute. */
    FoveaException unsupported(String key, Object value, String supported) {
        return new FoveaException(type + " option " + key + " = " + show(value) + " is not supported; Fovea's "
                + type + " supports " + key + " " + supported);
    }

    private FoveaException malformed(String key, Object value, String expected) {
        return new FoveaException(type + " option " + key + ": expected " + expected + ", received " + show(value));
    }

    /** Whether {@code v} is Keras's 1 or (1, 1): no dilation, one group. */
    static boolean isOne(Object v) {
        if (v instanceof Number n) {
            return n.doubleValue() == 1;
        }
        return v instanceof List<?> l && l.stream().allMatch(e -> e instanceof Number n && n.doubleValue() == 1);
    }

    /** The name of a serialized Keras object: a string, or the {@code class_name} of a dict. */
    static String initializerName(Object v) {
        if (v instanceof String s) {
            return s;
        }
        return v instanceof Map<?, ?> m && m.get("class_name") instanceof String s ? s : null;
    }

    /** A Keras dtype or dtype policy's name: {@code "float32"} or {@code {"config": {"name": "float32"}}}. */
    private static String dtypeName(Object v) {
        if (v instanceof Map<?, ?> m && m.get("config") instanceof Map<?, ?> c) {
            v = c.get("name");
        }
        return v instanceof String s ? s.toLowerCase(Locale.ROOT) : null;
    }

    static String show(Object v) {
        return v instanceof String s ? "'" + s + "'" : String.valueOf(v);
    }
}
