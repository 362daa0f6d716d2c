package dev.fovea.cli;

import dev.fovea.interop.onnx.OnnxExport;
import dev.fovea.io.ModelFile;
import dev.fovea.run.Check;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code fovea export --format onnx MODEL --out model.onnx}: a model file, run folder or preset
 * as another framework's file. ONNX only for now ({@link OnnxExport}: NHWC input, the
 * preprocessing and class names in the file's metadata). Written to a temporary file and renamed,
 * so a failed export leaves any earlier file as it was.
 */
@Command(name = "export", mixinStandardHelpOptions = true,
        description = {"Writes a model as an ONNX file that ONNX Runtime and other frameworks run.",
                "The ONNX input is 'input', (N, H, W, C) float32 channels-last, already preprocessed as the"
                        + " file's metadata fovea.preprocessing says ((pixel/255 - mean) / std); the output is"
                        + " 'output', (N, classes): logits, or probabilities when the model ends in softmax."})
final class ExportCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "MODEL",
            description = "A model file (.safetensors, or .keras, .h5, .onnx with --rescale or --normalize), a run folder, or a preset (tutorial-cnn, fast, fast-small;"
                    + " exported with fresh weights).")
    String model;

    @Option(names = "--format", required = true, paramLabel = "FORMAT", description = "The file format: onnx.")
    String format;

    @Option(names = "--out", required = true, paramLabel = "FILE", description = "The ONNX file to write, such as model.onnx")
    Path out;

    @Option(names = "--input", paramLabel = "HxWxC", defaultValue = "32x32x3",
            description = "Input shape for presets (default: ${DEFAULT-VALUE}).")
    String input;

    @Option(names = "--classes", paramLabel = "N", defaultValue = "10",
            description = "Classes for presets (default: ${DEFAULT-VALUE}).")
    int classes;

    @Mixin
    PreprocessingOptions preprocessing = new PreprocessingOptions();

    @Override
    public Integer call() {
        if (!format.toLowerCase(Locale.ROOT).equals("onnx")) {
            throw new UserError("--format " + format + ": expected onnx, the one export format; received '"
                    + format + "'");
        }
        Check.positive("--classes", classes, "outputs of the preset's last layer");
        if (Files.isDirectory(out)) {
            throw new UserError("--out " + out + " is a folder; pass the file to write, e.g. " + out.resolve("model.onnx"));
        }
        ModelFile.Loaded loaded;
        if (Models.isPreset(model)) {
            int[] s = SummaryCommand.parseShape(input);
            loaded = Models.resolve(model, s[0], s[1], s[2], classes, preprocessing.get());
        } else {
            if (!Files.exists(Path.of(model))) {
                throw new UserError("MODEL " + model + ": neither a preset (" + String.join(", ", dev.fovea.nn.Presets.names())
                        + ") nor an existing model file or run folder; " + Models.didYouMean(Path.of(model))
                        + "check the spelling or the path");
            }
            loaded = Models.load(model, preprocessing.get());
        }
        OnnxExport.write(loaded.model(), out, loaded.info());
        long bytes;
        try {
            bytes = Files.size(out);
        } catch (java.io.IOException e) {
            bytes = -1;
        }
        Console.err(spec.commandLine().getErr(), "wrote " + out + " (ONNX opset " + OnnxExport.OPSET + ", "
                + bytes + " bytes): input 'input' " + loaded.model().inputShape().toBatchString()
                + " NHWC float32, output 'output' (None, " + loaded.model().outputShape().dim(-1) + ") "
                + (loaded.model().endsInSoftmax() ? "probabilities" : "logits") + "; preprocessing "
                + ModelFile.json(loaded.info().preprocessing()));
        return 0;
    }
}
