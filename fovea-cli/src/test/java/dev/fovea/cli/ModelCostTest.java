package dev.fovea.cli;

import static dev.fovea.nn.Padding.SAME;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fovea.io.ReferenceFiles;
import dev.fovea.nn.Conv2D;
import dev.fovea.nn.Dense;
import dev.fovea.nn.Flatten;
import dev.fovea.nn.Input;
import dev.fovea.nn.MaxPooling2D;
import dev.fovea.nn.Model;
import java.util.List;
import org.junit.jupiter.api.Test;

/** MACs and activation memory at batch 1, worked out by hand from the layer shapes. */
class ModelCostTest {
    @Test
    void aSmallChainCountsByHand() {
        var in = Input.of(8, 8, 3);
        var x = new Conv2D(4, 3, SAME, dev.fovea.nn.ActivationFunction.RELU).apply(in);
        x = new MaxPooling2D(2).apply(x);
        x = new Flatten().apply(x);
        Model m = Model.of(in, new Dense(5).apply(x));
        // conv: 8·8 outputs × 3·3·3 window × 4 filters = 6,912 MACs, 8·8·4 = 256 outputs; pool 4·4·4 = 64;
        // flatten 64; dense 64·5 = 320 MACs, 5 outputs.
        assertEquals(List.of(new ModelCost.Row("conv2d", "Conv2D", 6912, 256),
                new ModelCost.Row("max_pooling2d", "MaxPooling2D", 0, 64), new ModelCost.Row("flatten", "Flatten", 0, 64),
                new ModelCost.Row("dense", "Dense", 320, 5)), ModelCost.of(m));
        String text = ModelCost.text(m);
        assertTrue(text.contains(" Total MACs: 7,232 (0.01 M) per image\n"), text);
        assertTrue(text.contains(" Activations at batch 1: 389 floats (1.52 KB)\n"), text);
    }

    /** A depthwise convolution reads one channel's window per output: 4·4 · 3·3 · (2 channels × 3) MACs. */
    @Test
    void aDepthwiseConvolutionCountsOneChannelPerOutput() {
        var in = Input.of(4, 4, 2);
        Model m = Model.of(in, new dev.fovea.nn.DepthwiseConv2D(3, 3, 1, 1, dev.fovea.nn.Padding.SAME, 3,
                dev.fovea.nn.ActivationFunction.LINEAR, true, dev.fovea.nn.KernelInitializer.GLOROT_UNIFORM).apply(in));
        assertEquals(List.of(new ModelCost.Row("depthwise_conv2d", "DepthwiseConv2D", 4 * 4 * 9 * 6, 4 * 4 * 6)),
                ModelCost.of(m));
    }

    /**
     * The imported real Keras model, through {@code fovea summary}: convolutions of 32·32·5·5·3·32,
     * 16·16·5·5·32·32 and 7·7·5·5·32·64 MACs and the dense 576·10: 11,525,760 in total.
     */
    @Test
    void theRealKerasModelsSummaryCountsItsMacs() {
        CliRun r = CliRun.of("summary", "--model", ReferenceFiles.shared().resolve("models/sylvain-cifar10-bn.h5")
                .toString(), "--rescale", "1/255");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains(" Total MACs: 11,525,760 (11.53 M) per image\n"), r.out());
        assertTrue(r.out().contains("2,457,600") && r.out().contains("6,553,600") && r.out().contains("2,508,800"),
                r.out());
        // Outputs: 32·32·32, 16·16·32 twice (pool, BN), 16·16·32, 7·7·32 twice, 7·7·64, 3·3·64, 576, 10.
        long acts = 32 * 32 * 32 + 3 * 16 * 16 * 32 + 2 * 7 * 7 * 32 + 7 * 7 * 64 + 3 * 3 * 64 + 576 + 10;
        assertTrue(r.out().contains(String.format(java.util.Locale.ROOT, " Activations at batch 1: %,d floats", acts)),
                r.out());
    }
}
