package dev.fovea.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.fovea.FoveaException;
import dev.fovea.tensor.Rng;
import dev.fovea.tensor.Shape;
import dev.fovea.tensor.Tensor;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RescalingTest {
    @Test
    void gradientsMatchFiniteDifferences() {
        GradCheck.check(PoolingLayersTest.named(new Rescaling(1f / 9f, 0.5f), "rescaling"), Shape.of(3, 4, 2), 2, 7);
    }

    @Test
    void scalesThenOffsetsAsKeras() {
        Rescaling r = new Rescaling(0.5f, -1f);
        assertEquals(Shape.of(3), r.build(Shape.of(3), new Rng(0)));
        Tensor x = new Tensor(Shape.of(1, 3), new float[]{2f, -4f, 9f});
        assertArrayEquals(new float[]{0f, -3f, 3.5f}, r.forward(x, true).data());
        Tensor dy = new Tensor(Shape.of(1, 3), new float[]{1f, 2f, -6f});
        assertArrayEquals(new float[]{0.5f, 1f, -3f}, r.backward(dy).data());
    }

    @Test
    void rebuildsFromItsConfig() {
        Rescaling r = new Rescaling(1f / 9f);
        Map<String, Object> c = r.config();
        Rescaling back = (Rescaling) LayerRegistry.create("Rescaling", c, "layer rescaling");
        assertEquals(1f / 9f, back.scale());
        assertEquals(0f, back.offset());
    }

    @Test
    void refusesANonFiniteScale() {
        FoveaException e = assertThrows(FoveaException.class, () -> new Rescaling(Float.NaN));
        assertEquals("Rescaling: scale and offset must be finite, received scale=NaN, offset=0.0", e.getMessage());
    }
}
