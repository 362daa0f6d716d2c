package dev.fovea.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fovea.FoveaException;
import dev.fovea.tensor.Rng;
import dev.fovea.tensor.Tensor;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * {@link Model#namedLayers()}, the one walk into nested models: every layer under its path in
 * topological pre-order, the names it implies (unique across nested models, so weights stored
 * by layer name never collide) and what reads it (parameters, feature maps by path).
 */
class ModelWalkTest {

    /** conv → [block: conv → BN → ReLU] → GAP → dense, the block a nested model built first. */
    static Model nested() {
        Model block = Model.sequential("block", Input.of(6, 6, 4),
                List.of(new Conv2D(4, 3, Padding.SAME, ActivationFunction.LINEAR), new BatchNormalization(),
                        new Activation(ActivationFunction.RELU)));
        SymbolicTensor in = Input.of(6, 6, 3);
        SymbolicTensor x = new Conv2D(4, 3, Padding.SAME, ActivationFunction.RELU).apply(in);
        x = block.apply(x);
        x = new GlobalAveragePooling2D().apply(x);
        return Model.of(in, new Dense(2).apply(x));
    }

    @Test
    void everyLayerUnderItsPathInTopologicalPreOrder() {
        Model m = nested();
        // The block named its layers first; the outer conv takes the next free number, conv2d_1.
        assertEquals(List.of("conv2d_1", "block", "block/conv2d", "block/batch_normalization", "block/activation",
                "global_average_pooling2d", "dense"), List.copyOf(m.namedLayers().keySet()));
        Model block = (Model) m.layer("block");
        assertSame(block.layer("batch_normalization"), m.namedLayers().get("block/batch_normalization"));
        assertEquals(List.of("conv2d_1", "block", "global_average_pooling2d", "dense"),
                m.layers().stream().map(Layer::name).toList(), "layers() stays the top level");
    }

    @Test
    void namedParamsHoldsEveryParameterOnceUnderItsLayersName() {
        Model m = nested();
        Map<String, Param> named = m.namedParams();
        assertEquals(List.of("conv2d_1/kernel", "conv2d_1/bias", "conv2d/kernel", "conv2d/bias",
                "batch_normalization/gamma", "batch_normalization/beta", "batch_normalization/moving_mean",
                "batch_normalization/moving_variance", "dense/kernel", "dense/bias"), List.copyOf(named.keySet()));
        List<Param> all = m.params();
        assertEquals(all.size(), named.size());
        int i = 0;
        for (Param p : named.values()) {
            assertSame(all.get(i++), p, "namedParams follows params() order");
        }
    }

    @Test
    void aClashOfGivenNamesAcrossNestedModelsIsAnErrorAtConstruction() {
        Conv2D inner = new Conv2D(2, 1);
        inner.setName("head");
        Model block = Model.sequential("block", Input.of(3, 3, 2), List.of(inner));
        SymbolicTensor in = Input.of(3, 3, 2);
        Dense outer = new Dense(2);
        outer.setName("head");
        SymbolicTensor y = outer.apply(new Flatten().apply(block.apply(in)));
        FoveaException e = assertThrows(FoveaException.class, () -> Model.of(in, y));
        assertEquals("head: two layers of one model share this name (block/head and head); names must be unique,"
                + " nested models included, because weights are stored under them; name one of them apart",
                e.getMessage());
    }

    @Test
    void forwardCollectTakesNestedPaths() {
        Model m = nested();
        m.initialize(5);
        Rng rng = new Rng(2);
        Tensor x = Tensor.zeros(2, 6, 6, 3);
        for (int i = 0; i < x.size(); i++) {
            x.data()[i] = rng.nextFloat() * 2 - 1;
        }
        Map<String, Tensor> got = m.forwardCollect(x, Set.of("dense", "block/conv2d"));
        assertEquals(List.of("block/conv2d", "dense"), List.copyOf(got.keySet()));
        // Layer by layer by hand: the outer conv, then the block's conv on its output.
        Tensor h = m.layer("conv2d_1").forward(x, false).copy();
        Model block = (Model) m.layer("block");
        float[] expected = block.layer("conv2d").forward(h, false).data();
        assertEquals(expected.length, got.get("block/conv2d").size());
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], got.get("block/conv2d").data()[i], 0f);
        }
        FoveaException e = assertThrows(FoveaException.class, () -> m.forwardCollect(x, Set.of("block/conv2d_7")));
        assertTrue(e.getMessage().contains("no layer named [block/conv2d_7]"), e.getMessage());
    }
}
