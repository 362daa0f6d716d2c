package dev.fovea.cli;

import dev.fovea.data.ImageFolder;
import dev.fovea.data.Normalization;
import dev.fovea.io.ModelFile;
import dev.fovea.nn.Conv2D;
import dev.fovea.nn.ConvArithmetic;
import dev.fovea.nn.ConvArithmetic.Kind;
import dev.fovea.nn.ConvArithmetic.Window;
import dev.fovea.nn.Model;
import dev.fovea.report.ImageGrid;
import dev.fovea.run.Check;
import dev.fovea.tensor.Shape;
import dev.fovea.tensor.Tensor;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code fovea explain --model PRESET|FILE [--image IMG] [--out DIR]}: what the Keras tutorial
 * teaches, computed from the model itself. For every convolution and pooling layer it prints the
 * output-size arithmetic per axis, the weight count against a dense layer between the same
 * shapes, and the im2col matrix product (numbers from {@link ConvArithmetic}); with {@code --out}
 * it draws the first convolution's filters and, with {@code --image}, that image's feature maps
 * after each block (see {@link ExplainImages}). With {@code --grad-cam --image IMG... --out DIR
 * [--class NAME|INDEX] [--layer NAME]} it writes a Grad-CAM overlay per image instead
 * ({@link GradCamImages}).
 */
@Command(name = "explain", mixinStandardHelpOptions = true,
        description = "Shows, layer by layer, how convolution and pooling shape a model: output sizes, weight"
                + " counts against dense layers, and (with --out) the first layer's filters and an image's"
                + " feature maps; with --grad-cam, where in each image the model found its class.")
final class ExplainCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    PreprocessingOptions preprocessing = new PreprocessingOptions();

    @Option(names = "--model", required = true, paramLabel = "PRESET|FILE",
            description = "A preset (tutorial-cnn) or a model file (.safetensors, or a Keras .keras or .h5"
                    + " with --rescale or --normalize).")
    String model;

    @Option(names = "--image", paramLabel = "IMG", arity = "1..*",
            description = "An image (.jpg, .png, .bmp, .gif) whose feature maps are drawn; needs --out. With"
                    + " --grad-cam, one or more images to explain.")
    List<Path> images;

    @Option(names = "--grad-cam", description = "Writes a Grad-CAM overlay per --image into --out: where in the"
            + " image the model found the evidence for the class (Selvaraju et al.), from the gradient of the"
            + " class's logit at a convolutional layer.")
    boolean gradCam;

    @Option(names = "--class", paramLabel = "NAME|INDEX", description = "With --grad-cam: the class to explain"
            + " (a class name of the model or an index). Default: each image's predicted class.")
    String cls;

    @Option(names = "--layer", paramLabel = "NAME", description = "With --grad-cam: the layer whose output is"
            + " weighted (a 4-D output; nested layers as model/layer). Default: the last Conv2D.")
    String layer;

    private Path image;

    @Option(names = "--out", paramLabel = "DIR", description = "Folder for filters.png and the feature-map PNGs.")
    Path out;

    @Option(names = "--input", paramLabel = "HxWxC", defaultValue = "32x32x3",
            description = "Input shape for presets (default: ${DEFAULT-VALUE}).")
    String input;

    @Option(names = "--classes", defaultValue = "10", description = "Classes for presets (default: ${DEFAULT-VALUE}).")
    int classes;

    @Override
    public Integer call() throws IOException {
        Check.positive("--classes", classes, "outputs of the preset's last layer");
        if (gradCam) {
            return gradCam();
        }
        if ((cls != null || layer != null)) {
            throw new UserError((cls != null ? "--class" : "--layer") + " applies to Grad-CAM only; add --grad-cam"
                    + " (with --image IMG --out DIR) or leave it out");
        }
        if (images != null && images.size() > 1) {
            throw new UserError("--image: feature maps are drawn for one image, received " + images.size()
                    + "; pass one --image, or add --grad-cam to explain several");
        }
        image = images == null ? null : images.get(0);
        if (image != null && out == null) {
            throw new UserError("--image needs --out DIR: the feature maps are written there as PNG files,"
                    + " e.g. --image " + image + " --out explain");
        }
        if (image != null && !Files.isRegularFile(image)) {
            throw new UserError("--image " + image + ": no such file; pass the path of a .jpg, .png, .bmp"
                    + " or .gif image");
        }
        int[] s = SummaryCommand.parseShape(input);
        ModelFile.Loaded loaded = Models.resolve(model, s[0], s[1], s[2], classes, preprocessing.get());
        Model m = loaded.model();
        List<Window> windows = ConvArithmetic.of(m);
        PrintWriter w = Console.lines(spec.commandLine().getOut(), Console.outIsTerminal());
        w.print(text(m, windows, Models.isPreset(model)));
        if (out != null && !windows.isEmpty()) {
            writeImages(w, m, loaded.info(), windows);
        } else if (!windows.isEmpty()) {
            w.println();
            w.println("add --out DIR to draw the first layer's filters, and --image IMG for an image's feature maps");
        }
        w.flush();
        return 0;
    }

    private Integer gradCam() throws IOException {
        if (images == null || out == null) {
            throw new UserError("--grad-cam needs --image IMG... and --out DIR: one overlay PNG per image is written"
                    + " there, e.g. --grad-cam --image cat.png --out explain");
        }
        int[] s = SummaryCommand.parseShape(input);
        ModelFile.Loaded loaded = Models.resolve(model, s[0], s[1], s[2], classes, preprocessing.get());
        PrintWriter w = Console.lines(spec.commandLine().getOut(), Console.outIsTerminal());
        if (Models.isPreset(model)) {
            w.println("note: " + model + " is a preset with random weights; explain a trained model file instead");
        }
        GradCamImages.write(w, loaded.model(), loaded.info(), images, out, cls, layer);
        w.flush();
        return 0;
    }

    /** The arithmetic of every convolution and pooling layer, for the terminal. */
    static String text(Model m, List<Window> windows, boolean preset) {
        StringBuilder sb = new StringBuilder();
        sb.append("Model \"").append(m.name()).append("\": input ").append(dims(m.inputShape()))
                .append(preset ? " (a preset: untrained, random weights)" : "").append('\n');
        if (windows.isEmpty()) {
            sb.append("no Conv2D or pooling layers: explain describes convolutional models\n");
            return sb.toString();
        }
        sb.append("Per axis: N input size, K window size, S stride.\n");
        long kernel = 0;
        long dense = 0;
        for (Window win : windows) {
            sb.append('\n');
            if (win.kind() == Kind.CONV) {
                conv(sb, m, win);
                kernel += win.kernelWeights();
                dense += win.denseWeights();
            } else {
                pool(sb, win);
            }
        }
        if (kernel > 0) {
            sb.append(String.format(Locale.ROOT, "%nall convolutions: %s kernel weights; dense layers between the"
                    + " same shapes would need %s%n", ConvArithmetic.count(kernel), ConvArithmetic.count(dense)));
        }
        return sb.toString();
    }

    private static void conv(StringBuilder sb, Model m, Window win) {
        Conv2D c = (Conv2D) m.namedLayers().get(win.layer());
        int kh = win.kernelH();
        int kw = win.kernelW();
        int ch = win.channels();
        int f = win.filters();
        sb.append(win.layer()).append(" (").append(win.type()).append(", ").append(f).append(" filters of ")
                .append(kh).append('×').append(kw).append(", ").append(c.activation().keras())
                .append("): ").append(dims(win.in())).append(" → ").append(dims(win.out())).append('\n');
        axes(sb, win);
        long b = win.biases();
        String biases = b == 0 ? "" : b == 1 ? " (+ 1 bias)" : " (+ " + b + " biases)";
        sb.append(String.format(Locale.ROOT, "  weights: %d·%d·%d·%d = %,d kernel weights%s against %,d·%,d = %s"
                        + " for a dense layer from %s to %s (%s as many)%n",
                kh, kw, ch, f, win.kernelWeights(), biases,
                win.in().size(), win.out().size(), ConvArithmetic.count(win.denseWeights()), dims(win.in()),
                dims(win.out()), ratio((double) win.denseWeights() / win.kernelWeights())));
        sb.append(String.format(Locale.ROOT, "  as a matrix product (im2col): (N·%d·%d) × (%d·%d·%d) patches times"
                        + " (%d·%d·%d) × %d kernel = (N·%,d × %,d)·(%,d × %d), %s multiply-adds per image%n",
                win.out().dim(0), win.out().dim(1), kh, kw, ch, kh, kw, ch, f, win.gemmRowsPerImage(),
                win.gemmInner(), win.gemmInner(), f, ConvArithmetic.count(win.multiplyAddsPerImage())));
    }

    private static void pool(StringBuilder sb, Window win) {
        int kh = win.kernelH();
        int kw = win.kernelW();
        sb.append(win.layer()).append(" (").append(win.type()).append(", ").append(kh).append('×').append(kw)
                .append(" window, stride ").append(win.height().s()).append('×').append(win.width().s())
                .append("): ").append(dims(win.in())).append(" → ").append(dims(win.out())).append('\n');
        axes(sb, win);
        boolean max = win.kind() == Kind.MAX_POOL;
        boolean padded = win.height().padBefore() + win.height().padAfter() + win.width().padBefore()
                + win.width().padAfter() > 0;
        String keeps = max ? "the largest value" + (padded ? " (padding never wins)" : "")
                : "the mean" + (padded ? " of the unpadded values" : "");
        sb.append(String.format(Locale.ROOT, "  keeps %s of each %d×%d window, channel by channel: %,d → %,d"
                        + " positions in each of the %d channels; no weights%n", keeps, kh, kw,
                win.in().dim(0) * win.in().dim(1), win.out().dim(0) * win.out().dim(1), win.channels()));
    }

    private static void axes(StringBuilder sb, Window win) {
        sb.append("  height: ").append(win.height().formula()).append('\n');
        sb.append("  width:  ").append(win.width().formula()).append('\n');
    }

    static String dims(Shape s) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < s.rank(); i++) {
            sb.append(i > 0 ? "×" : "").append(s.dim(i));
        }
        return sb.toString();
    }

    private static String ratio(double r) {
        return r >= 10 ? String.format(Locale.ROOT, "%,.0f×", r) : String.format(Locale.ROOT, "%.2f×", r);
    }

    private void writeImages(PrintWriter w, Model m, ModelFile.Info info, List<Window> windows) throws IOException {
        // Decode the image first, so a bad image leaves no half-written output behind.
        Input in = image == null ? null : input(m, info);
        w.println();
        Window first = windows.stream().filter(x -> x.kind() == Kind.CONV).findFirst().orElse(null);
        if (first != null) {
            Conv2D c = (Conv2D) m.namedLayers().get(first.layer());
            Path f = out.resolve("filters.png");
            writePng(w, f, ExplainImages.filters(first.layer(), c.params().get(0).value(), first.kernelH(),
                    first.kernelW(), first.channels(), first.filters()));
            w.println("  the " + first.filters() + " filters of " + first.layer() + " (" + first.kernelH() + "×"
                    + first.kernelW() + "×" + first.channels() + "), each min-max normalized"
                    + (first.channels() == 3 ? ", as RGB" : ", one grayscale tile per input channel"));
        } else {
            w.println("no Conv2D layer, so no filters to draw");
        }
        if (image == null) {
            w.println("no --image given: add --image IMG (e.g. a .jpg) to draw its feature maps after each block");
            return;
        }
        // The output of each block (its pooling layer; each convolution without pooling), nested
        // models' included: windows are listed under their paths, which forwardCollect takes.
        boolean pools = windows.stream().anyMatch(x -> x.kind() != Kind.CONV);
        List<String> blocks = new ArrayList<>();
        for (Window win : windows) {
            if ((win.kind() != Kind.CONV) == pools) {
                blocks.add(win.layer());
            }
        }
        Map<String, Tensor> maps = m.forwardCollect(in.batch(), new LinkedHashSet<>(blocks));
        int k = 0;
        for (Map.Entry<String, Tensor> e : maps.entrySet()) {
            k++;
            Tensor t = e.getValue();
            // A nested layer's path (block/conv2d) would be a folder: the file name takes block_conv2d.
            Path f = out.resolve(String.format(Locale.ROOT, "features_%d_%s.png", k, e.getKey().replace('/', '_')));
            int shown = Math.min(t.dim(3), ExplainImages.MAX_CHANNELS);
            writePng(w, f, ExplainImages.featureMaps(k, e.getKey(), t, in.rgb(), in.batch().dim(1),
                    in.batch().dim(2)));
            w.println("  " + shown + " of " + t.dim(3) + " channels after " + e.getKey() + " (" + t.dim(1) + "×"
                    + t.dim(2) + "), each min-max normalized, beside the input image");
        }
    }

    private static void writePng(PrintWriter w, Path file, BufferedImage img) throws IOException {
        ImageGrid.writePng(img, file);
        w.println("wrote " + file);
    }

    /**
     * The image as the model sees it: {@code batch} (1,H,W,C) resized and preprocessed as in
     * training, and {@code rgb} (H,W,3) the same pixels before normalization, for display
     * (grayscale models' luma repeated in the three channels).
     */
    private record Input(Tensor batch, byte[] rgb) {
    }

    private Input input(Model m, ModelFile.Info info) {
        Shape in = m.inputShape();
        int h = in.dim(0);
        int wd = in.dim(1);
        int c = in.dim(2);
        if (c != 1 && c != 3) {
            throw new UserError("the model takes " + c + "-channel input; --image works with models of 1"
                    + " (grayscale) or 3 (RGB) input channels");
        }
        byte[] rgb = ImageFolder.readRgb(image, h, wd);
        byte[] px = c == 3 ? rgb : ExplainImages.luma(rgb);
        float[] x = new float[h * wd * c];
        Normalization.fromMap(info.preprocessing(), c).toFloat(px, 0, x, 0, x.length);
        byte[] shown = rgb;
        if (c == 1) {
            shown = new byte[h * wd * 3];
            for (int p = 0; p < px.length; p++) {
                shown[3 * p] = px[p];
                shown[3 * p + 1] = px[p];
                shown[3 * p + 2] = px[p];
            }
        }
        return new Input(new Tensor(Shape.of(1, h, wd, c), x), shown);
    }
}
