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

    /** An identity layer that counts its backward calls and whether dx was asked for. */
    private static final class Probe extends BaseLayer {
        int backwards;
        int inputGradients;

        @Override
        public String typeName() {
            return "Probe";
        }

        @Override
        public Shape build(Shape in, Rng rng) {
            inputShape = in;
            outputShape = in;
            return in;
        }

        @Override
        public Tensor forward(Tensor x, boolean training) {
            return x;
        }

        @Override
        public Tensor backward(Tensor dy) {
            backwards++;
            inputGradients++;
            return dy;
        }

        @Override
        protected Tensor backwardParamsOnly(Tensor dy) {
            backwards++;
            return null;
        }

        @Override
        public List<Param> params() {
            return List.of();
        }

        @Override
        public java.util.Map<String, Object> config() {
            return java.util.Map.of();
        }
    }

    /**
     * Once the first convolution is frozen whole, nothing below the second one learns: the model
     * skips the probe's backward and asks the second convolution for no dx (airbench's whitening
     * conv after its first epochs), and every gradient that is still needed is the same bits.
     */
    @Test
    void layersBelowFrozenOnesAreSkippedAndTheOtherGradientsAreUnchanged() {
        for (boolean frozen : new boolean[]{false, true}) {
            SymbolicTensor in = Input.of(6, 6, 3);
            Conv2D first = new Conv2D(Conv2D.Config.of(4, 2));
            Probe probe = new Probe();
            Conv2D second = new Conv2D(Conv2D.Config.of(5, 3).padding(Padding.SAME).activation(ActivationFunction.TANH));
            SymbolicTensor x = second.apply(probe.apply(first.apply(in)));
            Model m = Model.of(in, new Dense(3).apply(new Flatten().apply(x)));
            m.initialize(7);
            first.kernel().setFrozen(frozen);
            first.bias().setFrozen(frozen);
            Tensor input = random(Shape.of(2, 6, 6, 3), 8);
            Tensor dy = random(Shape.of(2, 3), 9);
            m.zeroGrads();
            m.forward(input, true);
            m.backward(dy, false);
            assertEquals(frozen ? 0 : 1, probe.backwards, "probe backward calls, frozen=" + frozen);
            assertEquals(frozen ? 0 : 1, probe.inputGradients, "probe dx, frozen=" + frozen);
            if (frozen) {
                assertArrayEquals(new float[first.kernel().size()], first.kernel().grad(), 0f);
                assertArrayEquals(new float[4], first.bias().grad(), 0f);
            }
            float[] secondKernel = second.kernel().grad().clone();
            // The same model unfrozen gives the second convolution's kernel the same gradient, bit for bit.
            first.kernel().setFrozen(false);
            first.bias().setFrozen(false);
            m.zeroGrads();
            m.forward(input, true);
            m.backward(dy, false);
            assertArrayEquals(second.kernel().grad(), secondKernel, 0f);
        }
    }
}
