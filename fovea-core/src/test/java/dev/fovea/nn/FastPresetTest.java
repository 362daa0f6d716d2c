package dev.fovea.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fovea.io.ModelFile;
import dev.fovea.tensor.Shape;
import dev.fovea.tensor.Tensor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The airbench94 network of RECIPES.md as the {@code fast} and {@code fast-small} presets. */
class FastPresetTest {
    /** Trainable weights of airbench94 with widths a, b, c on 32×32×3, counted by hand. */
    private static long trainable(int a, int b, int c) {
        long whiten = 2 * 2 * 3 * 24 + 24;
        long convs = 9L * 24 * a + 9L * a * a + 9L * a * b + 9L * b * b + 9L * b * c + 9L * c * c;
        long shifts = 2L * a + 2L * b + 2L * c; // BN shifts only: the scale is fixed at 1
        long head = c * 10L;
        return whiten + convs + shifts + head;
    }

    private static long count(Model m, boolean trainable) {
        return m.params().stream().filter(p -> p.trainable() == trainable).mapToLong(Param::size).sum();
    }

    @Test
    void hasAirbenchsLayersShapesAndParameterCounts() {
        Model fast = Presets.create("fast", 32, 32, 3, 10);
        assertEquals(1_971_640L, trainable(64, 256, 256));
        assertEquals(trainable(64, 256, 256), count(fast, true));
        assertEquals(2L * (64 + 64 + 4 * 256), count(fast, false)); // BN moving mean and variance
        Model small = Presets.create("fast-small", 32, 32, 3, 10);
        assertEquals(trainable(64, 128, 128), count(small, true));

        Conv2D whiten = (Conv2D) fast.layer(Presets.WHITEN);
        assertEquals(24, whiten.filters());
        assertEquals(Shape.of(31, 31, 24), whiten.outputShape());
        // floor pooling: 31 → 15 → 7 → 3, then the 3×3 pool to 1×1
        List<Integer> pooled = fast.layers().stream().filter(l -> l instanceof MaxPooling2D)
                .map(l -> ((BaseLayer) l).outputShape().dim(0)).toList();
        assertEquals(List.of(15, 7, 3, 1), pooled);
        for (Layer l : fast.layers()) {
            if (l instanceof BatchNormalization bn) {
                assertEquals(0.6f, bn.momentum());
                assertEquals(1e-12f, bn.epsilon());
            }
            if (l instanceof Conv2D c && c != whiten) {
                assertEquals(1, c.params().size(), c.name() + " has no bias");
            }
        }
        Rescaling head = (Rescaling) fast.layers().get(fast.layers().size() - 1);
        assertEquals(1f / 9f, head.scale());
        assertEquals(Shape.of(10), fast.outputShape());
    }

    @Test
    void kernelsStartFromPyTorchsFanInUniform() {
        Model fast = Presets.create("fast", 32, 32, 3, 10);
        fast.initialize(3);
        Conv2D wide = (Conv2D) fast.layer("conv2d_3"); // 256 → 256, fan-in 9·256
        float[] k = wide.params().get(0).value();
        double limit = 1 / Math.sqrt(9 * 256.0);
        double max = 0;
        double sumSq = 0;
        for (float v : k) {
            max = Math.max(max, Math.abs(v));
            sumSq += v * v;
        }
        assertTrue(max <= limit, "all within ±1/√fan_in");
        assertTrue(max > 0.99 * limit, "the range is used");
        // uniform on ±L has variance L²/3
        assertEquals(limit * limit / 3, sumSq / k.length, 0.02 * limit * limit / 3);
    }

    @Test
    void survivesTheModelFile(@TempDir Path dir) throws java.io.IOException {
        Model fast = Presets.create("fast-small", 32, 32, 3, 10);
        fast.initialize(5);
        Path file = dir.resolve("fast.safetensors");
        ModelFile.save(file, fast, ModelFile.Info.of(List.of()));
        Model back = ModelFile.load(file).model();
        Tensor x = Tensor.zeros(2, 32, 32, 3);
        for (int i = 0; i < x.data().length; i++) {
            x.data()[i] = (float) Math.sin(i * 0.37);
        }
        float[] a = fast.forward(x, false).data().clone();
        float[] b = back.forward(x, false).data();
        assertEquals(java.util.Arrays.toString(a), java.util.Arrays.toString(b));
        assertTrue(Files.size(file) > 0);
        assertEquals(KernelInitializer.FAN_IN_UNIFORM,
                ((Conv2D) back.layer("conv2d")).config().get("kernel_initializer") == null ? null
                        : KernelInitializer.parse((String) ((Conv2D) back.layer("conv2d")).config().get("kernel_initializer")));
    }
}
