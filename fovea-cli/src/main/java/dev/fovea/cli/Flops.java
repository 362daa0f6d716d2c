package dev.fovea.cli;

import dev.fovea.nn.Conv2D;
import dev.fovea.nn.Dense;
import dev.fovea.nn.DepthwiseConv2D;
import dev.fovea.nn.Layer;
import dev.fovea.nn.Model;
import dev.fovea.tensor.Shape;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The floating-point operations of a model per image, read from its built layers' shapes: the one
 * place {@code fovea bench} gets the FLOPs it divides time into (achieved GFLOPS, share of the
 * FMA peak).
 *
 * <p>Only the multiply-adds of the matrix products count, each as 2 FLOPs, the convention of
 * PyTorch's profiler and of the 0.081 GFLOP per image:
 * <ul>
 *   <li>convolution forward: 2·OH·OW·KH·KW·C·F;</li>
 *   <li>convolution backward: the same again for the weight gradient (cols(dy)ᵀ·x patches) and
 *       again for the data gradient (dy · flipped kernel), i.e. twice the forward; a layer reading
 *       the model input computes no data gradient in training ({@code backwardParamsOnly}), so its
 *       backward is once the forward;</li>
 *   <li>depthwise convolution: 2·OH·OW·KH·KW·C·M (one channel's window per output channel),
 *       backward as a convolution's;</li>
 *   <li>dense: 2·in·out forward, twice that backward (dW and dx), once for a first layer;</li>
 *   <li>everything else (bias, ReLU, batch norm, pooling, dropout, the loss, the optimizer) as 0:
 *       they are a few operations per element, bound by memory rather than by FMA throughput, and
 *       add under 1% to the count of the tutorial CNN.</li>
 * </ul>
 * For the tutorial CNN on 32×32×3 this gives 81,481,728 FLOPs forward (0.0815 GFLOP) and
 * 242,675,712 per training image (0.243): three times the forward less the first convolution's
 * data gradient, which is never computed (1,769,472).
 */
final class Flops {
    private Flops() {
    }

    /** FLOPs per image of one layer: forward, and backward as training runs it. */
    record LayerFlops(String name, String type, long forward, long backward) {
    }

    /**
     * Per-layer counts in the order of {@link Model#layers()}; a nested model is one entry, the
     * sum of its layers (read from {@link Model#namedLayers}, the walk that reaches them).
     */
    static List<LayerFlops> of(Model model) {
        List<LayerFlops> out = new ArrayList<>();
        // In a chain only the first layer reads the input, and Model skips its dx in training
        // (in a branching model other readers of the input are counted with dx: a slight overcount).
        // The walk is in topological order, a nested model's layers right after it, so the first
        // layer that is not a model is the one reading the input, nested or not.
        boolean first = true;
        for (Map.Entry<String, Layer> e : model.namedLayers().entrySet()) {
            Layer l = e.getValue();
            if (e.getKey().indexOf('/') < 0) {
                out.add(new LayerFlops(l.name(), l.typeName(), 0, 0));
            }
            if (l instanceof Model) {
                continue;
            }
            long fwd = forward(l);
            long bwd = first ? fwd : 2 * fwd;
            first = false;
            // Inside a nested model, the count adds to the row of the top-level layer holding it.
            LayerFlops row = out.get(out.size() - 1);
            out.set(out.size() - 1, new LayerFlops(row.name(), row.type(), row.forward() + fwd, row.backward() + bwd));
        }
        return out;
    }

    /** One layer's forward FLOPs per image: convolutions and dense layers, 0 for the rest. */
    private static long forward(Layer l) {
        if (l instanceof Conv2D c) {
            Shape o = c.outputShape();
            return 2L * o.dim(0) * o.dim(1) * c.kernelH() * c.kernelW() * c.inputShape().dim(2) * c.filters();
        }
        if (l instanceof DepthwiseConv2D d) {
            // Each of the C·M outputs per position reads one channel's KH·KW window.
            Shape o = d.outputShape();
            return 2L * o.dim(0) * o.dim(1) * d.kernelH() * d.kernelW() * o.dim(2);
        }
        if (l instanceof Dense d) {
            return 2L * d.inputShape().dim(0) * d.units();
        }
        return 0;
    }

    static long forward(List<LayerFlops> layers) {
        return layers.stream().mapToLong(LayerFlops::forward).sum();
    }

    /** Forward plus backward: the FLOPs of one training image. */
    static long training(List<LayerFlops> layers) {
        return layers.stream().mapToLong(l -> l.forward() + l.backward()).sum();
    }
}
