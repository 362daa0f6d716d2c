package dev.fovea.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.fovea.data.ImageFolder;
import dev.fovea.data.Normalization;
import dev.fovea.io.ModelFile;
import dev.fovea.nn.Conv2D;
import dev.fovea.nn.Input;
import dev.fovea.nn.Model;
import dev.fovea.nn.Presets;
import dev.fovea.nn.SymbolicTensor;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ExplainCommandTest {
    static final Path SAMPLE = dev.fovea.io.ReferenceFiles.datasets().resolve("cifar10-images-sample");
    /** ImageGrid's layout: 4 px gaps, cells at least 72 px wide. */
    static final int GAP = 4;
    static final int CELL = 72;
    /** Every explain PNG starts with a 28 px title band. */
    static final int TITLE = 28;
    /** The input image beside feature maps: a 32 px image drawn 4 times larger in a grid cell, 4 + 128 + 4. */
    static final int INPUT_PANEL = GAP + 128 + GAP;

    @TempDir
    Path tmp;


    private static CliRun run(String... args) {
        return CliRun.of(args);
    }

    private static void assertClean(CliRun r) {
        assertFalse(r.err().contains("\tat ") || r.out().contains("\tat "), "stack trace printed:\n" + r.err());
    }

    @Test
    void fiveByFiveConvOnCifarAgainstDenseLayer() {
        SymbolicTensor in = Input.of(32, 32, 3);
        Path file = tmp.resolve("one-conv.safetensors");
        ModelFile.save(file, Model.of(in, new Conv2D(64, 5).apply(in)), ModelFile.Info.of(List.of()));
        CliRun r = run("explain", "--model", file.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("conv2d (Conv2D, 64 filters of 5×5, linear): 32×32×3 → 28×28×64\n"), r.out());
        assertTrue(r.out().contains("  height: valid padding, stride 1: out = floor((32 − 5)/1) + 1 = 28 (N − K + 1)\n"
                + "  width:  valid padding, stride 1: out = floor((32 − 5)/1) + 1 = 28 (N − K + 1)\n"), r.out());
        assertTrue(r.out().contains("  weights: 5·5·3·64 = 4,800 kernel weights (+ 64 biases) against 3,072·50,176"
                + " = 154,140,672 (154 million) for a dense layer from 32×32×3 to 28×28×64 (32,113× as many)\n"), r.out());
        assertTrue(r.out().contains("(N·28·28) × (5·5·3) patches times (5·5·3) × 64 kernel = (N·784 × 75)·(75 × 64),"
                + " 3,763,200 (3.8 million) multiply-adds per image"), r.out());
        assertFalse(r.out().contains("preset"), r.out());
    }

    @Test
    void tutorialCnnHasALineForEveryConvAndPool() {
        CliRun r = run("explain", "--model", "tutorial-cnn");
        assertEquals(0, r.code(), r.err());
        int[] filters = {32, 64, 128};
        int size = 32;
        int in = 3;
        for (int b = 0; b < 3; b++) {
            String c1 = "conv2d" + (b == 0 ? "" : "_" + 2 * b);
            String c2 = "conv2d_" + (2 * b + 1);
            String pool = "max_pooling2d" + (b == 0 ? "" : "_" + b);
            int f = filters[b];
            String d = size + "×" + size + "×";
            assertTrue(r.out().contains(c1 + " (Conv2D, " + f + " filters of 3×3, relu): " + d + in + " → " + d + f + "\n"),
                    c1 + "\n" + r.out());
            assertTrue(r.out().contains(c2 + " (Conv2D, " + f + " filters of 3×3, relu): " + d + f + " → " + d + f + "\n"),
                    c2 + "\n" + r.out());
            assertTrue(r.out().contains("  height: same padding, stride 1: out = ceil(" + size + "/1) = " + size
                    + " (N), zero-padded 1 before + 1 after\n"), r.out());
            assertTrue(r.out().contains("  weights: 3·3·" + in + "·" + f + " = "), r.out());
            int half = size / 2;
            assertTrue(r.out().contains(pool + " (MaxPooling2D, 2×2 window, stride 2×2): " + d + f + " → "
                    + half + "×" + half + "×" + f + "\n  height: valid padding, stride 2: out = floor((" + size
                    + " − 2)/2) + 1 = " + half + "\n"), pool + "\n" + r.out());
            in = f;
            size = half;
        }
        assertEquals(6, r.out().split("\\(Conv2D, ", -1).length - 1, r.out());
        assertEquals(3, r.out().split("\\(MaxPooling2D, ", -1).length - 1, r.out());
        // 3·3·(3·32 + 32·32 + 32·64 + 64·64 + 64·128 + 128·128)
        assertTrue(r.out().contains("all convolutions: 286,560 kernel weights"), r.out());
        assertTrue(r.out().contains("a preset: untrained"), r.out());
        assertTrue(r.out().contains("add --out DIR"), r.out());
    }

    @Test
    void outWritesTheFirstLayersFiltersAsRgbTiles() throws IOException {
        Path dir = tmp.resolve("explain");
        CliRun r = run("explain", "--model", "tutorial-cnn", "--out", dir.toString());
        assertEquals(0, r.code(), r.err());
        Path png = dir.resolve("filters.png");
        assertTrue(r.out().contains("wrote " + png + "\n"), r.out());
        assertTrue(r.out().contains("no --image given: add --image IMG"), r.out());
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(List.of(png), files.toList());
        }
        BufferedImage img = ImageIO.read(png.toFile());
        // 32 filters, 8 per row: 4 rows of 72-px cells; 3×3 kernels drawn 16 times larger (48 px),
        // under the title band.
        assertEquals(8 * (CELL + GAP) + GAP, img.getWidth());
        assertEquals(0, (img.getHeight() - TITLE - GAP) % 4);
        assertTitle(img, "conv2d filters (32 of 3×3×3, as RGB)");
        int cellH = (img.getHeight() - TITLE - GAP) / 4 - GAP;
        // The preset's weights come from seed 0: redraw two filters' pixels independently.
        float[] k = Presets.create("tutorial-cnn", 32, 32, 3, 10).namedParams().get("conv2d/kernel").value();
        for (int f : new int[]{0, 9, 31}) {
            float min = Float.POSITIVE_INFINITY;
            float max = Float.NEGATIVE_INFINITY;
            for (int i = 0; i < 27; i++) {
                min = Math.min(min, k[i * 32 + f]);
                max = Math.max(max, k[i * 32 + f]);
            }
            int x0 = GAP + (f % 8) * (CELL + GAP) + (CELL - 48) / 2;
            int y0 = TITLE + GAP + (f / 8) * (cellH + GAP);
            for (int ky = 0; ky < 3; ky++) {
                for (int kx = 0; kx < 3; kx++) {
                    int rgb = img.getRGB(x0 + 16 * kx + 8, y0 + 16 * ky + 8);
                    for (int c = 0; c < 3; c++) {
                        float v = k[((ky * 3 + kx) * 3 + c) * 32 + f];
                        int expected = Math.round(255f * (v - min) / (max - min));
                        assertEquals(expected, (rgb >> (16 - 8 * c)) & 0xFF, "filter " + f + " at " + ky + "," + kx);
                    }
                }
            }
        }
    }

    @Test
    void imageGivesOneFeatureMapGridPerBlock() throws IOException {
        Path jpeg = SAMPLE.resolve("val/airplane/0100.jpg");
        assumeTrue(Files.isRegularFile(jpeg), "shared image sample not present");
        Path dir = tmp.resolve("out");
        CliRun r = run("explain", "--model", "tutorial-cnn", "--image", jpeg.toString(), "--out", dir.toString());
        assertEquals(0, r.code(), r.err());
        String[] blocks = {"features_1_max_pooling2d.png", "features_2_max_pooling2d_1.png",
                "features_3_max_pooling2d_2.png"};
        int[] sizes = {16, 8, 4};
        int[] channels = {32, 64, 128};
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(4, files.count());
        }
        for (int b = 0; b < 3; b++) {
            Path png = dir.resolve(blocks[b]);
            assertTrue(r.out().contains("wrote " + png + "\n  32 of " + channels[b] + " channels after "), r.out());
            BufferedImage img = ImageIO.read(png.toFile());
            // The input panel, then 32 channels in 8 columns: 4 rows; maps enlarged to 64 px,
            // cells 72 px wide; all under the title band.
            assertEquals(INPUT_PANEL + 8 * (CELL + GAP) + GAP, img.getWidth(), blocks[b]);
            int cellH = (img.getHeight() - TITLE - GAP) / 4 - GAP;
            assertEquals(0, (img.getHeight() - TITLE - GAP) % 4, blocks[b]);
            assertTrue(cellH > 64 && cellH < 64 + 30, "cell height " + cellH);
            assertTitle(img, "feature maps after block " + (b + 1) + ": " + blocks[b].substring(11, blocks[b].length() - 4)
                    + " (" + sizes[b] + "×" + sizes[b] + ", 32 of " + channels[b] + " channels)");
            assertInputPanel(img, ImageFolder.readRgb(jpeg, 32, 32));
            // Every map is grayscale: r = g = b inside the first tile.
            int scale = 64 / sizes[b];
            for (int p = 0; p < sizes[b]; p++) {
                int rgb = img.getRGB(INPUT_PANEL + GAP + (CELL - 64) / 2 + p * scale, TITLE + GAP + p * scale);
                assertEquals(rgb & 0xFF, (rgb >> 8) & 0xFF);
                assertEquals(rgb & 0xFF, (rgb >> 16) & 0xFF);
            }
        }
    }

    @Test
    void grayscaleModelWithoutPoolsShowsMapsAfterEachConv() throws IOException {
        Path jpeg = SAMPLE.resolve("val/airplane/0100.jpg");
        assumeTrue(Files.isRegularFile(jpeg), "shared image sample not present");
        // conv2d is a 1×1 identity, so its map is the preprocessed grayscale image itself.
        SymbolicTensor in = Input.of(32, 32, 1);
        Conv2D identity = new Conv2D(1, 1);
        Model m = Model.of(in, new Conv2D(2, 3).apply(identity.apply(in)));
        identity.params().get(0).value()[0] = 1f;
        Path file = tmp.resolve("gray.safetensors");
        ModelFile.save(file, m, new ModelFile.Info(List.of(),
                new Normalization(new float[]{0.5f}, new float[]{0.25f}).toMap(), java.util.Map.of()));
        Path dir = tmp.resolve("gray");
        CliRun r = run("explain", "--model", file.toString(), "--image", jpeg.toString(), "--out", dir.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("wrote " + dir.resolve("features_1_conv2d.png") + "\n  1 of 1 channels after conv2d"),
                r.out());
        assertTrue(r.out().contains("wrote " + dir.resolve("features_2_conv2d_1.png") + "\n  2 of 2 channels after"),
                r.out());
        assertTrue(r.out().contains("one grayscale tile per input channel"), r.out());

        byte[] rgb = ImageFolder.readRgb(jpeg, 32, 32);
        int[] luma = new int[32 * 32];
        int lo = 255;
        int hi = 0;
        for (int p = 0; p < luma.length; p++) {
            luma[p] = (int) Math.round((299.0 * (rgb[3 * p] & 0xFF) + 587.0 * (rgb[3 * p + 1] & 0xFF)
                    + 114.0 * (rgb[3 * p + 2] & 0xFF)) / 1000);
            lo = Math.min(lo, luma[p]);
            hi = Math.max(hi, luma[p]);
        }
        BufferedImage img = ImageIO.read(dir.resolve("features_1_conv2d.png").toFile());
        assertTitle(img, "feature maps after block 1: conv2d (32×32, 1 of 1 channels)");
        // The panel shows what the model sees before normalization: the luma image, gray.
        byte[] gray = new byte[32 * 32 * 3];
        for (int p = 0; p < luma.length; p++) {
            gray[3 * p] = gray[3 * p + 1] = gray[3 * p + 2] = (byte) luma[p];
        }
        assertInputPanel(img, gray);
        int x0 = INPUT_PANEL + GAP + (CELL - 64) / 2;
        for (int y = 0; y < 32; y++) {
            for (int x = 0; x < 32; x++) {
                int expected = Math.round(255f * (luma[y * 32 + x] - lo) / (hi - lo));
                int got = img.getRGB(x0 + 2 * x, TITLE + GAP + 2 * y) & 0xFF;
                assertTrue(Math.abs(expected - got) <= 1, "pixel " + y + "," + x + ": " + expected + " vs " + got);
            }
        }
        // A 1×1×1 filter is one value: constant, so drawn black.
        BufferedImage filters = ImageIO.read(dir.resolve("filters.png").toFile());
        // One 80 px cell, widened to fit its title.
        assertTrue(filters.getWidth() > CELL + 2 * GAP, "width " + filters.getWidth());
        assertTitle(filters, "conv2d filters (1 of 1×1×1, one grayscale tile per input channel)");
        assertEquals(0, filters.getRGB(GAP + (CELL - 48) / 2 + 24, TITLE + GAP + 24) & 0xFFFFFF);
    }

    /**
     * Convolutions inside a nested model are explained under their paths and get feature maps
     * too (before the layer walk they were skipped: "the convolution blocks sit inside a nested
     * model"). The first is a 1×1 identity, so its map is the grayscale image itself, by hand.
     */
    @Test
    void aNestedModelsConvolutionsAreExplainedAndDrawnUnderTheirPaths() throws IOException {
        Path jpeg = SAMPLE.resolve("val/airplane/0100.jpg");
        assumeTrue(Files.isRegularFile(jpeg), "shared image sample not present");
        Conv2D identity = new Conv2D(1, 1);
        Model block = Model.sequential("block", Input.of(32, 32, 1), List.of(identity, new Conv2D(2, 3)));
        SymbolicTensor in = Input.of(32, 32, 1);
        Model m = Model.of(in, block.apply(in));
        identity.params().get(0).value()[0] = 1f;
        identity.params().get(1).value()[0] = 0f;
        Path file = tmp.resolve("nested.safetensors");
        ModelFile.save(file, m, ModelFile.Info.of(List.of()));
        Path dir = tmp.resolve("nested");
        CliRun r = run("explain", "--model", file.toString(), "--image", jpeg.toString(), "--out", dir.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("block/conv2d (Conv2D, 1 filters of 1×1, linear): 32×32×1 → 32×32×1\n"), r.out());
        assertTrue(r.out().contains("block/conv2d_1 (Conv2D, 2 filters of 3×3, linear): 32×32×1 → 30×30×2\n"), r.out());
        assertTrue(r.out().contains("wrote " + dir.resolve("features_1_block_conv2d.png")
                + "\n  1 of 1 channels after block/conv2d"), r.out());
        assertTrue(r.out().contains("wrote " + dir.resolve("features_2_block_conv2d_1.png")
                + "\n  2 of 2 channels after block/conv2d_1"), r.out());

        byte[] rgb = ImageFolder.readRgb(jpeg, 32, 32);
        int[] luma = new int[32 * 32];
        int lo = 255;
        int hi = 0;
        for (int p = 0; p < luma.length; p++) {
            luma[p] = (int) Math.round((299.0 * (rgb[3 * p] & 0xFF) + 587.0 * (rgb[3 * p + 1] & 0xFF)
                    + 114.0 * (rgb[3 * p + 2] & 0xFF)) / 1000);
            lo = Math.min(lo, luma[p]);
            hi = Math.max(hi, luma[p]);
        }
        BufferedImage img = ImageIO.read(dir.resolve("features_1_block_conv2d.png").toFile());
        assertTitle(img, "feature maps after block 1: block/conv2d (32×32, 1 of 1 channels)");
        int x0 = INPUT_PANEL + GAP + (CELL - 64) / 2;
        for (int y = 0; y < 32; y++) {
            for (int x = 0; x < 32; x++) {
                int expected = Math.round(255f * (luma[y * 32 + x] - lo) / (hi - lo));
                int got = img.getRGB(x0 + 2 * x, TITLE + GAP + 2 * y) & 0xFF;
                assertTrue(Math.abs(expected - got) <= 1, "pixel " + y + "," + x + ": " + expected + " vs " + got);
            }
        }
    }

    /**
     * The band above the picture holds exactly {@code title}: it is pixel-identical to the band
     * that {@link ExplainImages#titled} draws for that text over a blank picture of the same width,
     * and it is inked (not all background).
     */
    private static void assertTitle(BufferedImage img, String title) {
        BufferedImage expected = ExplainImages.titled(title, new BufferedImage(img.getWidth(), 1,
                BufferedImage.TYPE_INT_RGB));
        assertEquals(img.getWidth(), expected.getWidth(), "image width vs the title's: " + title);
        int inked = 0;
        for (int y = 0; y < TITLE; y++) {
            for (int x = 0; x < img.getWidth(); x++) {
                int rgb = img.getRGB(x, y) & 0xFFFFFF;
                assertEquals(expected.getRGB(x, y) & 0xFFFFFF, rgb, "title '" + title + "' differs at " + x + "," + y);
                inked += rgb == 0xFFFFFF ? 0 : 1;
            }
        }
        assertTrue(inked > 100, "title band nearly blank: " + inked + " inked pixels");
    }

    /** The input image sits at the top left under the title, each pixel a 4 × 4 block. */
    private static void assertInputPanel(BufferedImage img, byte[] rgb) {
        for (int y = 0; y < 32; y++) {
            for (int x = 0; x < 32; x++) {
                int at = (y * 32 + x) * 3;
                int expected = (rgb[at] & 0xFF) << 16 | (rgb[at + 1] & 0xFF) << 8 | (rgb[at + 2] & 0xFF);
                for (int d : new int[] {0, 3}) {
                    assertEquals(expected, img.getRGB(GAP + 4 * x + d, TITLE + GAP + 4 * y + d) & 0xFFFFFF,
                            "input pixel " + y + "," + x);
                }
            }
        }
    }

    @Test
    void failuresSayWhatToDo() throws IOException {
        CliRun r = run("explain", "--model", tmp.resolve("nope.safetensors").toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("neither a preset (tutorial-cnn, fast, fast-small) nor an existing model file"), r.err());
        assertClean(r);

        r = run("explain", "--model", "tutorial-cnn", "--image", tmp.resolve("none.jpg").toString(),
                "--out", tmp.toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("--image " + tmp.resolve("none.jpg") + ": no such file"), r.err());
        assertClean(r);

        r = run("explain", "--model", "tutorial-cnn", "--image", "x.jpg");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("--image needs --out DIR"), r.err());

        Path bad = tmp.resolve("bad.jpg");
        Files.writeString(bad, "not a jpeg");
        r = run("explain", "--model", "tutorial-cnn", "--image", bad.toString(), "--out", tmp.resolve("o").toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("bad.jpg: cannot decode this image"), r.err());
        assertClean(r);
    }
}
