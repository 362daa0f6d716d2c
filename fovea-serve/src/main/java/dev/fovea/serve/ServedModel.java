package dev.fovea.serve;

import dev.fovea.FoveaException;
import dev.fovea.data.Normalization;
import dev.fovea.io.ModelFile;
import dev.fovea.nn.InferencePlan;
import dev.fovea.nn.Model;
import dev.fovea.nn.Summary;
import dev.fovea.tensor.Shape;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * One model as the server holds it: the loaded instance (owned by its {@link Batcher}'s thread
 * once serving starts), its input size, class names, preprocessing, summary text and the run
 * folder's report when the file sits in one. Immutable apart from the model's own buffers.
 * Not a place for request logic.
 */
public final class ServedModel {
    /** The model file {@code fovea train} writes into a run folder. */
    public static final String RUN_MODEL = "model.safetensors";

    private final String name;
    private final Path file;
    private final Model model;
    private final InferencePlan plan;
    private final ModelFile.Info info;
    private final int height;
    private final int width;
    private final int channels;
    private final int classes;
    private final List<String> classNames;
    private final Normalization normalization;
    private final String summary;
    private final Path report;

    private ServedModel(String name, Path file, ModelFile.Loaded loaded) {
        this.name = name;
        this.file = file;
        this.model = loaded.model();
        this.plan = InferencePlan.of(model);
        this.info = loaded.info();
        Shape in = model.inputShape();
        if (in.rank() != 3) {
            throw new FoveaException("model " + name + " (" + file.getFileName() + ") takes inputs of shape "
                    + in.toBatchString() + ", not images (height, width, channels); serve an image classifier");
        }
        this.height = in.dim(0);
        this.width = in.dim(1);
        this.channels = in.dim(2);
        Shape out = model.outputShape();
        if (out.rank() != 1) {
            throw new FoveaException("model " + name + " (" + file.getFileName() + ") outputs shape "
                    + out.toBatchString() + ", not one score per class (None, K); serve a classifier");
        }
        this.classes = out.dim(0);
        List<String> names = info.classNames();
        if (names.size() != classes) {
            names = new ArrayList<>();
            for (int i = 0; i < classes; i++) {
                names.add("class_" + i);
            }
        }
        this.classNames = List.copyOf(names);
        this.normalization = Normalization.fromMap(info.preprocessing(), channels);
        this.summary = Summary.of(model);
        Path sibling = file.toAbsolutePath().resolveSibling("report.html");
        this.report = file.getFileName().toString().equals(RUN_MODEL) && Files.isRegularFile(sibling) ? sibling : null;
    }

    /**
     * Loads {@code path}: a model file, or a run folder standing for its {@value #RUN_MODEL}.
     *
     * @param name the name clients use in routes; null derives it ({@link #defaultName})
     */
    public static ServedModel load(String name, Path path) {
        Path file = path;
        if (Files.isDirectory(path)) {
            file = path.resolve(RUN_MODEL);
            if (!Files.isRegularFile(file)) {
                throw new FoveaException(path + " is a folder without " + RUN_MODEL
                        + "; pass a model file or a run folder written by 'fovea train --out DIR'");
            }
        } else if (!Files.isRegularFile(path)) {
            throw new FoveaException("model file not found: " + path + " does not exist; train one with"
                    + " 'fovea train --out DIR' and pass DIR/" + RUN_MODEL);
        }
        return new ServedModel(name != null ? name : defaultName(path), file, ModelFile.load(file));
    }

    /** Wraps an already loaded model (tests, benchmarks); {@code file} only names it and locates a report. */
    public static ServedModel of(String name, Path file, ModelFile.Loaded loaded) {
        return new ServedModel(name, file, loaded);
    }

    /**
     * The route name of a model given without one: the run folder's name for a folder or its
     * {@value #RUN_MODEL}, else the file name without its extension.
     */
    public static String defaultName(Path path) {
        Path p = path.toAbsolutePath().normalize();
        if (p.getFileName() != null && p.getFileName().toString().equals(RUN_MODEL) && p.getParent() != null) {
            p = p.getParent();
        } else if (!Files.isDirectory(p)) {
            String f = p.getFileName().toString();
            int dot = f.lastIndexOf('.');
            return dot > 0 ? f.substring(0, dot) : f;
        }
        return p.getFileName() == null ? "model" : p.getFileName().toString();
    }


    /**
     * Turns model outputs (rows,K) into class probabilities in place: a softmax head's outputs
     * already are; logits are softmaxed.
     *
     * @param outputs (rows,K), modified
     */
    void toProbabilities(float[] outputs, int rows) {
        model.probabilities(outputs, rows, outputs);
    }

    public String name() {
        return name;
    }

    /** The model file; never shown to clients beyond its file name. */
    public Path file() {
        return file;
    }

    /** The instance; touch it only on the model's {@link Batcher} thread once serving. */
    public Model model() {
        return model;
    }

    /**
     * The model prepared for inference once when loaded (BatchNormalization folded or fused,
     * kernels packed): what classification runs. Same thread rule as {@link #model()}.
     */
    public InferencePlan plan() {
        return plan;
    }

    public ModelFile.Info info() {
        return info;
    }

    public int height() {
        return height;
    }

    public int width() {
        return width;
    }

    public int channels() {
        return channels;
    }

    /**
     * Refuses image uploads for a model that does not take RGB: image files decode to 3 channels
     * (as {@code fovea predict} reads them, and refuses such a model too), so a 1-channel model
     * would get a third of the bytes; its tensors still go through {@code /v2/.../infer}.
     */
    void requireRgbImages(String route) {
        if (channels != 3) {
            throw new ApiError(400, "model " + name + " takes " + channels + "-channel input (" + height + "×" + width
                    + "×" + channels + ") but the " + route + " route decodes image files to RGB (3 channels);"
                    + " send its input as a tensor to /v2/models/" + name + "/infer instead");
        }
    }

    /** Floats in one image: height·width·channels. */
    public int imageSize() {
        return height * width * channels;
    }

    public int classes() {
        return classes;
    }

    public List<String> classNames() {
        return classNames;
    }

    public Normalization normalization() {
        return normalization;
    }

    public String summary() {
        return summary;
    }

    /** The run folder's report.html, or null when the model file does not sit in a run folder with one. */
    public Path report() {
        return report;
    }
}
