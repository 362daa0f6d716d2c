package dev.fovea.bench;

import dev.fovea.nn.ActivationFunction;
import dev.fovea.nn.Layer;
import dev.fovea.nn.Model;
import dev.fovea.nn.Presets;
import dev.fovea.tensor.Rng;
import dev.fovea.tensor.Tensor;
import java.util.List;
import java.util.Locale;

/**
 * Where a training step of the tutorial CNN spends its time: forward and backward of each layer
 * at one batch size, best of several rounds. Run:
 * {@code java --add-modules jdk.incubator.vector -cp fovea-bench/target/fovea-benchmarks.jar dev.fovea.bench.StepProfile 128}.
 */
public final class StepProfile {
    private StepProfile() {
    }

    public static void main(String[] args) {
        int batch = args.length > 0 ? Integer.parseInt(args[0]) : 128;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 8;
        Model m = Presets.tutorialCnn(32, 32, 3, 10, 0.2f, ActivationFunction.SOFTMAX);
        List<Layer> layers = m.layers();
        int n = layers.size();
        Tensor[] in = new Tensor[n];
        long[] fwd = new long[n];
        long[] bwd = new long[n];
        java.util.Arrays.fill(fwd, Long.MAX_VALUE);
        java.util.Arrays.fill(bwd, Long.MAX_VALUE);
        Rng r = new Rng(1);
        Tensor x = Tensor.zeros(batch, 32, 32, 3);
        for (int i = 0; i < x.size(); i++) {
            x.data()[i] = r.nextFloat();
        }
        for (int round = 0; round < rounds; round++) {
            Tensor h = x;
            for (int i = 0; i < n; i++) {
                Layer l = layers.get(i);
                in[i] = h;
                long t = System.nanoTime();
                h = l.forward(h, true);
                fwd[i] = Math.min(fwd[i], System.nanoTime() - t);
            }
            Tensor g = Tensor.zeros(h.shape());
            for (int i = 0; i < g.size(); i++) {
                g.data()[i] = (r.nextFloat() - 0.5f) * 1e-2f;
            }
            for (int i = n - 1; i >= 0; i--) {
                Layer l = layers.get(i);
                long t = System.nanoTime();
                g = l.backward(g, i > 0).get(0);
                bwd[i] = Math.min(bwd[i], System.nanoTime() - t);
            }
        }
        long tf = 0;
        long tb = 0;
        for (int i = 0; i < n; i++) {
            Layer l = layers.get(i);
            System.out.printf(Locale.ROOT, "%-24s fwd %8.2f ms  bwd %8.2f ms%n", l.name(), fwd[i] / 1e6, bwd[i] / 1e6);
            tf += fwd[i];
            tb += bwd[i];
        }
        System.out.printf(Locale.ROOT, "total fwd %.1f ms, bwd %.1f ms, step %.1f ms = %.0f images/s (batch %d)%n",
                tf / 1e6, tb / 1e6, (tf + tb) / 1e6, batch / ((tf + tb) / 1e9), batch);
    }
}
