package dev.fovea.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fovea.tensor.Rng;
import dev.fovea.tensor.Tensor;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * Every layer type reads back the config it writes: write → JSON → read → write gives the same
 * JSON, per layer and for a whole model holding every type with options off their defaults
 * (and a nested Sequential and Functional model), and the rebuilt model computes the same
 * outputs bit for bit once it has the same weights.
 */
class LayerConfigRoundTripTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Every registered layer type with non-default options, a nested Sequential and a nested Functional. */
    static Model everyLayer() {
        Model block = Model.sequential("block", Input.of(4, 8, 4), List.of(
                new Conv2D(4, 3, Padding.SAME, ActivationFunction.GELU), new Activation(ActivationFunction.SIGMOID),
                new ZeroPadding2D(1, 0, 0, 1), new DepthwiseConv2D(2, 2, 1, 1, Padding.VALID, 1,
                        ActivationFunction.TANH, false, KernelInitializer.HE_UNIFORM), new ReLU(6f, 0.1f, 0f)));
        SymbolicTensor headIn = Input.of(12);
        Model head = Model.of("head", headIn, new Rescaling(1f / 9f, 0.5f).apply(
                new Dense(Dense.Config.of(5).activation(ActivationFunction.SOFTMAX)).apply(headIn)));

        SymbolicTensor in = Input.of(8, 8, 3);
        SymbolicTensor c1 = new Conv2D(Conv2D.Config.of(4, 3).kernelSize(3, 2).strides(2, 1).padding(Padding.SAME)
                .activation(ActivationFunction.RELU).useBias(false).kernelInitializer(KernelInitializer.HE_UNIFORM))
                .apply(in);                                                                  // (4, 8, 4)
        SymbolicTensor b1 = new BatchNormalization(BatchNormalization.Config.defaults().momentum(0.6f)
                .epsilon(1e-12f).scale(false)).apply(c1);
        SymbolicTensor a = new Add().apply(b1, block.apply(b1));
        SymbolicTensor cat = new Concatenate(2).apply(a, b1);                               // (4, 8, 8)
        SymbolicTensor p1 = new MaxPooling2D(PoolWindow.of(3, 2).strides(2, 1).padding(Padding.SAME)).apply(cat);
        SymbolicTensor c2 = new Conv2D(Conv2D.Config.of(6, 3).padding(Padding.FULL).activation(ActivationFunction.TANH)
                .kernelInitializer(KernelInitializer.FAN_IN_UNIFORM)).apply(p1);              // (4, 10, 6)
        SymbolicTensor p2 = new AveragePooling2D(2).apply(c2);                               // (2, 5, 6)
        SymbolicTensor g = new Concatenate().apply(new GlobalMaxPooling2D().apply(p2),
                new GlobalAveragePooling2D().apply(p2));                                       // (12)
        SymbolicTensor d = new Dense(Dense.Config.of(12).useBias(false).kernelInitializer(KernelInitializer.LECUN_UNIFORM))
                .apply(new Flatten().apply(p2));
        SymbolicTensor s = new Dropout(0.3f).apply(new Add().apply(g, d));
        return Model.of("every_layer", in, head.apply(s));
    }

    private static String json(Object o) throws Exception {
        return JSON.writeValueAsString(o);
    }

    private static Map<String, Object> parsed(String json) throws Exception {
        return JSON.readValue(json, new TypeReference<>() { });
    }

    @Test
    void everyLayerTypeReadsBackWhatItWrites() throws Exception {
        Set<String> types = new TreeSet<>();
        for (Map.Entry<String, Layer> e : everyLayer().namedLayers().entrySet()) {
            Layer l = e.getValue();
            if (l instanceof Model) {
                continue;
            }
            String written = json(l.config());
            Layer back = LayerRegistry.create(l.typeName(), parsed(written), "test: layer '" + e.getKey() + "'");
            assertEquals(l.getClass(), back.getClass());
            assertEquals(written, json(back.config()), e.getKey());
            types.add(l.typeName());
        }
        assertEquals(new TreeSet<>(LayerRegistry.known()), types, "the model holds every registered type");
    }

    @Test
    void aModelWithEveryLayerRebuildsAndComputesTheSame() throws Exception {
        Model m = everyLayer();
        m.initialize(12);
        String written = json(m.config());
        Model back = ModelConfig.fromConfig(parsed(written), "test");
        assertEquals(written, json(back.config()));
        assertEquals(List.copyOf(m.namedLayers().keySet()), List.copyOf(back.namedLayers().keySet()));
        // The same seed gives the same weights (and Dropout streams); then the outputs agree bit for bit.
        back.initialize(12);
        List<Param> a = m.params();
        List<Param> b = back.params();
        assertEquals(a.size(), b.size());
        for (int i = 0; i < a.size(); i++) {
            assertNotSame(a.get(i), b.get(i));
            assertArrayEquals(a.get(i).value(), b.get(i).value(), 0f, m.namedParams().keySet().toArray()[i] + "");
        }
        Rng rng = new Rng(4);
        Tensor x = Tensor.zeros(3, 8, 8, 3);
        for (int i = 0; i < x.size(); i++) {
            x.data()[i] = rng.nextFloat() * 2 - 1;
        }
        assertArrayEquals(m.forward(x, false).data(), back.forward(x, false).data(), 0f);
        assertArrayEquals(m.forward(x, true).data(), back.forward(x, true).data(), 0f, "training: dropout too");
    }
}
