package dev.fovea.interop.onnx;

/** The names Fovea's ONNX files use: graph input and output, and the metadata keys. */
final class OnnxNames {
    private OnnxNames() {
    }

    /** The graph input: (N, H, W, C) float32 images, preprocessed. */
    static final String INPUT = "input";
    /** The graph output: (N, K) logits or probabilities. */
    static final String OUTPUT = "output";
    /** {@code NHWC}: the input layout. */
    static final String META_LAYOUT = "fovea.input_layout";
    /** The model file's {@code fovea.preprocessing} JSON: {@code {"scale": 1/255, "mean": [...], "std": [...]}}. */
    static final String META_PREPROCESSING = "fovea.preprocessing";
    /** JSON list of class names in index order. */
    static final String META_CLASS_NAMES = "fovea.class_names";
    /** {@code logits} or {@code probabilities}. */
    static final String META_OUTPUT = "fovea.output";
    /** The Fovea architecture JSON ({@code nn.ModelConfig}), for reference. */
    static final String META_CONFIG = "fovea.config";
}
