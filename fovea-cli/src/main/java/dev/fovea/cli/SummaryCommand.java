package dev.fovea.cli;

import dev.fovea.nn.Summary;
import dev.fovea.run.Check;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code fovea summary --model PRESET|FILE}: Keras's {@code model.summary()} table, then what an
 * image costs ({@link ModelCost}: MACs per layer and in total, activation memory at batch 1).
 */
@Command(name = "summary", mixinStandardHelpOptions = true,
        description = "Prints a model's layers, output shapes and parameter counts, as Keras's model.summary(),"
                + " then its multiply-accumulates (MACs) per layer and in total and its activation memory at batch 1.")
final class SummaryCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    PreprocessingOptions preprocessing = new PreprocessingOptions();

    @Option(names = "--model", required = true, paramLabel = "PRESET|FILE",
            description = "A preset (tutorial-cnn) or a model file (.safetensors, or a Keras .keras or .h5"
                    + " with --rescale or --normalize).")
    String model;

    @Option(names = "--input", paramLabel = "HxWxC", defaultValue = "32x32x3",
            description = "Input shape for presets (default: ${DEFAULT-VALUE}).")
    String input;

    @Option(names = "--classes", paramLabel = "N", defaultValue = "10", description = "Classes for presets (default: ${DEFAULT-VALUE}).")
    int classes;

    @Override
    public Integer call() {
        Check.positive("--classes", classes, "outputs of the preset's last layer");
        int[] s = parseShape(input);
        var loaded = Models.resolve(model, s[0], s[1], s[2], classes, preprocessing.get());
        spec.commandLine().getOut().print(Summary.of(loaded.model(), Console.columns()));
        spec.commandLine().getOut().println();
        spec.commandLine().getOut().print(ModelCost.text(loaded.model()));
        spec.commandLine().getOut().flush();
        return 0;
    }

    static int[] parseShape(String s) {
        String[] parts = s.toLowerCase(java.util.Locale.ROOT).split("[x,]");
        try {
            if (parts.length == 3) {
                int[] d = {Integer.parseInt(parts[0].trim()), Integer.parseInt(parts[1].trim()),
                        Integer.parseInt(parts[2].trim())};
                if (d[0] > 0 && d[1] > 0 && d[2] > 0) {
                    return d;
                }
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new UserError("--input " + s + ": expected HEIGHTxWIDTHxCHANNELS with positive numbers, e.g. 32x32x3");
    }
}
