package dev.fovea.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.fovea.FoveaException;
import dev.fovea.data.ImageFolder;
import dev.fovea.data.Normalization;
import dev.fovea.eval.TestTimeAugmentation;
import dev.fovea.io.ModelFile;
import dev.fovea.nn.InferencePlan;
import dev.fovea.nn.Model;
import dev.fovea.run.Check;
import dev.fovea.run.OutputFolder;
import dev.fovea.tensor.Shape;
import dev.fovea.tensor.Tensor;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code fovea predict --model FILE IMAGE...}: the top-k classes and their probabilities for
 * each image file, read and resized as image folders are ({@link ImageFolder#readRgb}) and
 * preprocessed as the model file says. {@code --json} prints one JSON document instead:
 * {@code {"model": …, "tta": …, "predictions": [{"file": …, "top": [{"class", "index", "probability"}]}]}}.
 * {@code --tta flip|6view} averages the model's outputs over views of each image first (logits
 * are averaged, then softmaxed; a softmax head's probabilities are averaged).
 * A file that cannot be read is skipped with a warning, as training skips it; the command
 * fails only when no image could be read.
 */
@Command(name = "predict", mixinStandardHelpOptions = true,
        description = "Prints the most probable classes of each image (JPEG, PNG, BMP or GIF, or a folder of them) for a trained model.")
final class PredictCommand implements Callable<Integer> {
    /** Images per forward pass: bounds memory when many files are given. */
    private static final int BATCH = 32;

    @Spec
    CommandSpec spec;

    @Mixin
    PreprocessingOptions preprocessing = new PreprocessingOptions();

    @Option(names = "--model", required = true, paramLabel = "FILE",
            description = "A model file (.safetensors) written by 'fovea train'. Also one written by 'fovea import',"
                    + " or a Keras .keras or .h5 file with --rescale or --normalize.")
    String model;

    @Parameters(arity = "1..*", paramLabel = "IMAGE|FOLDER",
            description = "Image files to classify, or folders: every image inside, in sorted order.")
    List<Path> images;

    @Option(names = "--top-k", paramLabel = "K", defaultValue = "3",
            description = "How many classes to list per image. Default: ${DEFAULT-VALUE}.")
    int topK;

    @Option(names = "--json", description = "Print one JSON document instead of text.")
    boolean json;

    @Option(names = "--tta", paramLabel = "LEVEL", defaultValue = "none", description = Evaluation.TTA_HELP)
    String tta;

    /** One listed class of one image. */
    record Guess(String className, int index, float probability) {
    }

    @Override
    public Integer call() {
        Check.positive("--top-k", topK, "classes listed per image");
        TestTimeAugmentation augment = new TestTimeAugmentation(Evaluation.ttaLevel(tta));
        ModelFile.Loaded loaded = Models.load(model, preprocessing.get());
        Model m = loaded.model();
        Shape in = EvaluateCommand.imageInput(m, model);
        int h = in.dim(0);
        int w = in.dim(1);
        int c = in.dim(2);
        if (c != 3) {
            throw new UserError("--model " + model + " expects " + c + "-channel images (" + h + "×" + w + "×" + c
                    + ") but image files are read as 3-channel RGB; use a model trained on RGB images");
        }
        int k = m.outputShape().dim(-1);
        List<String> names = loaded.info().classNames().size() == k ? loaded.info().classNames() : numbered(k);
        Normalization norm = Normalization.fromMap(loaded.info().preprocessing(), c);
        int px = h * w * c;
        List<Path> files = expand(images);
        List<Path> read = new ArrayList<>();
        java.io.ByteArrayOutputStream decoded = new java.io.ByteArrayOutputStream();
        for (Path f : files) {
            try {
                decoded.writeBytes(ImageFolder.readRgb(f, h, w));
                read.add(f);
            } catch (FoveaException e) {
                Console.err("warning: skipped " + e.getMessage());
            }
        }
        if (read.isEmpty()) {
            throw new UserError("predict: none of the " + files.size() + " file(s) given could be read as an image;"
                    + " pass JPEG, PNG, BMP or GIF files, or folders holding them");
        }
        if (read.size() < files.size()) {
            Console.err(String.format(Locale.ROOT, "predicting %d of %d files (%d skipped, see the warnings above)",
                    read.size(), files.size(), files.size() - read.size()));
        }
        images = read;
        byte[] pixels = decoded.toByteArray();
        float[] probs = new float[images.size() * k];
        InferencePlan plan = InferencePlan.of(m);
        for (int b = 0; b < images.size(); b += BATCH) {
            int n = Math.min(BATCH, images.size() - b);
            float[] x = new float[n * px];
            norm.toFloat(pixels, b * px, x, 0, n * px);
            Tensor y = augment.forward(plan, new Tensor(Shape.of(n, h, w, c), x));
            System.arraycopy(m.probabilities(y.data()), 0, probs, b * k, n * k);
        }
        List<List<Guess>> top = new ArrayList<>();
        for (int i = 0; i < images.size(); i++) {
            top.add(top(probs, i * k, k, Math.min(topK, k), names));
        }
        // JSON is for programs: never broken.
        PrintWriter out = json ? spec.commandLine().getOut()
                : Console.lines(spec.commandLine().getOut(), Console.outIsTerminal());
        out.print(json ? json(top, augment.level()) : text(top, names));
        out.flush();
        return 0;
    }

    /**
     * The files to classify: files as given, folders replaced by every image file inside them
     * (sub-folders included) in sorted path order. A folder without images is an error, since
     * nothing in it could be what the user meant.
     */
    static List<Path> expand(List<Path> given) {
        List<Path> files = new ArrayList<>();
        for (Path p : given) {
            if (!Files.isDirectory(p)) {
                files.add(p);
                continue;
            }
            List<Path> inside;
            try (Stream<Path> s = Files.walk(p)) {
                inside = s.filter(f -> Files.isRegularFile(f) && ImageFolder.isImageName(f.getFileName().toString()))
                        .sorted().toList();
            } catch (IOException e) {
                throw new UserError(p + ": cannot list this folder (" + OutputFolder.reason(e)
                        + "); check its permissions");
            }
            if (inside.isEmpty()) {
                throw new UserError(p + " is a folder without image files (.jpg, .jpeg, .png, .bmp, .gif);"
                        + " pass image files or a folder holding them");
            }
            files.addAll(inside);
        }
        return files;
    }

    /** The {@code count} largest of {@code probs[off, off+k)}, largest first; ties keep class order. */
    static List<Guess> top(float[] probs, int off, int k, int count, List<String> names) {
        Integer[] order = new Integer[k];
        for (int j = 0; j < k; j++) {
            order[j] = j;
        }
        java.util.Arrays.sort(order, (a, b) -> Float.compare(probs[off + b], probs[off + a]));
        List<Guess> g = new ArrayList<>();
        for (int j = 0; j < count; j++) {
            g.add(new Guess(names.get(order[j]), order[j], probs[off + order[j]]));
        }
        return g;
    }

    private String text(List<List<Guess>> top, List<String> names) {
        int width = names.stream().mapToInt(String::length).max().orElse(5);
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < top.size(); i++) {
            sb.append(images.get(i)).append('\n');
            int rank = 1;
            for (Guess g : top.get(i)) {
                sb.append(String.format(Locale.ROOT, "  %d. %-" + width + "s %6.2f%%%n", rank++, g.className(),
                        100 * g.probability()));
            }
        }
        return sb.toString();
    }

    private String json(List<List<Guess>> top, TestTimeAugmentation.Level level) {
        List<Map<String, Object>> predictions = new ArrayList<>();
        for (int i = 0; i < top.size(); i++) {
            List<Map<String, Object>> guesses = new ArrayList<>();
            for (Guess g : top.get(i)) {
                Map<String, Object> e = new LinkedHashMap<>();
                e.put("class", g.className());
                e.put("index", g.index());
                e.put("probability", g.probability());
                guesses.add(e);
            }
            Map<String, Object> p = new LinkedHashMap<>();
            p.put("file", images.get(i).toString());
            p.put("top", guesses);
            predictions.add(p);
        }
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("model", model);
        doc.put("tta", level.cliName());
        doc.put("predictions", predictions);
        try {
            return new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(doc)
                    + System.lineSeparator();
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write predictions as JSON", e);
        }
    }

    private static List<String> numbered(int k) {
        List<String> l = new ArrayList<>();
        for (int i = 0; i < k; i++) {
            l.add("class_" + i);
        }
        return l;
    }
}
