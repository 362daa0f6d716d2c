package dev.fovea.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.fovea.data.ImageFolder;
import dev.fovea.data.Normalization;
import dev.fovea.eval.GradCam;
import dev.fovea.io.ModelFile;
import dev.fovea.nn.ActivationFunction;
import dev.fovea.nn.Conv2D;
import dev.fovea.nn.Dense;
import dev.fovea.nn.GlobalAveragePooling2D;
import dev.fovea.nn.Input;
import dev.fovea.nn.MaxPooling2D;
import dev.fovea.nn.Model;
import dev.fovea.nn.Padding;
import dev.fovea.report.Heatmaps;
import dev.fovea.tensor.Shape;
import dev.fovea.tensor.Tensor;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ExplainGradCamTest {
    static final List<String> NAMES = List.of("airplane", "cat", "frog");

    @TempDir
    Path tmp;

    /** A small conv net with seeded random weights: Grad-CAM explains any weights, trained or not. */
    private static Model model() {
        Model m = Model.sequential(Input.of(32, 32, 3), new Conv2D(4, 3, Padding.SAME, ActivationFunction.RELU),
                new MaxPooling2D(2), new Conv2D(6, 3, Padding.SAME, ActivationFunction.RELU),
                new GlobalAveragePooling2D(), new Dense(3, ActivationFunction.SOFTMAX));
        m.initialize(7);
        return m;
    }

    private Path modelFile() {
        Path file = tmp.resolve("small.safetensors");
        ModelFile.save(file, model(), ModelFile.Info.of(NAMES));
        return file;
    }

    private static Path image(String rel) {
        Path p = ExplainCommandTest.SAMPLE.resolve(rel);
        assumeTrue(Files.isRegularFile(p), "shared image sample not present");
        return p;
    }

    @Test
    void writesOneOverlayPerImageAndPrintsTheExplainedClass() throws Exception {
        Path a = image("val/airplane/0100.jpg");
        Path b = image("val/cat/" + firstName(ExplainCommandTest.SAMPLE.resolve("val/cat")));
        Path out = tmp.resolve("cam");
        CliRun r = CliRun.of("explain", "--grad-cam", "--model", modelFile().toString(), "--image", a.toString(),
                b.toString(), "--out", out.toString(), "--class", "cat");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("Grad-CAM at conv2d_1 (16×16), explaining class cat (1)"), r.out());
        // The expected probabilities and maps, from the model run here on the same preprocessed pixels.
        Model m = model();
        Normalization norm = Normalization.fromMap(ModelFile.Info.of(NAMES).preprocessing(), 3);
        Path[] images = {a, b};
        for (Path img : images) {
            byte[] rgb = ImageFolder.readRgb(img, 32, 32);
            float[] x = new float[32 * 32 * 3];
            norm.toFloat(rgb, 0, x, 0, x.length);
            float p = m.forward(new Tensor(Shape.of(1, 32, 32, 3), x), false).data()[1];
            // <folder>_<name>_<8 hex digits of the SHA-256 of the absolute path>_gradcam.png
            Path png = out.resolve(img.getParent().getFileName() + "_" + img.getFileName().toString()
                    .replace(".jpg", "") + "_" + sha256(img.toAbsolutePath().normalize().toString()).substring(0, 8)
                    + "_gradcam.png");
            assertTrue(r.out().contains(String.format(Locale.ROOT, "%s: cat (1), probability %.4f, wrote %s",
                    img, p, png)), r.out());
            BufferedImage written = ImageIO.read(png.toFile());
            assertEquals(256, written.getWidth(), "32 px enlarged 8 times");
            assertEquals(256, written.getHeight());
            GradCam.Result res = new GradCam(m).compute(new Tensor(Shape.of(1, 32, 32, 3), x), new int[]{1});
            float[] up = GradCam.upsample(res.heatmap(0), 16, 16, 256, 256);
            for (int[] xy : new int[][]{{0, 0}, {100, 37}, {255, 255}}) {
                // The pixel at (x, y) of the 8× enlarged image is source pixel (x/8, y/8).
                int o = 3 * ((xy[1] / 8) * 32 + xy[0] / 8);
                int c = Heatmaps.jet(up[xy[1] * 256 + xy[0]]);
                int[] under = {rgb[o] & 0xFF, rgb[o + 1] & 0xFF, rgb[o + 2] & 0xFF};
                int[] over = {c >> 16 & 0xFF, c >> 8 & 0xFF, c & 0xFF};
                int got = written.getRGB(xy[0], xy[1]);
                int[] gotRgb = {got >> 16 & 0xFF, got >> 8 & 0xFF, got & 0xFF};
                for (int ch = 0; ch < 3; ch++) {
                    float expected = (1 - GradCamImages.ALPHA) * under[ch] + GradCamImages.ALPHA * over[ch];
                    assertEquals(expected, gotRgb[ch], 0.51f, img + " pixel " + xy[0] + "," + xy[1] + " channel " + ch);
                }
            }
        }
    }

    @Test
    void thePredictedClassIsExplainedByDefault() {
        Path a = image("val/airplane/0100.jpg");
        CliRun r = CliRun.of("explain", "--grad-cam", "--model", modelFile().toString(), "--image", a.toString(),
                "--out", tmp.resolve("cam").toString(), "--layer", "conv2d");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("Grad-CAM at conv2d (32×32), explaining each image's predicted class"), r.out());
        assertTrue(Files.isRegularFile(tmp.resolve("cam").resolve(GradCamImages.outputName(a))));
    }

    /**
     * Issue 20, defect 10: an overlay's name depends on its image alone. It was 0100_gradcam.png
     * for cat/0100.jpg alone and cat_0100_gradcam.png beside another 0100.jpg; the same image
     * given twice is explained once.
     */
    @Test
    void anOverlaysNameDoesNotChangeWithTheOtherImages() throws Exception {
        Path cat = image("val/cat/0100.jpg");
        Path airplane = image("val/airplane/0100.jpg");
        String file = modelFile().toString();
        CliRun alone = CliRun.of("explain", "--grad-cam", "--model", file, "--image", cat.toString(),
                "--out", tmp.resolve("alone").toString());
        CliRun beside = CliRun.of("explain", "--grad-cam", "--model", file, "--image", airplane.toString(),
                cat.toString(), cat.toString(), "--out", tmp.resolve("beside").toString());
        assertEquals(0, alone.code(), alone.err());
        assertEquals(0, beside.code(), beside.err());
        assertEquals(List.of(GradCamImages.outputName(cat)), names(tmp.resolve("alone")));
        assertTrue(names(tmp.resolve("beside")).contains(names(tmp.resolve("alone")).get(0)), names(tmp.resolve("beside")).toString());
        assertEquals(2, names(tmp.resolve("beside")).size(), "the repeated image once");
        assertTrue(GradCamImages.outputName(cat).matches("cat_0100_[0-9a-f]{8}_gradcam\\.png"), GradCamImages.outputName(cat));
        assertFalse(GradCamImages.outputName(cat).equals(GradCamImages.outputName(tmp.resolve("other/cat/0100.jpg"))),
                "two cat/0100.jpg in different places");
    }

    private static List<String> names(Path dir) throws Exception {
        try (var s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    private static String sha256(String s) throws Exception {
        return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                .digest(s.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    }

    @Test
    void badLayerClassOrMissingOptionsAreUserErrorsWithoutStackTraces() {
        Path a = image("val/airplane/0100.jpg");
        String file = modelFile().toString();
        String out = tmp.resolve("cam").toString();
        CliRun r = CliRun.of("explain", "--grad-cam", "--model", file, "--image", a.toString(), "--out", out,
                "--layer", "conv9");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("error: grad-cam: model sequential has no layer 'conv9'; expected a layer with a 4-D"
                + " output (N,H,W,C), e.g. one of the Conv2D layers [conv2d, conv2d_1]"), r.err());
        assertClean(r);
        r = CliRun.of("explain", "--grad-cam", "--model", file, "--image", a.toString(), "--out", out,
                "--layer", "dense");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("layer 'dense' of model sequential outputs (None, 3), expected a 4-D output"), r.err());
        assertClean(r);
        r = CliRun.of("explain", "--grad-cam", "--model", file, "--image", a.toString(), "--out", out, "--class", "dog");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("--class dog: expected a class name of the model or an index 0..2, received 'dog';"
                + " the model's classes are [airplane, cat, frog]"), r.err());
        r = CliRun.of("explain", "--grad-cam", "--model", file, "--image", a.toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("--grad-cam needs --image IMG... and --out DIR"), r.err());
        r = CliRun.of("explain", "--model", file, "--layer", "conv2d");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("--layer applies to Grad-CAM only; add --grad-cam"), r.err());
        assertClean(r);
        assertFalse(Files.exists(tmp.resolve("cam")), "no output for failed runs");
    }

    private static void assertClean(CliRun r) {
        assertFalse(r.err().contains("\tat ") || r.out().contains("\tat "), "stack trace printed:\n" + r.err());
    }

    private static String firstName(Path dir) throws Exception {
        try (var s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".jpg")).sorted().findFirst()
                    .orElseThrow();
        }
    }
}
