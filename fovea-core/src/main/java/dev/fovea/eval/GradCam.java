package dev.fovea.eval;

import dev.fovea.FoveaException;
import dev.fovea.nn.Activation;
import dev.fovea.nn.Conv2D;
import dev.fovea.nn.Dense;
import dev.fovea.nn.Layer;
import dev.fovea.nn.Model;
import dev.fovea.nn.Param;
import dev.fovea.tensor.Shape;
import dev.fovea.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Grad-CAM (Selvaraju et al., 2017, "Grad-CAM: Visual Explanations from Deep Networks via
 * Gradient-based Localization"): where in the image a classifier looked for a class. For a
 * chosen layer with output A (N,H',W',C) — by default the last {@link Conv2D} in topological
 * order, nested models included — and class c, the weights are α_k = mean over (h,w) of
 * ∂y^c/∂A_k and the map is ReLU(Σ_k α_k·A_k) (H',W'), then divided by its maximum so it lies in
 * [0,1] (all zeros when the maximum is 0).
 *
 * <p>The class score y^c is the <b>pre-softmax logit</b>: for a model whose head applies
 * softmax (a {@code Dense(…, SOFTMAX)}, an {@code Activation} softmax layer, or a nested model
 * ending so) the gradient is taken of the logit, not of the probability, which is what
 * pytorch-grad-cam computes on a logits model and what the paper prescribes; the probability's
 * gradient mixes in every other class through the softmax. See {@link Model#backwardTo}.
 *
 * <p>The model runs in inference mode (BatchNormalization's moving statistics, no dropout), so
 * each image's score depends on that image only and one backward serves the whole batch.
 * {@link #compute} leaves the model as it found it: parameter values are never written,
 * parameter gradients the backward adds to are restored, and no layer state that a later
 * forward reads changes (inference forwards move no statistics and draw no random numbers).
 * Not thread-safe: it runs the model, whose layers reuse their buffers.
 */
public final class GradCam {
    private final Model model;
    private final String layerName;
    private final Shape mapShape;

    /** Grad-CAM at the model's last Conv2D in topological order. */
    public GradCam(Model model) {
        this(model, null);
    }

    /**
     * Grad-CAM at the layer {@code layerName} (a layer name, or {@code nested/inner} for a layer
     * of a nested model); null means the last Conv2D. The layer's output must be 4-D (N,H,W,C).
     */
    public GradCam(Model model, String layerName) {
        if (model.outputShape().rank() != 1) {
            throw new FoveaException("grad-cam: model " + model.name() + " outputs "
                    + model.outputShape().toBatchString() + ", expected class scores (None, classes); "
                    + "Grad-CAM explains classifiers");
        }
        List<String> convs = convLayers(model);
        if (layerName == null) {
            if (convs.isEmpty()) {
                throw new FoveaException("grad-cam: model " + model.name() + " has no Conv2D layer, expected "
                        + "at least one; name a layer with a 4-D output (N,H,W,C) instead");
            }
            layerName = convs.get(convs.size() - 1);
        }
        Shape s;
        try {
            s = model.outputShapeOf(layerName);
        } catch (FoveaException e) {
            throw new FoveaException("grad-cam: model " + model.name() + " has no layer '" + layerName
                    + "'; expected a layer with a 4-D output (N,H,W,C), e.g. one of the Conv2D layers "
                    + convs + " (nested layers as model/layer)", e);
        }
        if (s.rank() != 3) {
            throw new FoveaException("grad-cam: layer '" + layerName + "' of model " + model.name() + " outputs "
                    + s.toBatchString() + ", expected a 4-D output (N,H,W,C); choose a convolutional layer, "
                    + "e.g. one of " + convs);
        }
        this.model = model;
        this.layerName = layerName;
        this.mapShape = s;
    }

    /** The layer whose activations are weighted. */
    public String layerName() {
        return layerName;
    }

    /** The paths of every Conv2D of the model in topological order ({@code nested/inner} inside nested models). */
    public static List<String> convLayers(Model model) {
        List<String> out = new ArrayList<>();
        for (Map.Entry<String, Layer> e : model.namedLayers().entrySet()) {
            if (e.getValue() instanceof Conv2D) {
                out.add(e.getKey());
            }
        }
        return out;
    }


    /**
     * The heatmaps of one batch.
     *
     * @param n images
     * @param height the explained layer's output height H'
     * @param width its output width W'
     * @param classes the class explained for each image (N)
     * @param probabilities the forward pass's softmax probabilities (N,K), row-major
     * @param maps the normalized heatmaps (N,H',W'), row-major, each in [0,1]
     * @param rawMaps ReLU(Σ_k α_k A_k) before the division by the maximum (N,H',W')
     */
    public record Result(int n, int height, int width, int[] classes, float[] probabilities, float[] maps,
                         float[] rawMaps) {
        /** Classes K. */
        public int k() {
            return probabilities.length / n;
        }

        /** Image i's normalized heatmap (H',W') row-major, a copy. */
        public float[] heatmap(int i) {
            return slice(maps, i);
        }

        /** Image i's heatmap before normalization (H',W'), a copy. */
        public float[] rawHeatmap(int i) {
            return slice(rawMaps, i);
        }

        /** The probability of the explained class of image i. */
        public float probability(int i) {
            return probabilities[i * k() + classes[i]];
        }

        private float[] slice(float[] all, int i) {
            int hw = height * width;
            float[] out = new float[hw];
            System.arraycopy(all, i * hw, out, 0, hw);
            return out;
        }
    }

    /**
     * Heatmaps for a preprocessed float batch {@code x (N,H,W,C)} (read), explaining class
     * {@code classes[i]} for image i, or its predicted class (arg-max, first on ties) when
     * {@code classes[i]} is −1.
     */
    public Result compute(Tensor x, int[] classes) {
        int n = x.dim(0);
        if (classes == null || classes.length != n) {
            throw new FoveaException("grad-cam: expected one class per image (" + n + "), received "
                    + (classes == null ? "none" : classes.length) + "; pass -1 to explain the predicted class");
        }
        List<Param> params = model.params();
        List<float[]> grads = new ArrayList<>(params.size());
        for (Param p : params) {
            grads.add(p.grad().clone());
        }
        try {
            return explain(x, classes.clone());
        } finally {
            for (int i = 0; i < params.size(); i++) {
                float[] g = grads.get(i);
                System.arraycopy(g, 0, params.get(i).grad(), 0, g.length);
            }
        }
    }

    private Result explain(Tensor x, int[] classes) {
        int n = x.dim(0);
        Tensor out = model.forward(x, false);
        int k = out.dim(1);
        float[] probs = new float[n * k];
        model.probabilities(out.data(), n, probs);
        for (int i = 0; i < n; i++) {
            if (classes[i] == -1) {
                classes[i] = argmax(probs, i * k, k);
            } else if (classes[i] < 0 || classes[i] >= k) {
                throw new FoveaException("grad-cam: class " + classes[i] + " for image " + i + " is out of range; "
                        + "expected 0.." + (k - 1) + " (the model has " + k + " classes) or -1 for the predicted class");
            }
        }
        float[] a = model.activation(layerName).data().clone();
        // The sum of every image's own logit: in inference mode image i's logit depends on image i
        // only, so the gradient of the sum at image i is that logit's gradient.
        Tensor dy = Tensor.zeros(n, k);
        for (int i = 0; i < n; i++) {
            dy.data()[i * k + classes[i]] = 1f;
        }
        float[] g = model.backwardTo(layerName, dy, true).data();
        int h = mapShape.dim(0);
        int w = mapShape.dim(1);
        int c = mapShape.dim(2);
        int hw = h * w;
        float[] raw = new float[n * hw];
        float[] maps = new float[n * hw];
        double[] alpha = new double[c];
        for (int i = 0; i < n; i++) {
            int base = i * hw * c;
            java.util.Arrays.fill(alpha, 0);
            for (int p = 0; p < hw; p++) {
                for (int ch = 0; ch < c; ch++) {
                    alpha[ch] += g[base + p * c + ch];
                }
            }
            float max = 0f;
            for (int p = 0; p < hw; p++) {
                double s = 0;
                for (int ch = 0; ch < c; ch++) {
                    s += alpha[ch] / hw * a[base + p * c + ch];
                }
                float v = (float) Math.max(s, 0);
                raw[i * hw + p] = v;
                max = Math.max(max, v);
            }
            for (int p = 0; p < hw && max > 0f; p++) {
                maps[i * hw + p] = raw[i * hw + p] / max;
            }
        }
        return new Result(n, h, w, classes, probs, maps, raw);
    }

    private static int argmax(float[] v, int off, int k) {
        int best = 0;
        for (int j = 1; j < k; j++) {
            if (v[off + j] > v[off + best]) {
                best = j;
            }
        }
        return best;
    }

    /**
     * Bilinear resize of one map {@code heat (h,w)} (read) to (outH,outW), returned new, with
     * PyTorch's {@code F.interpolate(mode='bilinear', align_corners=False)} sampling: output
     * pixel centres map to source coordinate (o + ½)·in/out − ½, clamped at 0 below and to the
     * last pixel above, so the map keeps its range and a constant map stays constant.
     */
    public static float[] upsample(float[] heat, int h, int w, int outH, int outW) {
        if (h < 1 || w < 1 || outH < 1 || outW < 1 || heat.length != h * w) {
            throw new IllegalArgumentException("upsample: heat of " + heat.length + " values for (" + h + ", " + w
                    + ") to (" + outH + ", " + outW + ")");
        }
        float[] out = new float[outH * outW];
        for (int oy = 0; oy < outH; oy++) {
            float sy = Math.max((oy + 0.5f) * h / outH - 0.5f, 0f);
            int y0 = Math.min((int) sy, h - 1);
            int y1 = Math.min(y0 + 1, h - 1);
            float ly = sy - y0;
            for (int ox = 0; ox < outW; ox++) {
                float sx = Math.max((ox + 0.5f) * w / outW - 0.5f, 0f);
                int x0 = Math.min((int) sx, w - 1);
                int x1 = Math.min(x0 + 1, w - 1);
                float lx = sx - x0;
                float top = heat[y0 * w + x0] * (1 - lx) + heat[y0 * w + x1] * lx;
                float bottom = heat[y1 * w + x0] * (1 - lx) + heat[y1 * w + x1] * lx;
                out[oy * outW + ox] = top * (1 - ly) + bottom * ly;
            }
        }
        return out;
    }
}
