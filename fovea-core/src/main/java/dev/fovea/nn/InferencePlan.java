package dev.fovea.nn;

import dev.fovea.FoveaException;
import dev.fovea.kernel.conv.Epilogue;
import dev.fovea.kernel.conv.PreparedConv;
import dev.fovea.tensor.Shape;
import dev.fovea.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A model prepared once for inference: {@link #forward} computes what {@code model.forward(x,
 * false)} computes, with less work per call.
 * <ul>
 * <li>A BatchNormalization right after a convolution without activation is folded into the
 * convolution's kernel and bias (w·k, (b − mean)·k + beta per filter, k = γ/√(var + ε)); so is
 * one after a convolution and a MaxPooling2D when every k is positive (a positive affine map
 * commutes with max). An Activation (ReLU, GELU) right after is fused into the convolution's
 * epilogue, applied to each block of output while it is in cache; a BatchNormalization after the
 * activation (Keras's Conv2D(relu) → BatchNormalization) becomes the epilogue's affine map.
 * "Right after" means the only reader of the output, so nothing else needs the intermediate.</li>
 * <li>Every convolution is a {@link PreparedConv}: its route is chosen and its kernel packed (or
 * Winograd-transformed) once, not per call.</li>
 * <li>Each prepared convolution keeps its output buffer for the batch size of the last call: a
 * call at the same batch size allocates nothing.</li>
 * </ul>
 * Other layers run as themselves in inference mode; a nested model gets a plan of its own.
 *
 * <p>A plan is a snapshot of the weights when it was made ({@link #of}): after more training,
 * {@link #refresh} it (it keeps its buffers, which a new plan would allocate again). Fused epilogues give the same bits as the separate layers; folding a
 * BatchNormalization into a kernel rounds differently, within about 1e-6 relative per layer
 * ({@code InferencePlanTest} holds outputs within 1e-5 relative of the model's). Not
 * thread-safe: one caller at a time, like a model. Layers that run as themselves share their
 * buffers with the model's own forward.
 */
public final class InferencePlan {
    /** One node's computation. */
    private interface Step {
        Tensor run(List<Tensor> inputs);
    }

    private final Model model;
    private final Step[] steps;
    /** Each prepared convolution's output buffer, by node; kept across {@link #refresh}. */
    private final Tensor[] outputs;
    /** Nested models' plans, by node. */
    private final InferencePlan[] nestedPlans;
    /** For a node fused into an earlier step: that step's node; else the node itself. */
    private final int[] alias;
    private final Tensor[] acts;
    private final Tensor[][] args;
    private final List<List<Tensor>> argViews = new ArrayList<>();
    private final List<String> description = new ArrayList<>();

    private InferencePlan(Model model) {
        this.model = model;
        int nodes = model.graph().size();
        steps = new Step[nodes];
        alias = new int[nodes];
        acts = new Tensor[nodes];
        args = new Tensor[nodes][];
        outputs = new Tensor[nodes];
        nestedPlans = new InferencePlan[nodes];
        for (int i = 0; i < nodes; i++) {
            args[i] = new Tensor[i == 0 ? 0 : model.graph().inputsOf[i].length];
            argViews.add(Arrays.asList(args[i]));
        }
        prepare();
    }

    /* Chooses every node's step from the model's weights now. */
    private void prepare() {
        int nodes = steps.length;
        description.clear();
        for (int i = 0; i < nodes; i++) {
            alias[i] = i;
            steps[i] = null;
        }
        for (int i = 1; i < nodes; i++) {
            if (alias[i] != i) {
                continue;
            }
            Layer layer = model.graph().layer(i);
            if (layer instanceof Conv2D conv && epilogueAct(conv.activation()) != null) {
                steps[i] = prepareConv(i, conv);
            } else if (layer instanceof Model nested) {
                InferencePlan sub = nestedPlans[i] == null ? new InferencePlan(nested) : nestedPlans[i].refresh();
                nestedPlans[i] = sub;
                steps[i] = in -> sub.forward(in.get(0));
                for (String d : sub.description) {
                    description.add(layer.name() + "/" + d);
                }
            } else {
                steps[i] = in -> layer.forward(in, false);
            }
        }
    }

    /** Prepares {@code model} (a snapshot of its weights now). */
    public static InferencePlan of(Model model) {
        return new InferencePlan(model);
    }

    /**
     * Prepares the plan again from the model's weights now (after more training), keeping its
     * output buffers: what {@code of(model())} computes, without allocating them again. Returns
     * this plan.
     */
    public InferencePlan refresh() {
        prepare();
        return this;
    }

    public Model model() {
        return model;
    }

    /**
     * What the plan changed, one line per prepared convolution, e.g.
     * {@code conv2d: WINOGRAD, epilogue RELU + batch_normalization}.
     */
    public List<String> describe() {
        return List.copyOf(description);
    }

    /**
     * The model's inference output for x: a buffer of the plan (or of a layer), overwritten by
     * the next call.
     *
     * @param x read, a batch of the model's input shape
     */
    public Tensor forward(Tensor x) {
        Shape s = x.shape();
        Shape in = model.inputShape();
        if (!s.isBatchOf(in)) {
            throw new FoveaException(model.name() + ": expects input of shape " + in.toBatchString()
                    + ", received " + s + "; resize the images or build the model for this input");
        }
        acts[0] = x;
        for (int i = 1; i < steps.length; i++) {
            if (steps[i] == null) {
                acts[i] = acts[alias[i]];
                continue;
            }
            int[] from = model.graph().inputsOf[i];
            for (int k = 0; k < from.length; k++) {
                args[i][k] = acts[from[k]];
            }
            acts[i] = steps[i].run(argViews.get(i));
        }
        return acts[steps.length - 1];
    }

    /**
     * Where a forward's time goes: runs {@code calls} forwards of x and returns, per node that
     * runs (fused nodes are part of their step), its layer name and the median nanoseconds,
     * in order. For {@code fovea bench}; allocates.
     */
    public java.util.LinkedHashMap<String, Long> profile(Tensor x, int calls) {
        long[][] t = new long[steps.length][calls];
        for (int k = 0; k < calls; k++) {
            acts[0] = x;
            for (int i = 1; i < steps.length; i++) {
                if (steps[i] == null) {
                    acts[i] = acts[alias[i]];
                    continue;
                }
                int[] from = model.graph().inputsOf[i];
                for (int j = 0; j < from.length; j++) {
                    args[i][j] = acts[from[j]];
                }
                long t0 = System.nanoTime();
                acts[i] = steps[i].run(argViews.get(i));
                t[i][k] = System.nanoTime() - t0;
            }
        }
        java.util.LinkedHashMap<String, Long> out = new java.util.LinkedHashMap<>();
        for (int i = 1; i < steps.length; i++) {
            if (steps[i] != null) {
                long[] v = t[i].clone();
                Arrays.sort(v);
                out.put(model.graph().layer(i).name(), v[calls / 2]);
            }
        }
        return out;
    }

    private static Epilogue.Act epilogueAct(ActivationFunction f) {
        return switch (f) {
            case LINEAR -> Epilogue.Act.NONE;
            case RELU -> Epilogue.Act.RELU;
            case GELU -> Epilogue.Act.GELU;
            default -> null;
        };
    }

    /** The one node reading node i's output, when it reads nothing else; −1 otherwise. */
    private int soleReader(int i) {
        if (model.graph().consumers[i] != 1) {
            return -1;
        }
        for (int j = i + 1; j < model.graph().size(); j++) {
            int[] from = model.graph().inputsOf[j];
            if (from.length == 1 && from[0] == i) {
                return j;
            }
        }
        return -1;
    }

    /* Conv2D node i with the BatchNormalization and activation layers after it that can be fused. */
    private Step prepareConv(int i, Conv2D conv) {
        float[] kernel = conv.kernel().value().clone();
        float[] bias = conv.useBias() ? conv.bias().value().clone() : null;
        int f = conv.filters();
        int c = conv.inputShape().dim(2);
        Epilogue.Act act = epilogueAct(conv.activation());
        float[][] affine = null;
        List<String> fused = new ArrayList<>();
        int cur = i;
        while (affine == null) {
            int j = soleReader(cur);
            Layer next = j < 0 ? null : model.graph().layer(j);
            if (next instanceof BatchNormalization bn) {
                float[][] a = bn.inferenceAffine();
                if (act == Epilogue.Act.NONE) {
                    bias = fold(kernel, bias, a, f);
                } else {
                    affine = a;
                }
                alias[j] = i;
                fused.add(bn.name());
                cur = j;
            } else if (next instanceof Activation a && act == Epilogue.Act.NONE && epilogueAct(a.function()) != null) {
                act = epilogueAct(a.function());
                alias[j] = i;
                fused.add(a.name());
                cur = j;
            } else if (next instanceof MaxPooling2D) {
                int k = soleReader(j);
                if (k >= 0 && model.graph().layer(k) instanceof BatchNormalization bn && positive(bn.inferenceAffine()[1])) {
                    // max(a·y + b) = a·max(y) + b for a > 0, exactly: float rounding is monotonic.
                    float[][] a = bn.inferenceAffine();
                    if (act == Epilogue.Act.NONE) {
                        bias = fold(kernel, bias, a, f);
                    } else {
                        affine = a;
                    }
                    alias[k] = j;
                    fused.add(bn.name() + " (moved before " + next.name() + ")");
                }
                break;
            } else {
                break;
            }
        }
        Epilogue epilogue = new Epilogue(act);
        if (affine != null) {
            epilogue = epilogue.withAffine(affine[0], affine[1], affine[2]);
        }
        PreparedConv prepared = new PreparedConv(kernel, bias, conv.window(), c, f, epilogue);
        description.add(conv.name() + ": " + prepared.route() + (act == Epilogue.Act.NONE ? "" : ", epilogue " + act)
                + (fused.isEmpty() ? "" : " + " + String.join(" + ", fused)));
        Shape out = conv.outputShape();
        return inputs -> {
            Tensor x = inputs.get(0);
            int n = x.dim(0);
            Tensor y = outputs[i];
            if (y == null || y.dim(0) != n) {
                y = Tensor.zeros(out.withBatch(n));
                outputs[i] = y;
            }
            prepared.forward(x.data(), y.data(), n);
            return y;
        };
    }

    /**
     * Folds the map (y − mean)·k + beta into a convolution: kernel (…, F) *= k per filter, in
     * place; returns the new bias (b − mean)·k + beta (b = 0 without one).
     */
    private static float[] fold(float[] kernel, float[] bias, float[][] affine, int f) {
        float[] mean = affine[0];
        float[] k = affine[1];
        float[] beta = affine[2];
        for (int i = 0; i < kernel.length; i++) {
            kernel[i] *= k[i % f];
        }
        float[] b = new float[f];
        for (int o = 0; o < f; o++) {
            b[o] = ((bias == null ? 0f : bias[o]) - mean[o]) * k[o] + beta[o];
        }
        return b;
    }

    private static boolean positive(float[] k) {
        for (float v : k) {
            if (!(v > 0f)) {
                return false;
            }
        }
        return true;
    }
}
