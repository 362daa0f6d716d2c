package dev.fovea.check;

import dev.fovea.FoveaException;
import dev.fovea.io.Compare;
import dev.fovea.io.ReferenceCase;
import dev.fovea.loss.SparseCategoricalCrossentropy;
import dev.fovea.nn.ActivationFunction;
import dev.fovea.nn.AveragePooling2D;
import dev.fovea.nn.BatchNormalization;
import dev.fovea.nn.Conv2D;
import dev.fovea.nn.Dense;
import dev.fovea.nn.GlobalAveragePooling2D;
import dev.fovea.nn.GlobalMaxPooling2D;
import dev.fovea.nn.Layer;
import dev.fovea.nn.MaxPooling2D;
import dev.fovea.nn.Model;
import dev.fovea.nn.Padding;
import dev.fovea.nn.Param;
import dev.fovea.nn.PoolWindow;
import dev.fovea.nn.Presets;
import dev.fovea.tensor.Rng;
import dev.fovea.tensor.Shape;
import dev.fovea.tensor.Tensor;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs one PyTorch reference case (format: shared/reference/README.md) through Fovea's layers
 * and compares every stored output and gradient with {@link Compare}'s tolerance. Layer
 * settings come from the tensors' shapes where they can (filters, kernel size, channels) and
 * from the case's metadata otherwise (strides, padding, pool size, epsilon, momentum, label
 * smoothing).
 */
public final class ReferenceCheck {
    private ReferenceCheck() {
    }

    /** The outcome of one case: every compared tensor with its result, or the error that stopped it. */
    public record Outcome(Path file, String op, Map<String, Compare.Result> results, String error) {
        public boolean passed() {
            return error == null && !results.isEmpty() && results.values().stream().allMatch(Compare.Result::passed);
        }

        /** Largest |a − b| over every compared tensor (NaN if any comparison had NaN). */
        public double worstError() {
            double w = 0;
            for (Compare.Result r : results.values()) {
                if (Double.isNaN(r.maxAbsError())) {
                    return Double.NaN;
                }
                w = Math.max(w, r.maxAbsError());
            }
            return w;
        }

        /** Names of the tensors that failed, each with its description. */
        public List<String> failures() {
            List<String> out = new ArrayList<>();
            results.forEach((k, r) -> {
                if (!r.passed()) {
                    out.add(k + " " + r.describe());
                }
            });
            return out;
        }
    }

    /** Checks one case file; never throws for a bad case, the outcome carries the error. */
    public static Outcome run(Path file) {
        String op = "?";
        Map<String, Compare.Result> results = new LinkedHashMap<>();
        try {
            ReferenceCase c = ReferenceCase.load(file);
            op = c.op();
            switch (op) {
                case "conv2d" -> conv2d(c, results);
                case "max_pool2d", "avg_pool2d" -> pool(c, results);
                case "global_max_pool2d", "global_avg_pool2d" -> globalPool(c, results);
                case "batch_normalization" -> batchNorm(c, results);
                case "dense_softmax_cross_entropy" -> denseSoftmax(c, results);
                case "seed_model" -> seedModel(c, results);
                default -> throw new FoveaException(file + ": unknown op '" + op + "'; this Fovea checks conv2d,"
                        + " max_pool2d, avg_pool2d, global_max_pool2d, global_avg_pool2d, batch_normalization,"
                        + " dense_softmax_cross_entropy and seed_model");
            }
            return new Outcome(file, op, results, null);
        } catch (RuntimeException e) {
            return new Outcome(file, op, results, e.getMessage() == null ? e.toString() : e.getMessage());
        }
    }

    private static void compare(Map<String, Compare.Result> out, String name, float[] actual, ReferenceCase c) {
        if (c.has(name)) {
            out.put(name, Compare.floats(actual, c.floats(name)));
        }
    }

    private static Padding padding(ReferenceCase c) {
        return Padding.parse(c.stringSetting("padding", "valid"));
    }

    /** Runs forward (training mode) and backward with the case's dy; returns dx. */
    private static float[] forwardBackward(Layer layer, ReferenceCase c, Map<String, Compare.Result> out) {
        Tensor x = c.tensor("x");
        for (Param p : layer.params()) {
            Arrays.fill(p.grad(), 0f);
        }
        compare(out, "y", layer.forward(x, true).data().clone(), c);
        float[] dx = layer.backward(c.tensor("dy")).data().clone();
        compare(out, "dx", dx, c);
        return dx;
    }

    private static Param param(Layer layer, String name) {
        for (Param p : layer.params()) {
            if (p.name().equals(name)) {
                return p;
            }
        }
        throw new IllegalStateException(layer.name() + " has no parameter " + name);
    }

    private static void set(Param p, ReferenceCase c, String name) {
        float[] v = c.floats(name);
        if (v.length != p.size()) {
            throw new FoveaException(c.path() + ": '" + name + "' has shape " + c.shape(name) + ", the layer expects "
                    + p.shape());
        }
        System.arraycopy(v, 0, p.value(), 0, v.length);
    }

    private static Shape sample(ReferenceCase c) {
        return c.shape("x").dropFirst();
    }

    private static void conv2d(ReferenceCase c, Map<String, Compare.Result> out) {
        Shape k = c.shape("kernel");
        int[] strides = c.pair("strides", 1);
        boolean bias = c.has("bias");
        Conv2D conv = new Conv2D(Conv2D.Config.of(k.dim(3), k.dim(0)).kernelSize(k.dim(0), k.dim(1))
                .strides(strides[0], strides[1]).padding(padding(c)).useBias(bias));
        conv.build(sample(c), new Rng(0));
        set(param(conv, "kernel"), c, "kernel");
        if (bias) {
            set(param(conv, "bias"), c, "bias");
        }
        forwardBackward(conv, c, out);
        compare(out, "dkernel", param(conv, "kernel").grad(), c);
        if (bias) {
            compare(out, "dbias", param(conv, "bias").grad(), c);
        }
    }

    private static void pool(ReferenceCase c, Map<String, Compare.Result> out) {
        int[] size = c.pair("pool_size", 2);
        int[] strides = c.hasSetting("strides") ? c.pair("strides") : size;
        PoolWindow window = PoolWindow.of(size[0], size[1]).strides(strides[0], strides[1]).padding(padding(c));
        Layer layer = c.op().equals("max_pool2d") ? new MaxPooling2D(window) : new AveragePooling2D(window);
        layer.build(sample(c), new Rng(0));
        forwardBackward(layer, c, out);
    }

    private static void globalPool(ReferenceCase c, Map<String, Compare.Result> out) {
        Layer layer = c.op().equals("global_max_pool2d") ? new GlobalMaxPooling2D() : new GlobalAveragePooling2D();
        layer.build(sample(c), new Rng(0));
        forwardBackward(layer, c, out);
    }

    private static void batchNorm(ReferenceCase c, Map<String, Compare.Result> out) {
        BatchNormalization bn = new BatchNormalization(new BatchNormalization.Config(c.floatSetting("momentum", 0.99f),
                c.floatSetting("epsilon", 1e-3f), c.has("beta"), c.has("gamma")));
        bn.build(sample(c), new Rng(0));
        for (String name : List.of("gamma", "beta", "moving_mean", "moving_variance")) {
            if (c.has(name)) {
                set(param(bn, name), c, name);
            }
        }
        float[] mean = param(bn, "moving_mean").value().clone();
        float[] var = param(bn, "moving_variance").value().clone();
        forwardBackward(bn, c, out);
        if (c.has("gamma")) {
            compare(out, "dgamma", param(bn, "gamma").grad(), c);
        }
        if (c.has("beta")) {
            compare(out, "dbeta", param(bn, "beta").grad(), c);
        }
        compare(out, "moving_mean_after", param(bn, "moving_mean").value().clone(), c);
        compare(out, "moving_variance_after", param(bn, "moving_variance").value().clone(), c);
        // y_inference uses the moving statistics from before the training step's update.
        System.arraycopy(mean, 0, param(bn, "moving_mean").value(), 0, mean.length);
        System.arraycopy(var, 0, param(bn, "moving_variance").value(), 0, var.length);
        compare(out, "y_inference", bn.forward(c.tensor("x"), false).data().clone(), c);
    }

    private static void denseSoftmax(ReferenceCase c, Map<String, Compare.Result> out) {
        Shape k = c.shape("kernel");
        boolean bias = c.has("bias");
        Dense dense = new Dense(Dense.Config.of(k.dim(1)).useBias(bias));
        dense.build(sample(c), new Rng(0));
        set(param(dense, "kernel"), c, "kernel");
        if (bias) {
            set(param(dense, "bias"), c, "bias");
        }
        Tensor logits = dense.forward(c.tensor("x"), true);
        compare(out, "logits", logits.data().clone(), c);
        SparseCategoricalCrossentropy loss = new SparseCategoricalCrossentropy(true,
                c.floatSetting("label_smoothing", 0f));
        Tensor dlogits = Tensor.zeros(logits.shape());
        float l = loss.compute(logits, c.labels("labels"), dlogits);
        compare(out, "loss", new float[]{l}, c);
        if (c.has("probabilities")) {
            Tensor probs = Tensor.zeros(logits.shape());
            dev.fovea.kernel.SoftmaxCrossEntropy.softmax(logits.data(), probs.data(), logits.dim(0), logits.dim(1));
            compare(out, "probabilities", probs.data(), c);
        }
        compare(out, "dx", dense.backward(dlogits).data().clone(), c);
        compare(out, "dkernel", param(dense, "kernel").grad(), c);
        if (bias) {
            compare(out, "dbias", param(dense, "bias").grad(), c);
        }
    }

    /**
     * The tutorial CNN with the case's weights, dropout off and a linear head (the case stores
     * logits): inference logits with the moving statistics, then training logits, loss and every
     * gradient with batch statistics.
     */
    private static void seedModel(ReferenceCase c, Map<String, Compare.Result> out) {
        Shape x = c.shape("x");
        int classes = c.shape("dense_1/kernel").dim(1);
        Model model = Presets.tutorialCnn(x.dim(1), x.dim(2), x.dim(3), classes, 0f, ActivationFunction.LINEAR);
        Map<String, Param> params = model.namedParams();
        for (Map.Entry<String, Param> e : params.entrySet()) {
            if (!c.has(e.getKey())) {
                throw new FoveaException(c.path() + ": weight '" + e.getKey() + "' of the tutorial CNN is missing");
            }
            set(e.getValue(), c, e.getKey());
        }
        Tensor input = c.tensor("x");
        compare(out, "logits_inference", model.forward(input, false).data().clone(), c);
        model.zeroGrads();
        Tensor logits = model.forward(input, true);
        compare(out, "logits_training", logits.data().clone(), c);
        Tensor dlogits = Tensor.zeros(logits.shape());
        float l = new SparseCategoricalCrossentropy(true, 0f).compute(logits, c.labels("labels"), dlogits);
        compare(out, "loss_training", new float[]{l}, c);
        model.backward(dlogits);
        for (Map.Entry<String, Param> e : params.entrySet()) {
            if (e.getValue().trainable()) {
                compare(out, "grad/" + e.getKey(), e.getValue().grad(), c);
            }
        }
    }
}
