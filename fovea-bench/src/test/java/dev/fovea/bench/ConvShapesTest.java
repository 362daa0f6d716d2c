package dev.fovea.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fovea.kernel.window.WindowGeometry;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.openjdk.jmh.annotations.Param;

/** The benchmark's shape table against shapes, sizes and FLOP counts worked out by hand. */
class ConvShapesTest {
    @Test
    void benchmarkParamListsEveryShapeOfTheTableInOrder() throws NoSuchFieldException {
        String[] param = ConvBench.class.getField("shape").getAnnotation(Param.class).value();
        assertEquals(ConvShapes.names(), List.of(param));
    }

    @Test
    void tutorialShapesAreTheSixConvsOfTheTutorialCnnAtBatch128And32() {
        // {input size, input channels, filters}: 3x3 same, so the output keeps the input size.
        int[][] layers = {{32, 3, 32}, {32, 32, 32}, {16, 32, 64}, {16, 64, 64}, {8, 64, 128}, {8, 128, 128}};
        for (int batch : new int[]{128, 32}) {
            for (int i = 0; i < 6; i++) {
                ConvShape s = ConvShapes.byName("tutorial" + (i + 1) + "-b" + batch);
                WindowGeometry g = s.geometry();
                String what = s.name();
                assertEquals(batch, s.n(), what);
                assertEquals(layers[i][0], g.h(), what);
                assertEquals(layers[i][1], s.c(), what);
                assertEquals(layers[i][2], s.f(), what);
                assertEquals(layers[i][0], g.oh(), what);
                assertEquals(layers[i][0], g.ow(), what);
                assertEquals(3, g.kh(), what);
                assertEquals(1, g.padTop(), what); // same 3x3: one zero row above, one below
                assertTrue(s.bias() && s.relu(), what + ": Conv2D(f, 3, SAME, RELU) has a bias and a fused ReLU");
            }
        }
    }

    @Test
    void flopCountsMatchHandComputedValues() {
        // 2 * 128 * 32*32 * 3*3 * 3 * 32 = 2 * 128 * 1024 * 864
        assertEquals(226_492_416.0, ConvShapes.byName("tutorial1-b128").flops());
        // 2 * 32 * 8*8 * 3*3 * 128 * 128 = 4096 * 147456
        assertEquals(603_979_776.0, ConvShapes.byName("tutorial6-b32").flops());
        // whitening: 2 * 1024 * 31*31 * 2*2 * 3 * 24 = 2 * 1024 * 961 * 288
        ConvShape w = ConvShapes.byName("fast-whiten-b1024");
        assertEquals(31, w.geometry().oh());
        assertEquals(0, w.geometry().padTop());
        assertEquals(566_820_864.0, w.flops());
        // wide: 2 * 128 * 16*16 * 9 * 64 * 256
        assertEquals(2.0 * 128 * 256 * 9 * 64 * 256, ConvShapes.byName("wide-64to256-b128").flops());
        assertEquals(9_663_676_416.0, ConvShapes.byName("wide-64to256-b128").flops());
    }

    @Test
    void tutorialConvsAddUpToTheRecipesMultiplyAddsPerImage() {
        long convs = 0;
        for (int i = 1; i <= 6; i++) {
            convs += ConvShapes.byName("tutorial" + i + "-b128").macsPerImage();
        }
        // 1024*27*32 + 1024*288*32 + 256*288*64 + 256*576*64 + 64*576*128 + 64*1152*128
        assertEquals(38_633_472L, convs);
        long dense = 2048L * 1024 + 1024L * 10; // Flatten (4x4x128) -> Dense 1024 -> Dense 10
        assertEquals(40.7, Math.round((convs + dense) / 1e5) / 10.0, "RECIPES.md: 40.7 M multiply-adds per image");
    }

    @Test
    void fastConvsAddUpToTheRecipesMultiplyAddsAndShare() {
        int[][] expected = {{32, 3, 24}, {31, 24, 64}, {15, 64, 64}, {15, 64, 256}, {7, 256, 256}, {7, 256, 256},
            {3, 256, 256}};
        List<ConvShape> fast = ConvShapes.ALL.stream().filter(s -> s.group().equals("fast")).toList();
        assertEquals(expected.length, fast.size());
        long total = 0;
        for (int i = 0; i < expected.length; i++) {
            ConvShape s = fast.get(i);
            assertEquals(1024, s.n(), s.name());
            assertEquals(expected[i][0], s.h(), s.name());
            assertEquals(expected[i][1], s.c(), s.name());
            assertEquals(expected[i][2], s.f(), s.name());
            assertEquals(i == 0, s.bias(), s.name() + ": only the whitening conv has a bias");
            assertEquals(false, s.relu(), s.name() + ": GELU follows BN, nothing is fused");
            total += s.macsPerImage();
        }
        assertEquals(118_144_800L, total);
        long head = 256L * 10;
        assertEquals(118.1, Math.round((total + head) / 1e5) / 10.0, "RECIPES.md: 118.1 M multiply-adds per image");
        long blocks23 = fast.get(3).macsPerImage() + fast.get(4).macsPerImage() + fast.get(5).macsPerImage();
        assertEquals(77, Math.round(100.0 * blocks23 / (total + head)),
                "RECIPES.md: 77% in block 2 and block 3's first convs");
    }

    @Test
    void unknownNameSaysWhichNamesExist() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ConvShapes.byName("tutorial7"));
        assertTrue(e.getMessage().contains("'tutorial7'") && e.getMessage().contains("fast-g3b-b1024"), e.getMessage());
    }
}
