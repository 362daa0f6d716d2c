package dev.fovea.nn;

import dev.fovea.tensor.Shape;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The arithmetic the Keras CNN tutorial teaches, read from a built model's own {@link Conv2D},
 * {@link MaxPooling2D} and {@link AveragePooling2D} layers: each axis's output size with its
 * formula, a convolution's weight count against a dense layer between the same shapes, and the
 * im2col matrix product a convolution is computed as. Output sizes come from {@link Padding},
 * which holds their rules; this class only lays them out with the actual numbers. Not a layer
 * and not a kernel: it reads configuration and shapes, never weights or activations.
 */
public final class ConvArithmetic {
    private ConvArithmetic() {
    }

    /** What a window layer computes. */
    public enum Kind { CONV, MAX_POOL, AVERAGE_POOL }

    /**
     * One spatial axis of a window sliding over an input.
     *
     * @param n input size, @param k window size, @param s stride
     */
    public record Axis(int n, int k, int s, Padding padding) {
        public int out() {
            return padding.outSize(n, k, s);
        }

        public int padBefore() {
            return padding.padBefore(n, k, s);
        }

        public int padAfter() {
            return padding.padAfter(n, k, s);
        }

        /**
         * The output size as the tutorial writes it, e.g.
         * {@code valid padding, stride 1: out = floor((32 − 3)/1) + 1 = 30 (N − K + 1)}; the short
         * rule in parentheses holds at stride 1 only, so it is left out otherwise.
         */
        public String formula() {
            String head = padding.keras() + " padding, stride " + s + ": out = ";
            String pads = padBefore() + padAfter() > 0
                    ? ", zero-padded " + padBefore() + " before + " + padAfter() + " after" : "";
            return switch (padding) {
                case VALID -> head + "floor((" + n + " − " + k + ")/" + s + ") + 1 = " + out()
                        + (s == 1 ? " (N − K + 1)" : "");
                case SAME -> head + "ceil(" + n + "/" + s + ") = " + out() + (s == 1 ? " (N)" : "") + pads;
                case FULL -> head + "floor((" + n + " + " + k + " − 2)/" + s + ") + 1 = " + out()
                        + (s == 1 ? " (N + K − 1)" : "") + pads;
            };
        }
    }

    /**
     * One convolution or pooling layer of a model.
     *
     * @param layer   its path: the layer's name, or {@code nested/inner} inside a nested model
     * @param in      per-sample input (H, W, C)
     * @param out     per-sample output (OH, OW, F); F = C for pooling
     * @param filters F for a convolution, C for pooling
     * @param bias    whether a convolution adds one bias per filter
     */
    public record Window(String layer, String type, Kind kind, Shape in, Shape out, Axis height, Axis width,
                         int filters, boolean bias) {
        public int kernelH() {
            return height.k();
        }

        public int kernelW() {
            return width.k();
        }

        public int channels() {
            return in.dim(2);
        }

        /** KH·KW·C·F for a convolution, 0 for pooling. */
        public long kernelWeights() {
            return kind == Kind.CONV ? (long) kernelH() * kernelW() * channels() * filters : 0;
        }

        public long biases() {
            return kind == Kind.CONV && bias ? filters : 0;
        }

        /** (H·W·C)·(OH·OW·F): the weights of a dense layer from this input to this output. */
        public long denseWeights() {
            return (long) in.size() * out.size();
        }

        /** im2col: per image, the rows of the patch matrix (OH·OW). */
        public long gemmRowsPerImage() {
            return (long) out.dim(0) * out.dim(1);
        }

        /** im2col: the length of one patch, KH·KW·C (the shared dimension of the product). */
        public long gemmInner() {
            return (long) kernelH() * kernelW() * channels();
        }

        /** Multiply-adds per image of the convolution: (OH·OW)·(KH·KW·C)·F; 0 for pooling. */
        public long multiplyAddsPerImage() {
            return kind == Kind.CONV ? gemmRowsPerImage() * gemmInner() * filters : 0;
        }
    }

    /**
     * The convolution and pooling layers of {@code model} in {@link Model#namedLayers} order,
     * nested models' included, each under its path. Other layers (dense, normalization, …) are
     * skipped.
     */
    public static List<Window> of(Model model) {
        List<Window> out = new ArrayList<>();
        for (Map.Entry<String, Layer> e : model.namedLayers().entrySet()) {
            Layer o = e.getValue();
            if (o instanceof Conv2D c) {
                Shape in = c.inputShape();
                out.add(new Window(e.getKey(), c.typeName(), Kind.CONV, in, c.outputShape(),
                        new Axis(in.dim(0), c.kernelH(), c.strideH(), c.padding()),
                        new Axis(in.dim(1), c.kernelW(), c.strideW(), c.padding()), c.filters(), c.useBias()));
            } else if (o instanceof MaxPooling2D p) {
                out.add(pool(e.getKey(), p, p.window(), Kind.MAX_POOL));
            } else if (o instanceof AveragePooling2D p) {
                out.add(pool(e.getKey(), p, p.window(), Kind.AVERAGE_POOL));
            }
        }
        return out;
    }

    private static Window pool(String path, BaseLayer p, PoolWindow w, Kind kind) {
        Shape in = p.inputShape();
        return new Window(path, p.typeName(), kind, in, p.outputShape(),
                new Axis(in.dim(0), w.poolH(), w.strideH(), w.padding()),
                new Axis(in.dim(1), w.poolW(), w.strideW(), w.padding()), in.dim(2), false);
    }

    /** {@code 154,140,672} with a rounded reading for large counts: {@code 154,140,672 (154 million)}. */
    public static String count(long v) {
        String exact = String.format(Locale.ROOT, "%,d", v);
        if (v >= 1_000_000_000L) {
            return exact + " (" + rounded(v / 1e9) + " billion)";
        }
        if (v >= 1_000_000L) {
            return exact + " (" + rounded(v / 1e6) + " million)";
        }
        return exact;
    }

    private static String rounded(double x) {
        return x >= 10 ? String.format(Locale.ROOT, "%,.0f", x) : String.format(Locale.ROOT, "%.1f", x);
    }
}
