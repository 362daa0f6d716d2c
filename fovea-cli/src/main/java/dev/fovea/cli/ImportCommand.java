package dev.fovea.cli;

import dev.fovea.interop.ModelFiles;
import dev.fovea.interop.Preprocessing;
import dev.fovea.io.ModelFile;
import dev.fovea.nn.Model;
import dev.fovea.nn.Param;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code fovea import MODEL --out m.safetensors --rescale 1/255}: a Keras model file
 * ({@code .keras} or legacy {@code .h5}) read through {@link ModelFiles} and written as a Fovea
 * model file, with the preprocessing given recorded as the file's {@code preprocessing}, so
 * evaluate, predict, explain, serve and train take it like any trained model. Keras files do not
 * say how pixels were scaled: one of {@code --rescale} and {@code --normalize} is required, never
 * guessed. Everything is read and checked before anything is written; the file is written to a
 * temporary name and renamed into place.
 */
@Command(name = "import", mixinStandardHelpOptions = true,
        description = {"Reads a Keras model (.keras or .h5) into a Fovea model file.",
                "Keras files do not say how pixels were scaled: pass --rescale or --normalize as the model was"
                        + " trained; the written file records it."})
final class ImportCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    PreprocessingOptions preprocessing = new PreprocessingOptions();

    @Parameters(index = "0", paramLabel = "MODEL", description = "A Keras model file: .keras (Keras 3, tf.keras 2.13+)"
            + " or .h5 (Keras 2's model.save).")
    Path source;

    @Option(names = "--out", required = true, paramLabel = "FILE",
            description = "The Fovea model file to write (.safetensors).")
    Path out;

    @Option(names = "--class-names", paramLabel = "NAME", split = ",",
            description = "The class names in output order, comma-separated (default: none; predict then prints"
                    + " class_0, class_1, ...).")
    List<String> classNames;

    @Option(names = "--overwrite", description = "Replace --out if it exists.")
    boolean overwrite;

    @Override
    public Integer call() {
        if (!Files.isRegularFile(source)) {
            throw new UserError("import " + source + ": no such file; " + Models.didYouMean(source)
                    + "pass a .keras or .h5 model saved by Keras");
        }
        if (ModelFiles.kind(source) == ModelFiles.Kind.FOVEA) {
            throw new UserError("import " + source + ": expected a .keras or .h5 file (a Keras model), received '"
                    + source.getFileName() + "'; a .safetensors model written by Fovea needs no import");
        }
        if (!out.getFileName().toString().endsWith(".safetensors")) {
            throw new UserError("--out " + out + ": expected a .safetensors file name, e.g. --out model.safetensors");
        }
        if (Files.exists(out) && !overwrite) {
            throw new UserError("--out " + out + " exists; pass --overwrite to replace it, or another --out");
        }
        Preprocessing pre = preprocessing.get();
        if (pre == null) {
            throw new UserError("fovea import needs the preprocessing the model was trained with, and does not guess:"
                    + " pass " + Preprocessing.RESCALE_HELP + " or " + Preprocessing.NORMALIZE_HELP);
        }
        ModelFile.Loaded loaded = ModelFiles.load(source, pre);
        Model model = loaded.model();
        int k = model.outputShape().dim(-1);
        List<String> names = classNames == null ? List.of() : classNames.stream().map(String::trim).toList();
        if (!names.isEmpty() && names.size() != k) {
            throw new UserError("--class-names: " + names.size() + " names given, the model has " + k + " outputs;"
                    + " give one name per output, in output order");
        }
        Map<String, Object> provenance = new LinkedHashMap<>(loaded.info().provenance());
        provenance.put("commands", List.of(commandLine()));
        ModelFile.save(out, model, new ModelFile.Info(names, loaded.info().preprocessing(), provenance));

        long params = model.params().stream().mapToLong(Param::size).sum();
        PrintWriter w = Console.lines(spec.commandLine().getOut(), Console.outIsTerminal());
        Console.field(w, "imported: ", source + " (" + provenance.get("source_format")
                + (provenance.containsKey("source_keras_version") ? ", Keras " + provenance.get("source_keras_version")
                : "") + ")");
        Console.field(w, "model:    ", String.format(Locale.ROOT, "%d layers, %,d parameters, input %s, %d outputs",
                model.namedLayers().size(), params, model.inputShape().toBatchString(), k));
        Console.field(w, "inputs:   ", pre.text() + " " + loaded.info().preprocessing());
        if (provenance.get("source_training_settings_ignored") instanceof Map<?, ?> ignored) {
            List<String> what = new java.util.ArrayList<>();
            ignored.forEach((key, n) -> what.add(key + " on " + n + (Integer.valueOf(1).equals(n) ? " layer" : " layers")));
            Console.field(w, "ignored:  ", String.join(", ", what) + " (training-only settings: the weights are the"
                    + " file's; to fine-tune, regularize with --weight-decay and freeze with --freeze)");
        }
        Console.field(w, "written:  ", out.toString());
        w.flush();
        return 0;
    }

    private String commandLine() {
        // The parse result's original arguments are the whole command line, "import" first.
        return "fovea " + String.join(" ", spec.commandLine().getParseResult().originalArgs());
    }
}
