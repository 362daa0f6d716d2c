package dev.fovea.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fovea.loss.Reduction;
import dev.fovea.nn.ActivationFunction;
import dev.fovea.nn.BatchNormalization;
import dev.fovea.nn.Conv2D;
import dev.fovea.nn.Dense;
import dev.fovea.nn.GlobalAveragePooling2D;
import dev.fovea.nn.Input;
import dev.fovea.nn.Layer;
import dev.fovea.nn.Model;
import dev.fovea.nn.Padding;
import dev.fovea.nn.SymbolicTensor;
import dev.fovea.tensor.Rng;
import dev.fovea.tensor.Shape;
import dev.fovea.tensor.Tensor;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Synchronized batch-norm reaches the batch-norm layers inside a nested model: two ranks, each
 * given half of a batch, compute in a training forward what one model computes on the whole
 * batch (the statistics are the global batch's), against the single model as the reference.
 */
class ReplicaTest {

    /** conv → [block: conv → BN] → BN → GAP → dense: one BN nested, one at the top level. */
    private static Model model() {
        Model block = Model.sequential("block", Input.of(4, 4, 3),
                List.of(new Conv2D(3, 3, Padding.SAME, ActivationFunction.RELU), new BatchNormalization()));
        SymbolicTensor in = Input.of(4, 4, 2);
        SymbolicTensor x = new Conv2D(3, 3, Padding.SAME, ActivationFunction.RELU).apply(in);
        x = new BatchNormalization().apply(block.apply(x));
        Model m = Model.of(in, new Dense(3).apply(new GlobalAveragePooling2D().apply(x)));
        m.initialize(21);
        return m;
    }

    @Test
    void syncBatchNormReachesTheBatchNormsOfANestedModel() throws Exception {
        int n = 6;
        int per = 4 * 4 * 2;
        Tensor x = Tensor.zeros(n, 4, 4, 2);
        Rng rng = new Rng(5);
        for (int i = 0; i < x.size(); i++) {
            // Each half drawn around its own mean: local statistics would differ from the batch's.
            x.data()[i] = (i < n / 2 * per ? -1f : 2f) + (float) rng.nextGaussian();
        }
        float[] whole = model().forward(x, true).data().clone();
        List<float[]> halves = RingAllReduceTest.onRanks(2, (rank, ring) -> {
            Replica replica = new Replica(ring, 0);
            replica.sliceSize = n / 2;
            replica.globalSize = n;
            Model m = model();
            replica.synchronizeBatchNorm(m, Reduction.MEAN);
            int bns = 0;
            for (Layer l : m.namedLayers().values()) {
                if (l instanceof BatchNormalization bn) {
                    assertNotNull(bn.crossReplicaSum(), bn.name() + " has no reducer");
                    bns++;
                }
            }
            assertEquals(2, bns);
            float[] slice = Arrays.copyOfRange(x.data(), rank * n / 2 * per, (rank + 1) * n / 2 * per);
            return m.forward(new Tensor(Shape.of(n / 2, 4, 4, 2), slice), true).data().clone();
        });
        float[] joined = new float[whole.length];
        System.arraycopy(halves.get(0), 0, joined, 0, whole.length / 2);
        System.arraycopy(halves.get(1), 0, joined, whole.length / 2, whole.length / 2);
        double worst = 0;
        for (int i = 0; i < whole.length; i++) {
            worst = Math.max(worst, Math.abs(whole[i] - joined[i]));
        }
        // The sums are added in another order than one process adds them: float rounding only.
        assertTrue(worst < 1e-5, "max |two ranks − one model| = " + worst);
    }
}
