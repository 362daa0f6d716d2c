package dev.fovea.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.fovea.nn.ActivationFunction;
import dev.fovea.nn.Conv2D;
import dev.fovea.nn.Dense;
import dev.fovea.nn.Flatten;
import dev.fovea.nn.Input;
import dev.fovea.nn.Model;
import dev.fovea.nn.Padding;
import dev.fovea.nn.Presets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The FLOP counts bench divides time into, against counts worked out by hand from the layer shapes. */
class FlopsTest {
    private static Map<String, Flops.LayerFlops> byName(List<Flops.LayerFlops> l) {
        Map<String, Flops.LayerFlops> m = new LinkedHashMap<>();
        l.forEach(f -> m.put(f.name(), f));
        return m;
    }

    @Test
    void tutorialCnnCountsMatchTheHandComputedProducts() {
        Model m = Presets.tutorialCnn(32, 32, 3, 10, 0.2f, ActivationFunction.SOFTMAX);
        m.initialize(0);
        Map<String, Flops.LayerFlops> f = byName(Flops.of(m));
        assertEquals(m.layers().size(), f.size());
        // 2·OH·OW·KH·KW·C·F: 2·32·32·3·3·3·32, 2·32·32·9·32·32, 2·16·16·9·32·64, 2·16·16·9·64·64, 2·8·8·9·64·128, 2·8·8·9·128·128
        long[] conv = {1_769_472L, 18_874_368L, 9_437_184L, 18_874_368L, 9_437_184L, 18_874_368L};
        String[] names = {"conv2d", "conv2d_1", "conv2d_2", "conv2d_3", "conv2d_4", "conv2d_5"};
        for (int i = 0; i < 6; i++) {
            assertEquals(conv[i], f.get(names[i]).forward(), names[i]);
            // The first convolution reads the model input: weight gradient only; the others also compute dx.
            assertEquals(i == 0 ? conv[i] : 2 * conv[i], f.get(names[i]).backward(), names[i]);
        }
        assertEquals(2L * 2048 * 1024, f.get("dense").forward());
        assertEquals(2L * 2 * 2048 * 1024, f.get("dense").backward());
        assertEquals(2L * 1024 * 10, f.get("dense_1").forward());
        assertEquals(0, f.get("batch_normalization").forward());
        assertEquals(0, f.get("max_pooling2d").backward());
        List<Flops.LayerFlops> all = Flops.of(m);
        // 77,266,944 in the convolutions + 4,214,784 in the dense layers: the 0.081 GFLOP
        assertEquals(81_481_728L, Flops.forward(all));
        // 3 × forward less the first convolution's data gradient: the 0.243 GFLOP
        assertEquals(3 * 81_481_728L - 1_769_472L, Flops.training(all));
        assertEquals(242_675_712L, Flops.training(all));
    }

    @Test
    void stridedValidConvolutionUsesItsOutputSize() {
        // 9×9×2, 3×3 kernel, stride 2, valid: (9−3)/2+1 = 4 per axis → 2·4·4·3·3·2·4 = 2,304
        var x = Input.of(9, 9, 2);
        var h = new Conv2D(Conv2D.Config.of(4, 3).strides(2).padding(Padding.VALID)).apply(x);
        h = new Conv2D(Conv2D.Config.of(4, 3).strides(2).padding(Padding.VALID)).apply(h);
        h = new Flatten().apply(h);
        h = new Dense(3, ActivationFunction.SOFTMAX).apply(h);
        Model m = Model.of(x, h);
        m.initialize(0);
        List<Flops.LayerFlops> f = Flops.of(m);
        assertEquals(2304, f.get(0).forward());
        assertEquals(2304, f.get(0).backward());
        // second: 4×4×4 in → (4−3)/2+1 = 1 per axis: 2·1·1·3·3·4·4 = 288; dx and dW
        assertEquals(288, f.get(1).forward());
        assertEquals(576, f.get(1).backward());
        assertEquals(2 * 4 * 3, f.get(3).forward());
        assertEquals(2304 + 288 + 24, Flops.forward(f));
    }

    /**
     * A nested model is one row holding its layers' counts, and its first layer is the one
     * reading the model input (no dx). By hand: 8×8×3 → [block: Conv2D 4 3×3 valid → 6×6×4,
     * Conv2D 2 1×1 → 6×6×2] → Flatten (72) → Dense 5.
     */
    @Test
    void aNestedModelsLayersAreCountedInItsRow() {
        Model block = Model.sequential("block", Input.of(8, 8, 3),
                List.of(new Conv2D(4, 3), new Conv2D(2, 1)));
        var x = Input.of(8, 8, 3);
        Model m = Model.of(x, new Dense(5).apply(new Flatten().apply(block.apply(x))));
        List<Flops.LayerFlops> f = Flops.of(m);
        assertEquals(List.of("block", "flatten", "dense"), f.stream().map(Flops.LayerFlops::name).toList());
        long conv = 2L * 6 * 6 * 3 * 3 * 3 * 4;   // 7,776; reads the model input: backward = forward
        long pointwise = 2L * 6 * 6 * 1 * 1 * 4 * 2; // 576; backward dW and dx
        long dense = 2L * 72 * 5;                  // 720
        assertEquals(7_776 + 576, f.get(0).forward());
        assertEquals(conv + pointwise, f.get(0).forward());
        assertEquals(conv + 2 * pointwise, f.get(0).backward());
        assertEquals(0, f.get(1).forward());
        assertEquals(dense, f.get(2).forward());
        assertEquals(2 * dense, f.get(2).backward());
        assertEquals(9_072, Flops.forward(f));
        assertEquals(9_072 + 7_776 + 1_152 + 1_440, Flops.training(f));
    }
}
