package dev.fovea.nn;

import dev.fovea.FoveaException;
import dev.fovea.tensor.Rng;
import dev.fovea.tensor.Shape;
import dev.fovea.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A functional model: a DAG of layer calls from one {@link Input} to one output, ordered
 * topologically once at construction (Keras's {@code keras.Model(inputs, outputs)}). Layers
 * without a name are numbered Keras-style in that order ({@code conv2d}, {@code conv2d_1}, …).
 *
 * <p>A model is itself a {@link Layer} of one input, so it nests in another model:
 * {@link #forward}/{@link #backward} run the nodes in order and in reverse, summing gradients
 * where a tensor feeds several layers. {@link #initialize}
 * (re)creates every weight from one seed. Training, losses and optimizers live in higher
 * packages ({@code dev.fovea.train}); this class only computes.
 *
 * <p>This class is the API a user writes against; the work is done in three package-private
 * parts: {@link ModelGraph} (graph building: order, wiring, names), {@link ModelExecution}
 * (forward and backward over the nodes, with the per-node buffers) and {@link ModelInspection}
 * (the questions asked of a model: its layers and parameters by name, whether it ends in
 * softmax, a layer's output or gradient by path).
 */
public final class Model extends BaseLayer {
    private final ModelGraph graph;
    private final ModelExecution execution;

    private Model(String name, SymbolicTensor input, SymbolicTensor output, boolean sequential) {
        setName(name);
        this.inputShape = input.shape();
        this.outputShape = output.shape();
        this.graph = new ModelGraph(input, output, sequential);
        this.execution = new ModelExecution(graph);
        initialize(0);
    }

    /** Keras {@code keras.Model(inputs=input, outputs=output)}. */
    public static Model of(SymbolicTensor input, SymbolicTensor output) {
        return new Model("functional", input, output, false);
    }

    public static Model of(String name, SymbolicTensor input, SymbolicTensor output) {
        return new Model(name, input, output, false);
    }

    /** Keras {@code Sequential([Input(shape), layer, …])}: each layer applied to the previous output. */
    public static Model sequential(SymbolicTensor input, Layer... layers) {
        return sequential("sequential", input, List.of(layers));
    }

    public static Model sequential(String name, SymbolicTensor input, List<Layer> layers) {
        if (!input.node().isInput()) {
            throw new FoveaException("sequential: the first element must be Input.of(...), received the output of "
                    + input.node().layerName());
        }
        SymbolicTensor x = input;
        for (Layer l : layers) {
            x = l.apply(x);
        }
        return new Model(name, input, x, true);
    }

    /**
     * Re-creates every weight from {@code seed}: layer i in topological order draws from stream
     * i of the seed, so adding a layer at the end never changes the others' initial weights.
     */
    public void initialize(long seed) {
        Rng root = new Rng(seed);
        for (int i = 1; i < graph.size(); i++) {
            Node n = graph.order.get(i);
            n.layer.build(n.inputs.stream().map(SymbolicTensor::shape).toList(), root.split(i));
        }
        execution.reset();
    }

    // ---- Layer --------------------------------------------------------------------------

    @Override
    public String typeName() {
        return graph.sequential ? "Sequential" : "Functional";
    }

    public boolean isSequential() {
        return graph.sequential;
    }

    /** Checks the shape and re-initializes from the given stream (used when nested in another model). */
    @Override
    public Shape build(Shape inputShape, Rng rng) {
        if (!inputShape.equals(graph.input.shape())) {
            throw new FoveaException(name() + ": expects input of shape " + graph.input.shape().toBatchString()
                    + ", received " + inputShape.toBatchString());
        }
        initialize(rng.nextLong());
        return graph.output.shape();
    }

    /** All parameters in topological layer order, each layer's in Keras weight order. */
    @Override
    public List<Param> params() {
        List<Param> all = new ArrayList<>();
        for (int i = 1; i < graph.size(); i++) {
            all.addAll(graph.layer(i).params());
        }
        return all;
    }

    public void zeroGrads() {
        execution.zeroGrads();
    }

    @Override
    public Tensor forward(Tensor x, boolean training) {
        Shape s = x.shape();
        if (!s.isBatchOf(graph.input.shape())) {
            throw new FoveaException(name() + ": expects input of shape " + graph.input.shape().toBatchString()
                    + ", received " + s + "; resize the images or build the model for this input");
        }
        return execution.forward(x, training);
    }

    /** {@code forward(x, false)}: for method references where a function of one tensor is wanted. */
    public Tensor forwardInference(Tensor x) {
        return forward(x, false);
    }

    /**
     * Backward through every node in reverse order; returns dL/dx for the model input and adds
     * into every parameter gradient. Call after a {@code forward(x, true)}.
     */
    @Override
    public Tensor backward(Tensor dy) {
        return execution.backpropagate(dy, true);
    }

    /** Training's backward: the layers reading the model input may skip their dx; returns null. */
    @Override
    protected Tensor backwardParamsOnly(Tensor dy) {
        return execution.backpropagate(dy, false);
    }

    @Override
    public Map<String, Object> config() {
        return ModelConfig.toConfig(this);
    }

    // ---- inspection (ModelInspection holds the code) -----------------------------------

    /** Layers in topological order, excluding the input; a nested model counts as one layer. */
    public List<Layer> layers() {
        List<Layer> out = new ArrayList<>();
        for (int i = 1; i < graph.size(); i++) {
            out.add(graph.layer(i));
        }
        return out;
    }

    /**
     * Every layer of the model under its path, nested models' layers included: in topological
     * order, a nested model's entry followed at once by its own layers (pre-order), the path a
     * layer name of this model or {@code nested/inner} (recursively), as {@link #activation},
     * {@link #backwardTo} and Grad-CAM take it. The one walk into nested models: code that looks
     * for layers of a kind (every batch normalization, every Dropout, the last convolution) reads
     * this instead of recursing itself. A new map each call.
     */
    public Map<String, Layer> namedLayers() {
        return ModelInspection.namedLayers(this);
    }

    /** The layer named {@code layerName} (this model's own), or an error listing the names there are. */
    public Layer layer(String layerName) {
        return ModelInspection.layer(this, layerName);
    }

    /**
     * Parameters under Keras-style full names, {@code conv2d/kernel}, in {@link #params()} order:
     * the layer's own name, nested or not (layer names are unique across nested models).
     */
    public Map<String, Param> namedParams() {
        return ModelInspection.namedParams(this);
    }

    /**
     * True when the output layer applies a softmax (a Dense, Conv2D or Activation layer with
     * softmax, or a nested model that ends so): the outputs are then class probabilities, and
     * otherwise logits, which a loss, a prediction or Grad-CAM must treat as such.
     */
    public boolean endsInSoftmax() {
        return ModelInspection.endsInSoftmax(this);
    }

    /**
     * The model's outputs (N, K) as class probabilities, in a new array: softmaxed row by row
     * when they are logits, copied when the model {@link #endsInSoftmax ends in softmax}.
     *
     * @param outputs read, (N, K) row-major, N = outputs.length / K
     */
    public float[] probabilities(float[] outputs) {
        int k = outputShape.dim(-1);
        if (outputs.length % k != 0) {
            throw new IllegalArgumentException(name() + ": " + outputs.length + " outputs are not rows of " + k);
        }
        float[] p = new float[outputs.length];
        probabilities(outputs, outputs.length / k, p);
        return p;
    }

    /**
     * {@link #probabilities(float[])} of the first {@code rows} rows, into {@code probs}.
     *
     * @param outputs read, (rows, K) or longer
     * @param probs   written, (rows, K) or longer; may be {@code outputs} itself
     */
    public void probabilities(float[] outputs, int rows, float[] probs) {
        ModelInspection.probabilities(this, outputs, rows, probs);
    }

    /**
     * Runs the model in inference mode on {@code x} and returns copies of the outputs of the
     * layers at {@code paths} (names, or {@code nested/inner}), in {@link #namedLayers} order: for
     * looking inside a model (feature maps), never needed for training. Copies, because layer
     * outputs are buffers reused by the next forward.
     */
    public Map<String, Tensor> forwardCollect(Tensor x, Set<String> paths) {
        return ModelInspection.forwardCollect(this, x, paths);
    }

    /**
     * The output of the layer at {@code path} from the last {@link #forward}: the layer's own
     * buffer, overwritten by the next forward, not a copy. A path is a layer name of this model,
     * or {@code nested/inner} for a layer inside a nested model (recursively).
     */
    public Tensor activation(String path) {
        return ModelInspection.activation(this, path);
    }

    /**
     * Backward from the model output down to the output of the layer at {@code path} (a name, or
     * {@code nested/inner} as in {@link #activation}) only, after a forward of either mode:
     * returns d(score)/d(that layer's output) for {@code dy} = d(score)/d(model output). Layers
     * at or below the target are not run; layers above it that do not depend on it are skipped.
     * With {@code logits} true and an output layer that applies softmax (an {@code Activation}
     * softmax layer, a {@code Dense} with softmax activation, or a nested model ending so),
     * {@code dy} is taken as the gradient with respect to the pre-softmax logits: the softmax
     * Jacobian is singular, so a logit's gradient cannot be sent through it. Parameter gradients
     * of the layers passed through accumulate (+=) as in any backward; a caller that must leave
     * them alone saves and restores them. The result may be a layer's reused buffer.
     */
    public Tensor backwardTo(String path, Tensor dy, boolean logits) {
        return ModelInspection.backwardTo(this, path, dy, logits);
    }

    /** The per-sample output shape of the layer at {@code path} (a name or {@code nested/inner}). */
    public Shape outputShapeOf(String path) {
        return ModelInspection.outputShapeOf(this, path);
    }

    /** Prints Keras's summary table to standard output. */
    public void summary() {
        System.out.print(Summary.of(this));
    }

    // ---- package access -----------------------------------------------------------------

    /** The graph: for ModelConfig, Summary, InferencePlan and the other parts of a model. */
    ModelGraph graph() {
        return graph;
    }

    ModelExecution execution() {
        return execution;
    }
}
