package dev.fovea.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fovea.tensor.Rng;
import dev.fovea.tensor.Shape;
import dev.fovea.tensor.Tensor;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A frozen kernel or bias of a Conv2D gets no gradient; the others' gradients and dx are unchanged. */
class Conv2DFrozenTest {

    private static Tensor random(Shape s, long seed) {
        Rng r = new Rng(seed);
        float[] d = new float[s.size()];
        for (int i = 0; i < d.length; i++) {
            d[i] = r.nextFloat() * 2 - 1;
        }
        return new Tensor(s, d);
    }

    @Test
    void frozenParametersGetNoGradient() {
        Conv2D conv = new Conv2D(Conv2D.Config.of(4, 3).padding(Padding.SAME).activation(ActivationFunction.TANH));
        conv.setName("conv");
        conv.build(Shape.of(5, 6, 3), new Rng(2));
        Tensor x = random(Shape.of(2, 5, 6, 3), 3);
        Tensor dy = random(Shape.of(2, 5, 6, 4), 4);
        conv.forward(x, true);
        float[] dx = conv.backward(dy).data().clone();
        float[] dbias = conv.bias().grad().clone();
        assertTrue(Arrays.stream(new double[]{dbias[0], dbias[1]}).allMatch(v -> v != 0), "a bias gradient to compare");

        Arrays.fill(conv.kernel().grad(), 0f);
        Arrays.fill(conv.bias().grad(), 0f);
        conv.kernel().setFrozen(true);
        conv.forward(x, true);
        assertArrayEquals(dx, conv.backward(dy).data(), 0f, "dx does not depend on freezing");
        assertArrayEquals(new float[conv.kernel().size()], conv.kernel().grad(), 0f, "frozen kernel: no gradient");
        for (int f = 0; f < 4; f++) {
            assertEquals(dbias[f], conv.bias().grad()[f], 1e-6f * Math.max(1f, Math.abs(dbias[f])), "bias gradient " + f);
        }

        Arrays.fill(conv.bias().grad(), 0f);
        conv.bias().setFrozen(true);
        conv.forward(x, true);
        List<Tensor> none = conv.backward(dy, false);
        assertEquals(null, none.get(0), "no input gradient asked");
        assertArrayEquals(new float[4], conv.bias().grad(), 0f, "frozen bias: no gradient");
        assertArrayEquals(new float[conv.kernel().size()], conv.kernel().grad(), 0f);
    }
}
