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
 * server's explain route draws the same picture), and written as
 * {@code <folder>_<name>_<id>_gradcam.png} (see {@link #outputNames}).
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
        // The same image given twice is explained once: both would be the same file.
        images = images.stream().collect(java.util.stream.Collectors.toMap(f -> f.toAbsolutePath().normalize(), f -> f,
                (a, b) -> a, java.util.LinkedHashMap::new)).values().stream().toList();
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
     * The file name of each image's overlay: {@code <folder>_<name>_<id>_gradcam.png}, the image's
     * folder and file name without extension, and {@code <id>} the first 8 hex digits of the
     * SHA-256 of its absolute path ({@code cat/0100.jpg} → {@code cat_0100_1f0e3dad_gradcam.png}).
     * The name depends on the image alone, never on what else is on the command line (it used to
     * gain the folder only when another image had the same name), and two different images never
     * share one; a collision of the 8 digits is refused rather than overwritten.
     */
    static List<String> outputNames(List<Path> images, Path out) {
        java.util.Map<String, Path> used = new java.util.HashMap<>();
        List<String> names = new ArrayList<>();
        for (Path f : images) {
            Path abs = f.toAbsolutePath().normalize();
            String name = outputName(abs);
            Path before = used.put(name, abs);
            if (before != null && !before.equals(abs)) {
                throw new UserError("--image " + before + " and " + f + " would both be written as " + name + " in "
                        + out + "; explain them in two runs");
            }
            names.add(name);
        }
        return names;
    }

    /** See {@link #outputNames}. */
    static String outputName(Path image) {
        Path abs = image.toAbsolutePath().normalize();
        Path parent = abs.getParent();
        String folder = parent != null && parent.getFileName() != null ? parent.getFileName() + "_" : "";
        return folder + stem(abs) + "_" + pathId(abs) + "_gradcam.png";
    }

    /** 8 hex digits of the SHA-256 of the absolute path: the same image, the same digits, on every run. */
    private static String pathId(Path abs) {
        try {
            byte[] d = java.security.MessageDigest.getInstance("SHA-256")
                    .digest(abs.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
            return java.util.HexFormat.of().formatHex(d, 0, 4);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    private static String stem(Path f) {
        String n = f.getFileName().toString();
        int dot = n.lastIndexOf('.');
        return dot > 0 ? n.substring(0, dot) : n;
    }
}
