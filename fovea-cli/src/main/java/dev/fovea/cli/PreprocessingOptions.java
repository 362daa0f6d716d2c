package dev.fovea.cli;

import dev.fovea.interop.Preprocessing;
import picocli.CommandLine.Option;

/**
 * {@code --rescale} and {@code --normalize}, the options of every command that takes a model
 * file: how raw pixels become the inputs of a {@code .keras}, {@code .h5} or {@code .onnx} model,
 * which does not say (a Fovea model file, or an ONNX file Fovea exported, records its own). Parsed by
 * {@link Preprocessing#parse}; no value is guessed.
 */
final class PreprocessingOptions {
    static final String RESCALE = "For a .keras, .h5 or .onnx model: inputs are x·SCALE + OFFSET of the 0-255 pixels"
            + " (Keras's Rescaling): 1/255 for [0, 1], 1/127.5,-1 for [-1, 1], 1 for raw pixels.";
    static final String NORMALIZE = "For a .keras, .h5 or .onnx model: inputs are (x/255 - MEAN)/STD per channel"
            + " (torchvision's Normalize), one value for all channels or one per channel, comma-separated:"
            + " 0.4914,0.4822,0.4465/0.247,0.243,0.261.";

    @Option(names = "--rescale", paramLabel = "SCALE[,OFFSET]", description = RESCALE)
    String rescale;

    @Option(names = "--normalize", paramLabel = "MEAN/STD", description = NORMALIZE)
    String normalize;

    /** The preprocessing given, or null when neither option is. */
    Preprocessing get() {
        return Preprocessing.parse(rescale, normalize);
    }
}
