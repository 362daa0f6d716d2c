package dev.fovea.cli;

import dev.fovea.data.ImageFolder;
import dev.fovea.data.Normalization;
import dev.fovea.eval.GradCam;
import dev.fovea.io.ModelFile;
import dev.fovea.nn.Model;
import dev.fovea.report.Heatmaps;
import dev.fovea.report.ImageGrid;
import dev.fovea.tensor.Shape;
import dev.fovea.tensor.Tensor;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * {@code fovea explain --grad-cam}: one Grad-CAM overlay PNG per image ({@link GradCam},
 * {@link Heatmaps}). Each image is read and resized to the model's input as {@code predict}
 * reads it, explained for the predicted class or the one asked for, drawn by
 * {@link Heatmaps#explained} (enlarged to about 256 px, the heatmap resized over it; the
 * server's explain route draws the same picture), and written as {@code <image name>_gradcam.png}.
 */
final class GradCamImages {
    /** Weight of the heatmap's colour in the blend ({@link Heatmaps#ALPHA}; the report's gallery uses it too). */
    static final float ALPHA = Heatmaps.ALPHA;

    private GradCamImages() {
    }

    /** The class index of {@code --class NAME|INDEX}, or −1 (the predicted class) when null. */
    static int classIndex(String value, List<String> names, int k) {
        if (value == null) {
            return -1;
        }
        String v = value.strip();
        int i = names.indexOf(v);
        if (i >= 0 && i < k) {
            return i;
        }
        try {
            int n = Integer.parseInt(v);
            if (n >= 0 && n < k) {
                return n;
            }
        } catch (NumberFormatException e) {
            // not a number: reported below with the names there are
        }
        throw new UserError("--class " + value + ": expected a class name of the model or an index 0.." + (k - 1)
                + ", received '" + value + "'; the model's classes are "
                + (names.isEmpty() ? "unnamed (use an index)" : names));
    }

    static void write(PrintWriter w, Model m, ModelFile.Info info, List<Path> images, Path out, String cls,
                      String layer) throws IOException {
        Shape in = m.inputShape();
        int h = in.dim(0);
        int wd = in.dim(1);
        int c = in.dim(2);
        if (c != 1 && c != 3) {
            throw new UserError("the model takes " + c + "-channel input; --grad-cam works with models of 1"
                    + " (grayscale) or 3 (RGB) input channels");
        }
        GradCam cam = new GradCam(m, layer);
        int k = m.outputShape().dim(0);
        List<String> names = info.classNames().size() == k ? info.classNames() : List.of();
        int target = classIndex(cls, names, k);
        Normalization norm = Normalization.fromMap(info.preprocessing(), c);
        // Decode every image first, so a bad one leaves no half-written output behind.
        List<String> names0 = outputNames(images, out);
        List<byte[]> rgbs = new ArrayList<>();
        float[] x = new float[images.size() * h * wd * c];
        for (int i = 0; i < images.size(); i++) {
            Path f = images.get(i);
            if (!Files.isRegularFile(f)) {
                throw new UserError("--image " + f + ": no such file; pass the path of a .jpg, .png, .bmp or .gif image");
            }
            byte[] rgb = ImageFolder.readRgb(f, h, wd);
            byte[] px = c == 3 ? rgb : ExplainImages.luma(rgb);
            norm.toFloat(px, 0, x, i * h * wd * c, h * wd * c);
            rgbs.add(c == 3 ? rgb : gray(px));
        }
        int[] classes = new int[images.size()];
        java.util.Arrays.fill(classes, target);
        GradCam.Result r = cam.compute(new Tensor(Shape.of(images.size(), h, wd, c), x), classes);
        w.println("Grad-CAM at " + cam.layerName() + " (" + r.height() + "×" + r.width() + "), "
                + (target < 0 ? "explaining each image's predicted class" : "explaining class " + label(names, target))
                + "; red marks where the evidence for the class lies");
        for (int i = 0; i < images.size(); i++) {
            Path file = out.resolve(names0.get(i));
            ImageGrid.writePng(Heatmaps.explained(rgbs.get(i), h, wd, r.heatmap(i), r.height(), r.width()), file);
            w.println(String.format(Locale.ROOT, "%s: %s, probability %.4f, wrote %s", images.get(i),
                    label(names, r.classes()[i]), r.probability(i), file));
        }
    }

    static String label(List<String> names, int cls) {
        return names.isEmpty() ? "class " + cls : names.get(cls) + " (" + cls + ")";
    }

    private static byte[] gray(byte[] px) {
        byte[] out = new byte[px.length * 3];
        for (int p = 0; p < px.length; p++) {
            out[3 * p] = px[p];
            out[3 * p + 1] = px[p];
            out[3 * p + 2] = px[p];
        }
        return out;
    }

    /**
     * {@code <name>_gradcam.png} per image; images of one name from different folders (CIFAR
     * samples are {@code cat/0100.jpg}, {@code dog/0100.jpg}) get the folder name in front.
     */
    static List<String> outputNames(List<Path> images, Path out) {
        java.util.Map<String, Integer> count = new java.util.HashMap<>();
        for (Path f : images) {
            count.merge(stem(f), 1, Integer::sum);
        }
        java.util.Map<String, Path> used = new java.util.HashMap<>();
        List<String> names = new ArrayList<>();
        for (Path f : images) {
            Path parent = f.toAbsolutePath().getParent();
            String name = (count.get(stem(f)) > 1 && parent != null && parent.getFileName() != null
                    ? parent.getFileName() + "_" : "") + stem(f) + "_gradcam.png";
            Path before = used.put(name, f);
            if (before != null) {
                throw new UserError("--image " + before + " and " + f + " would both be written as " + name + " in "
                        + out + "; rename one of them or explain them in two runs");
            }
            names.add(name);
        }
        return names;
    }

    private static String stem(Path f) {
        String n = f.getFileName().toString();
        int dot = n.lastIndexOf('.');
        return dot > 0 ? n.substring(0, dot) : n;
    }
}
