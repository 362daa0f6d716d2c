package dev.fovea.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fovea.FoveaException;
import dev.fovea.nn.Activation;
import dev.fovea.nn.ActivationFunction;
import dev.fovea.nn.BatchNormalization;
import dev.fovea.nn.Conv2D;
import dev.fovea.nn.Dense;
import dev.fovea.nn.Dropout;
import dev.fovea.nn.Flatten;
import dev.fovea.nn.GlobalAveragePooling2D;
import dev.fovea.nn.Input;
import dev.fovea.nn.Layer;
import dev.fovea.nn.MaxPooling2D;
import dev.fovea.nn.Model;
import dev.fovea.nn.Padding;
import dev.fovea.nn.Param;
import dev.fovea.nn.SymbolicTensor;
import dev.fovea.tensor.Rng;
import dev.fovea.tensor.Shape;
import dev.fovea.tensor.Tensor;
import java.util.List;
import org.junit.jupiter.api.Test;

class GradCamTest {
    /**
     * Input (2,2,1) → Conv2D 1×1 with 2 filters (w0 = 1, b0 = 0; w1 = −1, b1 = 1), linear, so
     * A0 = x and A1 = 1 − x → GlobalAveragePooling (g_k = mean A_k) → Dense(2) with kernel
     * W[k][c] = [[1, 0], [2, −1]] and no bias: z0 = g0 + 2·g1, z1 = −g1. Hence
     * ∂z_c/∂A_k(h,w) = W[k][c]/4 at every position and α_k = W[k][c]/4:
     * class 0: α = (1/4, 1/2), map = ReLU(x/4 + (1 − x)/2) = ReLU(1/2 − x/4);
     * class 1: α = (0, −1/4),  map = ReLU((x − 1)/4).
     */
    private static Model handModel(Layer head) {
        SymbolicTensor in = Input.of(2, 2, 1);
        SymbolicTensor a = new Conv2D(2, 1).apply(in);
        SymbolicTensor z = new Dense(Dense.Config.of(2).useBias(false)
                .activation(head == null ? ActivationFunction.SOFTMAX : ActivationFunction.LINEAR))
                .apply(new GlobalAveragePooling2D().apply(a));
        Model m = Model.of(in, head == null ? z : head.apply(z));
        List<Param> p = m.params();
        p.get(0).value()[0] = 1f;   // conv kernel (1,1,1,2)
        p.get(0).value()[1] = -1f;
        p.get(1).value()[0] = 0f;   // conv bias
        p.get(1).value()[1] = 1f;
        float[] w = p.get(2).value(); // dense kernel (2 in, 2 out)
        w[0] = 1f;
        w[1] = 0f;
        w[2] = 2f;
        w[3] = -1f;
        return m;
    }

    private static Tensor handImages() {
        return new Tensor(Shape.of(3, 2, 2, 1), new float[]{
            1, 2, 3, 6,   // g = (3, −2): z = (−1, 2), predicted 1
            0, 0, 0, 4,   // g = (1, 0):  z = (1, 0)
            2, 2, 2, 2}); // g = (2, −1): z = (0, 1)
    }

    @Test
    void handComputedMapsExplainTheLogitOfASoftmaxHead() {
        for (Layer head : new Layer[]{null, new Activation(ActivationFunction.SOFTMAX)}) {
            Model m = handModel(head);
            GradCam cam = new GradCam(m);
            assertEquals("conv2d", cam.layerName());
            GradCam.Result r = cam.compute(handImages(), new int[]{-1, 1, 0});
            assertEquals(3, r.n());
            assertEquals(2, r.height());
            assertEquals(2, r.width());
            assertArrayEquals(new int[]{1, 1, 0}, r.classes());
            // Image 0, class 1: ReLU((x − 1)/4) = (0, 1/4, 1/2, 5/4); the logit's gradient, so not
            // scaled by a softmax derivative p(1 − p).
            assertArrayEquals(new float[]{0, 0.25f, 0.5f, 1.25f}, r.rawHeatmap(0), 1e-6f);
            assertArrayEquals(new float[]{0, 0.2f, 0.4f, 1f}, r.heatmap(0), 1e-6f);
            // Image 1, class 1: ReLU((x − 1)/4) = (0, 0, 0, 3/4).
            assertArrayEquals(new float[]{0, 0, 0, 0.75f}, r.rawHeatmap(1), 1e-6f);
            assertArrayEquals(new float[]{0, 0, 0, 1f}, r.heatmap(1), 1e-6f);
            // Image 2, class 0: ReLU(1/2 − 2/4) = 0 everywhere, so the normalized map is all zeros.
            assertArrayEquals(new float[4], r.heatmap(2), 0f);
            double e3 = Math.exp(3);
            assertArrayEquals(new float[]{(float) (1 / (1 + e3)), (float) (e3 / (1 + e3)),
                (float) (Math.E / (1 + Math.E)), (float) (1 / (1 + Math.E)),
                (float) (1 / (1 + Math.E)), (float) (Math.E / (1 + Math.E))}, r.probabilities(), 1e-6f);
            assertEquals(e3 / (1 + e3), r.probability(0), 1e-6);
            // Image 0, class 0: ReLU(1/2 − x/4) = (1/4, 0, 0, 0).
            GradCam.Result r0 = cam.compute(handImages(), new int[]{0, 0, 0});
            assertArrayEquals(new float[]{0.25f, 0, 0, 0}, r0.rawHeatmap(0), 1e-6f);
            assertArrayEquals(new float[]{1f, 0, 0, 0}, r0.heatmap(0), 1e-6f);
        }
    }

    @Test
    void aNestedModelThatHoldsTheSoftmaxHeadIsExplainedByItsLogit() {
        SymbolicTensor in = Input.of(2, 2, 1);
        Model outer = Model.of("outer", in, handModel(null).apply(in));
        List<Param> inner = handModel(null).params();
        for (int i = 0; i < inner.size(); i++) {
            System.arraycopy(inner.get(i).value(), 0, outer.params().get(i).value(), 0, inner.get(i).size());
        }
        GradCam cam = new GradCam(outer);
        assertEquals("functional/conv2d", cam.layerName());
        GradCam.Result r = cam.compute(handImages(), new int[]{-1, 1, 0});
        // As in the flat hand-computed case: image 0, class 1, ReLU((x − 1)/4).
        assertArrayEquals(new float[]{0, 0.25f, 0.5f, 1.25f}, r.rawHeatmap(0), 1e-6f);
        assertArrayEquals(new float[]{0, 0, 0, 0.75f}, r.rawHeatmap(1), 1e-6f);
    }

    @Test
    void aLogitsModelGivesTheSameMapsAndSoftmaxesItsOutputs() {
        Model logits = handModel(new Activation(ActivationFunction.LINEAR));
        GradCam.Result r = new GradCam(logits).compute(handImages(), new int[]{-1, 1, 0});
        assertArrayEquals(new float[]{0, 0.25f, 0.5f, 1.25f}, r.rawHeatmap(0), 1e-6f);
        double e3 = Math.exp(3);
        assertEquals(e3 / (1 + e3), r.probabilities()[1], 1e-6);
    }

    /** conv → BN → ReLU → pool → conv → BN → GAP → Dropout → Dense: every stateful layer above the first conv. */
    private static Model statefulModel(long seed) {
        Model m = Model.sequential(Input.of(6, 6, 2),
                new Conv2D(3, 3, Padding.SAME, ActivationFunction.LINEAR), new BatchNormalization(),
                new Activation(ActivationFunction.RELU), new MaxPooling2D(2),
                new Conv2D(4, 3, Padding.SAME, ActivationFunction.RELU), new BatchNormalization(),
                new GlobalAveragePooling2D(), new Dropout(0.5f), new Dense(5));
        m.initialize(seed);
        Rng rng = new Rng(seed + 1);
        for (Param p : m.params()) {
            for (int i = 0; i < p.size(); i++) {
                p.grad()[i] = (float) rng.nextGaussian();
                if (p.name().startsWith("moving_variance")) {
                    p.value()[i] = 0.5f + rng.nextFloat();
                } else if (!p.trainable()) {
                    p.value()[i] = (float) rng.nextGaussian() * 0.1f;
                }
            }
        }
        return m;
    }

    private static Tensor randomImages(int n, long seed) {
        Tensor x = Tensor.zeros(n, 6, 6, 2);
        Rng rng = new Rng(seed);
        for (int i = 0; i < x.size(); i++) {
            x.data()[i] = (float) rng.nextGaussian();
        }
        return x;
    }

    @Test
    void computeLeavesParametersGradientsAndLaterForwardsAsTheyWere() {
        Model m = statefulModel(3);
        Model twin = statefulModel(3);
        Tensor x = randomImages(4, 9);
        float[] before = m.forward(x, false).data().clone();
        List<Param> ps = m.params();
        float[][] values = ps.stream().map(p -> p.value().clone()).toArray(float[][]::new);
        float[][] grads = ps.stream().map(p -> p.grad().clone()).toArray(float[][]::new);
        GradCam.Result r = new GradCam(m, "conv2d").compute(randomImages(3, 10), new int[]{-1, 2, 4});
        assertTrue(max(r.rawHeatmap(0)) > 0, "a random model still has some positive evidence");
        for (int i = 0; i < ps.size(); i++) {
            assertArrayEquals(values[i], ps.get(i).value(), 0f, ps.get(i).name());
            assertArrayEquals(grads[i], ps.get(i).grad(), 0f, ps.get(i).name());
        }
        assertArrayEquals(before, m.forward(x, false).data(), 0f);
        // A training forward (batch statistics, moving averages, dropout's random stream) matches a
        // twin that never ran Grad-CAM, bit for bit.
        assertArrayEquals(twin.forward(x, true).data(), m.forward(x, true).data(), 0f);
        assertArrayEquals(twin.forward(x, true).data(), m.forward(x, true).data(), 0f);
    }

    @Test
    void aLayerInsideANestedModelGivesTheMapsOfTheFlatModel() {
        Model flat = statefulModel(5);
        Model body = Model.sequential("body", Input.of(6, 6, 2),
                List.of(new Conv2D(3, 3, Padding.SAME, ActivationFunction.LINEAR), new BatchNormalization(),
                        new Activation(ActivationFunction.RELU), new MaxPooling2D(2),
                        new Conv2D(4, 3, Padding.SAME, ActivationFunction.RELU)));
        SymbolicTensor in = Input.of(6, 6, 2);
        Model nested = Model.of(in, new Dense(5).apply(new Dropout(0.5f).apply(
                new GlobalAveragePooling2D().apply(new BatchNormalization().apply(body.apply(in))))));
        List<Param> a = flat.params();
        List<Param> b = nested.params();
        for (int i = 0; i < a.size(); i++) {
            System.arraycopy(a.get(i).value(), 0, b.get(i).value(), 0, a.get(i).size());
        }
        assertEquals(List.of("body/conv2d", "body/conv2d_1"), GradCam.convLayers(nested));
        assertEquals("body/conv2d_1", new GradCam(nested).layerName());
        Tensor x = randomImages(2, 11);
        for (String[] layers : new String[][]{{"conv2d", "body/conv2d"}, {"conv2d_1", "body/conv2d_1"}}) {
            GradCam.Result rf = new GradCam(flat, layers[0]).compute(x, new int[]{1, -1});
            GradCam.Result rn = new GradCam(nested, layers[1]).compute(x, new int[]{1, -1});
            assertArrayEquals(rf.classes(), rn.classes());
            for (int i = 0; i < 2; i++) {
                assertArrayEquals(rf.rawHeatmap(i), rn.rawHeatmap(i), 1e-6f, layers[1]);
            }
        }
    }

    /**
     * A functional DAG: x (3,3,2) → target 1×1 conv A = x·Ka + ba → [GAP(A)] + [GAP(A·M)] (Add,
     * M a bias-free 1×1 conv) → Concatenate with a side branch GAP(x·Ks) that does not read A →
     * Dense W (5,4). So z_c = Σ_j (gap(A)_j + (gap(A)·M)_j)·W[j][c] + side terms, and
     * ∂z_c/∂A(p,k) = (W[k][c] + Σ_j M[k][j]·W[j][c])/9 at every position p: that is α_k.
     */
    @Test
    void aFunctionalDagWithAResidualSumAndAnUnrelatedBranchMatchesTheDefinition() {
        SymbolicTensor in = Input.of(3, 3, 2);
        SymbolicTensor a = new Conv2D(3, 1).apply(in);
        SymbolicTensor b = new Conv2D(Conv2D.Config.of(3, 1).useBias(false)).apply(a);
        SymbolicTensor sum = new dev.fovea.nn.Add().apply(new GlobalAveragePooling2D().apply(a),
                new GlobalAveragePooling2D().apply(b));
        SymbolicTensor side = new GlobalAveragePooling2D().apply(new Conv2D(2, 1).apply(in));
        Model m = Model.of(in, new Dense(4).apply(new dev.fovea.nn.Concatenate().apply(sum, side)));
        m.initialize(21);
        java.util.Map<String, Param> p = m.namedParams();
        float[] ka = p.get("conv2d/kernel").value();
        float[] ba = p.get("conv2d/bias").value();
        float[] mk = p.get("conv2d_1/kernel").value();
        float[] w = p.get("dense/kernel").value();
        Tensor x = randomImages3x3(23);
        GradCam cam = new GradCam(m, "conv2d");
        GradCam.Result r = cam.compute(x, new int[]{0, 3});
        assertTrue(Math.max(max(r.rawHeatmap(0)), max(r.rawHeatmap(1))) > 0, "some evidence to compare");
        for (int i = 0; i < 2; i++) {
            int c = r.classes()[i];
            double[] alpha = new double[3];
            for (int k = 0; k < 3; k++) {
                double v = w[k * 4 + c];
                for (int j = 0; j < 3; j++) {
                    v += mk[k * 3 + j] * w[j * 4 + c];
                }
                alpha[k] = v / 9;
            }
            float[] raw = r.rawHeatmap(i);
            for (int q = 0; q < 9; q++) {
                double s = 0;
                for (int k = 0; k < 3; k++) {
                    double ak = ba[k];
                    for (int ch = 0; ch < 2; ch++) {
                        ak += x.data()[(i * 9 + q) * 2 + ch] * ka[ch * 3 + k];
                    }
                    s += alpha[k] * ak;
                }
                assertEquals(Math.max(s, 0), raw[q], 1e-5, "image " + i + " position " + q);
            }
        }
    }

    private static Tensor randomImages3x3(long seed) {
        Tensor x = Tensor.zeros(2, 3, 3, 2);
        Rng rng = new Rng(seed);
        for (int i = 0; i < x.size(); i++) {
            x.data()[i] = (float) rng.nextGaussian();
        }
        return x;
    }

    @Test
    void anUnknownLayerOrOneWithoutAnImageOutputIsAUserError() {
        Model m = statefulModel(1);
        FoveaException e = assertThrows(FoveaException.class, () -> new GradCam(m, "conv9"));
        assertEquals("grad-cam: model sequential has no layer 'conv9'; expected a layer with a 4-D output"
                + " (N,H,W,C), e.g. one of the Conv2D layers [conv2d, conv2d_1] (nested layers as model/layer)",
                e.getMessage());
        e = assertThrows(FoveaException.class, () -> new GradCam(m, "global_average_pooling2d"));
        assertEquals("grad-cam: layer 'global_average_pooling2d' of model sequential outputs (None, 4),"
                + " expected a 4-D output (N,H,W,C); choose a convolutional layer, e.g. one of [conv2d, conv2d_1]",
                e.getMessage());
        Model dense = Model.sequential(Input.of(2, 2, 1), new Flatten(), new Dense(3));
        e = assertThrows(FoveaException.class, () -> new GradCam(dense));
        assertTrue(e.getMessage().startsWith("grad-cam: model sequential has no Conv2D layer"), e.getMessage());
        e = assertThrows(FoveaException.class, () -> new GradCam(m).compute(randomImages(2, 1), new int[]{0, 5}));
        assertEquals("grad-cam: class 5 for image 1 is out of range; expected 0..4 (the model has 5 classes)"
                + " or -1 for the predicted class", e.getMessage());
        e = assertThrows(FoveaException.class, () -> new GradCam(m).compute(randomImages(2, 1), new int[]{0}));
        assertTrue(e.getMessage().contains("expected one class per image (2), received 1"), e.getMessage());
    }

    @Test
    void upsampleMatchesPyTorchBilinearWithoutAlignedCorners() {
        // F.interpolate(torch.tensor([[[[0., 1.], [2., 3.]]]]), size=(4, 4), mode='bilinear',
        // align_corners=False): source coordinates (o + ½)/2 − ½ = −¼→0, ¼, ¾, 1¼→1 (clamped).
        float[] up = GradCam.upsample(new float[]{0, 1, 2, 3}, 2, 2, 4, 4);
        assertArrayEquals(new float[]{
            0, 0.25f, 0.75f, 1,
            0.5f, 0.75f, 1.25f, 1.5f,
            1.5f, 1.75f, 2.25f, 2.5f,
            2, 2.25f, 2.75f, 3}, up, 1e-6f);
        // Downsampling (1,4) → (1,2): coordinates 0.5 and 2.5, halfway between neighbours.
        assertArrayEquals(new float[]{1.5f, 3.5f}, GradCam.upsample(new float[]{1, 2, 3, 4}, 1, 4, 1, 2), 1e-6f);
    }

    private static float max(float[] v) {
        float m = Float.NEGATIVE_INFINITY;
        for (float f : v) {
            m = Math.max(m, f);
        }
        return m;
    }

    /**
     * The default layer is the last convolution of the walk, here inside a nested model that
     * follows a top-level one; its maps are those of the same convolution in a flat model.
     */
    @Test
    void theLastConvolutionInsideANestedModelIsFoundAfterAnOuterOne() {
        Model flat = Model.sequential(Input.of(6, 6, 2),
                new Conv2D(3, 3, Padding.SAME, ActivationFunction.RELU),
                new Conv2D(4, 3, Padding.SAME, ActivationFunction.RELU), new GlobalAveragePooling2D(), new Dense(3));
        flat.initialize(8);
        Model block = Model.sequential("block", Input.of(6, 6, 3),
                List.of(new Conv2D(4, 3, Padding.SAME, ActivationFunction.RELU)));
        SymbolicTensor in = Input.of(6, 6, 2);
        SymbolicTensor h = new Conv2D(3, 3, Padding.SAME, ActivationFunction.RELU).apply(in);
        Model nested = Model.of(in, new Dense(3).apply(new GlobalAveragePooling2D().apply(block.apply(h))));
        List<Param> a = flat.params();
        List<Param> b = nested.params();
        for (int i = 0; i < a.size(); i++) {
            System.arraycopy(a.get(i).value(), 0, b.get(i).value(), 0, a.get(i).size());
        }
        assertEquals(List.of("conv2d_1", "block/conv2d"), GradCam.convLayers(nested));
        GradCam cam = new GradCam(nested);
        assertEquals("block/conv2d", cam.layerName());
        Tensor x = randomImages(2, 4);
        GradCam.Result rn = cam.compute(x, new int[]{-1, 2});
        GradCam.Result rf = new GradCam(flat).compute(x, new int[]{-1, 2});
        assertEquals("conv2d_1", new GradCam(flat).layerName());
        assertArrayEquals(rf.classes(), rn.classes());
        for (int i = 0; i < 2; i++) {
            assertArrayEquals(rf.rawHeatmap(i), rn.rawHeatmap(i), 1e-6f);
        }
    }
}
