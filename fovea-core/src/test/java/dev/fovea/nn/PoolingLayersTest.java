package dev.fovea.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.fovea.FoveaException;
import dev.fovea.tensor.Rng;
import dev.fovea.tensor.Shape;
import dev.fovea.tensor.Tensor;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PoolingLayersTest {
    private static final Shape IMAGE = Shape.of(5, 7, 3);

    @Test
    void maxPoolingGradientsMatchFiniteDifferences() {
        GradCheck.check(named(new MaxPooling2D(2), "max_pooling2d"), IMAGE, 2, 21);
        GradCheck.check(named(new MaxPooling2D(PoolWindow.of(3).strides(2).padding(Padding.SAME)),
                "max_pooling2d_1"), IMAGE, 2, 22);
        GradCheck.check(named(new MaxPooling2D(PoolWindow.of(2, 3).strides(2)), "max_pooling2d_2"), IMAGE, 2, 23);
        GradCheck.check(named(new MaxPooling2D(PoolWindow.of(2).padding(Padding.SAME)), "max_pooling2d_3"), IMAGE, 2, 24);
    }

    @Test
    void averagePoolingGradientsMatchFiniteDifferences() {
        GradCheck.check(named(new AveragePooling2D(2), "average_pooling2d"), IMAGE, 2, 31);
        GradCheck.check(named(new AveragePooling2D(PoolWindow.of(3).strides(2).padding(Padding.SAME)),
                "average_pooling2d_1"), IMAGE, 2, 32);
        GradCheck.check(named(new AveragePooling2D(PoolWindow.of(3, 2).strides(2)), "average_pooling2d_2"), IMAGE, 2, 33);
        GradCheck.check(named(new AveragePooling2D(PoolWindow.of(2).padding(Padding.SAME)),
                "average_pooling2d_3"), IMAGE, 2, 34);
    }

    @Test
    void globalPoolingGradientsMatchFiniteDifferences() {
        GradCheck.check(named(new GlobalMaxPooling2D(), "global_max_pooling2d"), IMAGE, 2, 41);
        GradCheck.check(named(new GlobalAveragePooling2D(), "global_average_pooling2d"), IMAGE, 2, 42);
    }

    @Test
    void outputShapesFollowKeras() {
        Rng rng = new Rng(1);
        assertEquals(Shape.of(2, 3, 3), new MaxPooling2D(2).build(IMAGE, rng));
        assertEquals(Shape.of(3, 4, 3), new MaxPooling2D(PoolWindow.of(3).strides(2).padding(Padding.SAME))
                .build(IMAGE, rng));
        assertEquals(Shape.of(2, 3, 3), new AveragePooling2D(PoolWindow.of(3).strides(2)).build(IMAGE, rng));
        assertEquals(Shape.of(3), new GlobalMaxPooling2D().build(IMAGE, rng));
        assertEquals(Shape.of(3), new GlobalAveragePooling2D().build(IMAGE, rng));
    }

    @Test
    void sameAveragePoolingDividesByValidElements() {
        AveragePooling2D pool = new AveragePooling2D(PoolWindow.of(2).padding(Padding.SAME));
        pool.build(Shape.of(3, 3, 1), new Rng(0));
        Tensor x = new Tensor(Shape.of(1, 3, 3, 1), new float[]{1, 2, 3, 4, 5, 6, 7, 8, 9});
        assertArrayEquals(new float[]{3f, 4.5f, 7.5f, 9f}, pool.forward(x, false).data());
        GlobalAveragePooling2D g = new GlobalAveragePooling2D();
        g.build(Shape.of(3, 3, 1), new Rng(0));
        assertArrayEquals(new float[]{5f}, g.forward(x, false).data());
    }

    @Test
    void invalidSettingsAndShapesAreRejectedWithKerasStyleMessages() {
        FoveaException e = assertThrows(FoveaException.class,
                () -> named(new MaxPooling2D(2), "max_pooling2d").build(Shape.of(10), new Rng(0)));
        assertEquals("max_pooling2d: expects input of rank 4 (batch, height, width, channels), received input "
                + "of shape (None, 10); add a Reshape or use it after a Conv2D", e.getMessage());
        e = assertThrows(FoveaException.class,
                () -> named(new AveragePooling2D(3), "average_pooling2d").build(Shape.of(2, 8, 4), new Rng(0)));
        assertEquals("average_pooling2d: pool_size (3, 3) does not fit input of shape (None, 2, 8, 4) with padding"
                + " 'valid'; computed output size would be (0, 2); use padding 'same' or a smaller pool", e.getMessage());
        e = assertThrows(FoveaException.class, () -> new MaxPooling2D(PoolWindow.of(2).padding(Padding.FULL)));
        assertEquals("pooling padding must be 'valid' or 'same', received 'full'", e.getMessage());
        e = assertThrows(FoveaException.class, () -> new AveragePooling2D(0));
        assertEquals("pool_size and strides must be positive, received pool_size=(0, 0), strides=(0, 0)",
                e.getMessage());
        e = assertThrows(FoveaException.class,
                () -> named(new GlobalAveragePooling2D(), "gap").build(Shape.of(4, 4), new Rng(0)));
        assertEquals("gap: expects input of rank 4 (batch, height, width, channels), received input of shape "
                + "(None, 4, 4); add a Reshape or use it after a Conv2D", e.getMessage());
    }

    @Test
    void configUsesKerasNames() {
        MaxPooling2D m = new MaxPooling2D(PoolWindow.of(3, 2).strides(2, 1).padding(Padding.SAME));
        assertEquals("MaxPooling2D", m.typeName());
        assertEquals("AveragePooling2D", new AveragePooling2D(2).typeName());
        assertEquals("GlobalMaxPooling2D", new GlobalMaxPooling2D().typeName());
        assertEquals("GlobalAveragePooling2D", new GlobalAveragePooling2D().typeName());
        Map<String, Object> c = m.config();
        assertEquals(List.of(3, 2), c.get("pool_size"));
        assertEquals(List.of(2, 1), c.get("strides"));
        assertEquals("same", c.get("padding"));
        assertEquals(false, new GlobalMaxPooling2D().config().get("keepdims"));
    }

    static <L extends Layer> L named(L layer, String name) {
        layer.setName(name);
        return layer;
    }
}
