package dev.fovea.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.fovea.FoveaException;
import dev.fovea.tensor.Rng;
import dev.fovea.tensor.Shape;
import dev.fovea.tensor.Tensor;
import org.junit.jupiter.api.Test;

class FlattenTest {
    @Test
    void gradientsMatchFiniteDifferences() {
        GradCheck.check(PoolingLayersTest.named(new Flatten(), "flatten"), Shape.of(5, 7, 3), 2, 51);
    }

    @Test
    void flattensInNhwcOrderSharingTheData() {
        Flatten f = new Flatten();
        assertEquals(Shape.of(105), f.build(Shape.of(5, 7, 3), new Rng(0)));
        Tensor x = Tensor.zeros(2, 5, 7, 3);
        // element (n=1, h=2, w=4, c=1) sits at ((1·5 + 2)·7 + 4)·3 + 1 in NHWC
        x.data()[((1 * 5 + 2) * 7 + 4) * 3 + 1] = 7f;
        Tensor y = f.forward(x, true);
        assertEquals(Shape.of(2, 105), y.shape());
        assertSame(x.data(), y.data());
        assertEquals(7f, y.data()[105 + (2 * 7 + 4) * 3 + 1]);
        Tensor dy = Tensor.zeros(2, 105);
        Tensor dx = f.backward(dy);
        assertEquals(Shape.of(2, 5, 7, 3), dx.shape());
        assertSame(dy.data(), dx.data());
        assertEquals("Flatten", f.typeName());
    }

    @Test
    void rejectsAScalarInput() {
        Flatten f = PoolingLayersTest.named(new Flatten(), "flatten");
        FoveaException e = assertThrows(FoveaException.class,
                () -> f.build(Shape.of(), new Rng(0)));
        assertEquals("flatten: expects input of rank 2 or more (batch, ...), received input of shape (None)",
                e.getMessage());
    }
}
