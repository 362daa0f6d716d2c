package dev.fovea.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fovea.FoveaException;
import dev.fovea.nn.ConvArithmetic.Axis;
import dev.fovea.nn.ConvArithmetic.Kind;
import dev.fovea.nn.ConvArithmetic.Window;
import dev.fovea.tensor.Rng;
import dev.fovea.tensor.Shape;
import dev.fovea.tensor.Tensor;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ConvArithmeticTest {

    private static void axis(Padding p, int n, int k, int s, int out, int before, int after, String formula) {
        Axis a = new Axis(n, k, s, p);
        assertEquals(out, a.out(), formula);
        assertEquals(before, a.padBefore(), formula);
        assertEquals(after, a.padAfter(), formula);
        assertEquals(formula, a.formula());
    }

    @Test
    void validSameFullWithStridesOneAndTwo() {
        // Hand-computed: valid floor((n−k)/s)+1, same ceil(n/s), full floor((n+k−2)/s)+1.
        axis(Padding.VALID, 32, 3, 1, 30, 0, 0, "valid padding, stride 1: out = floor((32 − 3)/1) + 1 = 30 (N − K + 1)");
        axis(Padding.VALID, 32, 3, 2, 15, 0, 0, "valid padding, stride 2: out = floor((32 − 3)/2) + 1 = 15");
        axis(Padding.VALID, 32, 5, 1, 28, 0, 0, "valid padding, stride 1: out = floor((32 − 5)/1) + 1 = 28 (N − K + 1)");
        axis(Padding.SAME, 32, 3, 1, 32, 1, 1,
                "same padding, stride 1: out = ceil(32/1) = 32 (N), zero-padded 1 before + 1 after");
        // (16 − 1)·2 + 3 − 32 = 1 pixel of padding, the odd one after (TensorFlow's rule).
        axis(Padding.SAME, 32, 3, 2, 16, 0, 1,
                "same padding, stride 2: out = ceil(32/2) = 16, zero-padded 0 before + 1 after");
        axis(Padding.SAME, 7, 3, 2, 4, 1, 1, "same padding, stride 2: out = ceil(7/2) = 4, zero-padded 1 before + 1 after");
        axis(Padding.SAME, 32, 2, 2, 16, 0, 0, "same padding, stride 2: out = ceil(32/2) = 16");
        axis(Padding.FULL, 32, 3, 1, 34, 2, 2,
                "full padding, stride 1: out = floor((32 + 3 − 2)/1) + 1 = 34 (N + K − 1), zero-padded 2 before + 2 after");
        axis(Padding.FULL, 32, 3, 2, 17, 2, 2,
                "full padding, stride 2: out = floor((32 + 3 − 2)/2) + 1 = 17, zero-padded 2 before + 2 after");
        axis(Padding.FULL, 5, 5, 1, 9, 4, 4,
                "full padding, stride 1: out = floor((5 + 5 − 2)/1) + 1 = 9 (N + K − 1), zero-padded 4 before + 4 after");
    }

    @Test
    void fiveByFiveConvAgainstDenseLayer() {
        SymbolicTensor in = Input.of(32, 32, 3);
        Model m = Model.of(in, new Conv2D(64, 5).apply(in));
        List<Window> ws = ConvArithmetic.of(m);
        assertEquals(1, ws.size());
        Window w = ws.get(0);
        assertEquals(Kind.CONV, w.kind());
        assertEquals("conv2d", w.layer());
        assertEquals(Shape.of(28, 28, 64), w.out());
        assertEquals(4_800, w.kernelWeights());               // 5·5·3·64
        assertEquals(64, w.biases());
        assertEquals(154_140_672L, w.denseWeights());         // 3,072 · 50,176
        assertEquals(784, w.gemmRowsPerImage());              // 28·28
        assertEquals(75, w.gemmInner());                      // 5·5·3
        assertEquals(3_763_200L, w.multiplyAddsPerImage());   // 784·75·64
        assertEquals("154,140,672 (154 million)", ConvArithmetic.count(w.denseWeights()));
        assertEquals("4,800", ConvArithmetic.count(4_800));
        assertEquals("1,677,721,600 (1.7 billion)", ConvArithmetic.count(1_677_721_600L));
        assertEquals("4,718,592 (4.7 million)", ConvArithmetic.count(4_718_592L));
    }

    @Test
    void stridedConvPoolsAndNestedModels() {
        SymbolicTensor in = Input.of(9, 8, 2);
        SymbolicTensor x = new Conv2D(Conv2D.Config.of(4, 3).strides(2, 1).padding(Padding.SAME)
                .activation(ActivationFunction.RELU).useBias(false)).apply(in);
        x = new AveragePooling2D(PoolWindow.of(3, 2).strides(2).padding(Padding.SAME)).apply(x);
        Model inner = Model.of("inner", in, x);
        SymbolicTensor outer = Input.of(9, 8, 2);
        SymbolicTensor y = inner.apply(outer);
        y = new MaxPooling2D(2).apply(y);
        List<Window> ws = ConvArithmetic.of(Model.of(outer, y));
        assertEquals(3, ws.size());
        Window conv = ws.get(0);
        assertEquals(Shape.of(5, 8, 4), conv.out());          // ceil(9/2), ceil(8/1)
        assertEquals(3 * 3 * 2 * 4, conv.kernelWeights());
        assertEquals(0, conv.biases());
        assertEquals((long) 9 * 8 * 2 * 5 * 8 * 4, conv.denseWeights());
        Window avg = ws.get(1);
        assertEquals(Kind.AVERAGE_POOL, avg.kind());
        assertEquals(Shape.of(3, 4, 4), avg.out());           // ceil(5/2), ceil(8/2)
        assertEquals(0, avg.kernelWeights());
        assertEquals(3, avg.kernelH());
        Window max = ws.get(2);
        assertEquals(Kind.MAX_POOL, max.kind());
        assertEquals(Shape.of(1, 2, 4), max.out());           // floor((3−2)/2)+1, floor((4−2)/2)+1
        assertEquals("valid padding, stride 2: out = floor((3 − 2)/2) + 1 = 1", max.height().formula());
    }

    @Test
    void forwardCollectMatchesLayerByLayer() {
        SymbolicTensor in = Input.of(6, 5, 2);
        Conv2D conv = new Conv2D(3, 3, Padding.SAME, ActivationFunction.RELU);
        MaxPooling2D pool = new MaxPooling2D(2);
        Dense dense = new Dense(4);
        Model m = Model.of(in, dense.apply(new Flatten().apply(pool.apply(conv.apply(in)))));
        m.initialize(7);
        Rng rng = new Rng(3);
        Tensor x = Tensor.zeros(2, 6, 5, 2);
        for (int i = 0; i < x.size(); i++) {
            x.data()[i] = rng.nextFloat() * 2 - 1;
        }
        Map<String, Tensor> got = m.forwardCollect(x, Set.of("max_pooling2d", "conv2d"));
        assertEquals(List.of("conv2d", "max_pooling2d"), List.copyOf(got.keySet()));
        float[] c = conv.forward(x, false).data().clone();
        float[] p = pool.forward(new Tensor(Shape.of(2, 6, 5, 3), c), false).data().clone();
        assertArrayEquals(c, got.get("conv2d").data());
        assertArrayEquals(p, got.get("max_pooling2d").data());
        assertEquals(Shape.of(2, 3, 2, 3), got.get("max_pooling2d").shape());
        // Copies: a later forward must not change what was returned.
        Tensor before = got.get("conv2d");
        m.forward(Tensor.zeros(2, 6, 5, 2), false);
        assertArrayEquals(c, before.data());
        assertNotSame(before.data(), conv.forward(x, false).data());

        FoveaException e = assertThrows(FoveaException.class,
                () -> m.forwardCollect(x, Set.of("conv2d_9")));
        assertTrue(e.getMessage().contains("no layer named [conv2d_9]"), e.getMessage());
        assertTrue(e.getMessage().contains("max_pooling2d"), e.getMessage());
    }
}
