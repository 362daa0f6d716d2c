package dev.fovea.cli;

import dev.fovea.interop.ModelFiles;
import dev.fovea.interop.Preprocessing;
import dev.fovea.io.ModelFile;
import dev.fovea.io.NearestName;
import dev.fovea.nn.Model;
import dev.fovea.nn.Presets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Resolves {@code --model} arguments: a built-in preset name, or a model file by its extension
 * through {@link ModelFiles} (a Fovea {@code .safetensors}, a Keras {@code .keras} or {@code .h5}
 * with {@code --rescale}/{@code --normalize}).
 */
final class Models {
    private Models() {
    }

    static boolean isPreset(String spec) {
        return Presets.names().contains(spec);
    }

    /**
     * A fresh preset for the given input and class count, or a loaded model file (Fovea's, or a
     * Keras file read with {@code pre}, through {@link ModelFiles}).
     */
    static ModelFile.Loaded resolve(String spec, int height, int width, int channels, int classes, Preprocessing pre) {
        if (isPreset(spec)) {
            refuseForPreset(spec, pre);
            return new ModelFile.Loaded(Presets.create(spec, height, width, channels, classes),
                    ModelFile.Info.of(java.util.List.of()));
        }
        Path p = Path.of(spec);
        if (!Files.exists(p)) {
            throw new UserError("--model " + spec + ": neither a preset (" + String.join(", ", Presets.names())
                    + ") nor an existing model file; " + didYouMean(p) + "check the spelling or the path");
        }
        return ModelFiles.load(p, pre);
    }

    private static void refuseForPreset(String spec, Preprocessing pre) {
        if (pre != null) {
            throw new UserError(pre.text() + " is for .keras and .h5 model files; --model " + spec + " is a preset,"
                    + " which takes images as 'fovea train' feeds them: drop the option");
        }
    }

    /** {@code "did you mean runs/tutorial/model.safetensors? "} for a mistyped path, or "" when nothing is close. */
    static String didYouMean(Path missing) {
        Path near = NearestName.suggest(missing);
        return near == null ? "" : "did you mean " + near + "? Otherwise ";
    }

    /** The model file written into every run folder by {@code fovea train}. */
    static final String RUN_MODEL = "model.safetensors";

    /**
     * A loaded model file (evaluate, predict, explain): presets have no trained weights. A run
     * folder stands for the model file inside it.
     */
    static ModelFile.Loaded load(String spec, Preprocessing pre) {
        if (isPreset(spec)) {
            throw new UserError("--model " + spec + " is a preset without trained weights; pass a model file,"
                    + " e.g. runs/tutorial/model.safetensors written by 'fovea train'");
        }
        Path p = Path.of(spec);
        if (!Files.exists(p)) {
            throw new UserError("--model " + spec + ": no such file; " + didYouMean(p) + "train one with"
                    + " 'fovea train --out DIR' and pass DIR/model.safetensors");
        }
        if (Files.isDirectory(p)) {
            if (!Files.isRegularFile(p.resolve(RUN_MODEL))) {
                throw new UserError("--model " + spec + " is a folder without " + RUN_MODEL
                        + "; pass a model file or the run folder written by 'fovea train --out DIR'");
            }
            p = p.resolve(RUN_MODEL);
        }
        return ModelFiles.load(p, pre);
    }

}
