package dev.fovea.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fovea.FoveaException;
import dev.fovea.io.ReferenceCase;
import dev.fovea.tensor.Rng;
import dev.fovea.tensor.Shape;
import dev.fovea.tensor.Tensor;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The layers Keras models need beyond Fovea's first set (issue 18): ZeroPadding2D, ReLU (relu6,
 * leaky, thresholded) and DepthwiseConv2D, four ways: forward and backward against PyTorch
 * (float64 autograd over its own ops, {@code keras_layers/make_cases.py}), finite differences
 * ({@link GradCheck}), their Keras configs read and written back, and refusals.
 */
class KerasLayersTest {
    private static ReferenceCase reference(String name) throws Exception {
        return ReferenceCase.load(Path.of(KerasLayersTest.class.getResource("/keras_layers/" + name + ".safetensors")
                .toURI()));
    }

    private static void close(float[] want, float[] got, String what) {
        assertEquals(want.length, got.length, what);
        for (int i = 0; i < want.length; i++) {
            assertTrue(Math.abs(got[i] - want[i]) <= 1e-5 + 1e-4 * Math.abs(want[i]),
                    what + "[" + i + "]: expected " + want[i] + ", received " + got[i]);
        }
    }

    /** Runs a case: y from x, dx from dy, and each parameter's gradient from the case's "d"+name. */
    private static void check(ReferenceCase c, Layer layer) {
        Tensor x = c.tensor("x");
        layer.build(x.shape().dropFirst(), new Rng(0));
        for (Param p : layer.params()) {
            System.arraycopy(c.floats(p.name()), 0, p.value(), 0, p.size());
        }
        Tensor y = layer.forward(x, true);
        assertEquals(c.shape("y"), y.shape(), c.name());
        close(c.floats("y"), y.data(), c.name() + " y");
        close(c.floats("dx"), layer.backward(c.tensor("dy")).data(), c.name() + " dx");
        for (Param p : layer.params()) {
            close(c.floats("d" + p.name()), p.grad(), c.name() + " d" + p.name());
        }
    }

    @Test
    void zeroPaddingMatchesPyTorch() throws Exception {
        for (String name : List.of("zero_padding2d_mobilenet", "zero_padding2d_uneven")) {
            ReferenceCase c = reference(name);
            check(c, new ZeroPadding2D(c.intSetting("top"), c.intSetting("bottom"), c.intSetting("left"),
                    c.intSetting("right")));
        }
    }

    @Test
    void reluVariantsMatchPyTorch() throws Exception {
        for (String name : List.of("relu6", "leaky_relu", "relu_threshold")) {
            ReferenceCase c = reference(name);
            String max = c.stringSetting("max_value");
            check(c, new ReLU(max.equals("none") ? ReLU.NO_MAX : Float.parseFloat(max),
                    c.floatSetting("negative_slope"), c.floatSetting("threshold")));
        }
    }

    @Test
    void depthwiseConvolutionMatchesPyTorch() throws Exception {
        for (String name : List.of("depthwise_same", "depthwise_stride2_multiplier2", "depthwise_valid_stride2")) {
            ReferenceCase c = reference(name);
            int k = c.intSetting("kernel_size");
            int s = c.intSetting("strides");
            check(c, new DepthwiseConv2D(k, k, s, s, Padding.parse(c.stringSetting("padding")),
                    c.intSetting("depth_multiplier"), ActivationFunction.LINEAR, c.has("bias"),
                    KernelInitializer.GLOROT_UNIFORM));
        }
    }

    /** The depthwise passes give the same bits at one thread and at two. */
    @Test
    void depthwiseIsBitIdenticalAtOneAndTwoThreads() {
        int before = dev.fovea.tensor.Parallel.threads();
        float[][] one = null;
        try {
            for (int threads : new int[]{1, 2}) {
                dev.fovea.tensor.Parallel.setThreads(threads);
                DepthwiseConv2D d = new DepthwiseConv2D(3, 3, 2, 2, Padding.SAME, 2, ActivationFunction.LINEAR, true,
                        KernelInitializer.GLOROT_UNIFORM);
                d.build(Shape.of(9, 7, 5), new Rng(3));
                Rng r = new Rng(4);
                Tensor x = new Tensor(Shape.of(6, 9, 7, 5), new float[6 * 9 * 7 * 5]);
                for (int i = 0; i < x.size(); i++) {
                    x.data()[i] = r.nextFloat() - 0.5f;
                }
                Tensor y = d.forward(x, true);
                float[] yv = y.data().clone();
                float[] dx = d.backward(y).data().clone();
                float[][] got = {yv, dx, d.params().get(0).grad().clone(), d.params().get(1).grad().clone()};
                if (one == null) {
                    one = got;
                } else {
                    for (int k = 0; k < got.length; k++) {
                        assertArrayEquals(one[k], got[k], "pass " + k);
                    }
                }
            }
        } finally {
            dev.fovea.tensor.Parallel.setThreads(before);
        }
    }

    @Test
    void gradientsMatchFiniteDifferences() {
        GradCheck.check(PoolingLayersTest.named(new ZeroPadding2D(1, 0, 2, 1), "zp"), Shape.of(3, 2, 2), 2, 3);
        GradCheck.check(PoolingLayersTest.named(new ReLU(0.6f, 0.2f, -0.1f), "relu"), Shape.of(4, 5), 2, 4);
        GradCheck.check(PoolingLayersTest.named(new DepthwiseConv2D(3, 2, 2, 1, Padding.SAME, 2,
                ActivationFunction.TANH, true, KernelInitializer.GLOROT_UNIFORM), "dw"), Shape.of(5, 4, 3), 2, 5);
    }

    @Test
    void kerasConfigsReadAndWriteBack() {
        ZeroPadding2D a = (ZeroPadding2D) LayerRegistry.create("ZeroPadding2D", map("padding", List.of(List.of(0, 1),
                List.of(0, 1)), "data_format", "channels_last", "name", "pad", "trainable", true), "m.keras");
        assertArrayEquals(new int[]{0, 1, 0, 1}, a.padding());
        assertArrayEquals(new int[]{2, 2, 3, 3}, ((ZeroPadding2D) LayerRegistry.create("ZeroPadding2D",
                map("padding", List.of(2, 3)), "m")).padding());
        assertArrayEquals(new int[]{1, 1, 1, 1}, ((ZeroPadding2D) LayerRegistry.create("ZeroPadding2D",
                map("padding", 1), "m")).padding());
        ReLU r = (ReLU) LayerRegistry.create("ReLU", map("max_value", 6.0, "negative_slope", 0.0, "threshold", 0.0),
                "m");
        assertEquals(6f, r.maxValue());
        assertEquals(ReLU.NO_MAX, ((ReLU) LayerRegistry.create("ReLU", map("max_value", null), "m")).maxValue());
        DepthwiseConv2D d = (DepthwiseConv2D) LayerRegistry.create("DepthwiseConv2D", map("kernel_size", List.of(3, 3),
                "strides", List.of(2, 2), "padding", "same", "depth_multiplier", 1, "data_format", "channels_last",
                "dilation_rate", List.of(1, 1), "groups", 1, "activation", "relu", "use_bias", false, "depthwise_initializer",
                map("class_name", "GlorotUniform", "config", map("seed", null)), "bias_initializer", "zeros",
                "depthwise_regularizer", null, "bias_regularizer", null, "activity_regularizer", null,
                "depthwise_constraint", null, "bias_constraint", null), "m");
        assertEquals(map("kernel_size", List.of(3, 3), "strides", List.of(2, 2), "padding", "same", "depth_multiplier", 1,
                "activation", "relu", "use_bias", false), d.config());
        for (Layer l : List.of(a, r, d)) {
            assertEquals(l.config(), LayerRegistry.create(l.typeName(), l.config(), "m").config());
        }
    }

    @Test
    void refusalsNameTheOption() {
        FoveaException e = assertThrows(FoveaException.class, () -> LayerRegistry.create("DepthwiseConv2D",
                map("kernel_size", 3, "dilation_rate", 2), "m.keras: layer 'dw'"));
        assertEquals("m.keras: layer 'dw': DepthwiseConv2D option dilation_rate = 2 is not supported; Fovea's"
                + " DepthwiseConv2D supports dilation_rate 1 only (no dilation)", e.getMessage());
        e = assertThrows(FoveaException.class, () -> LayerRegistry.create("ZeroPadding2D",
                map("padding", List.of(1, 2, 3)), "m.keras: layer 'zp'"));
        assertEquals("m.keras: layer 'zp': ZeroPadding2D option padding = [1, 2, 3] is not supported; Fovea's"
                + " ZeroPadding2D supports padding a number, a pair (height, width) or ((top, bottom), (left, right))",
                e.getMessage());
        e = assertThrows(FoveaException.class, () -> new ReLU(0f, 0f, 1f));
        assertTrue(e.getMessage().startsWith("ReLU: expected max_value > threshold"), e.getMessage());
    }

    private static Map<String, Object> map(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }
}
