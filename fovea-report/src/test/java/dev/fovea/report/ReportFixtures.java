package dev.fovea.report;

import dev.fovea.eval.ConfusionMatrix;
import dev.fovea.eval.Misclassified;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/** A CIFAR-10-shaped report with seeded synthetic inputs, shared by the report tests. */
final class ReportFixtures {
    static final List<String> CIFAR = List.of("airplane", "automobile", "bird", "cat", "deer", "dog", "frog",
            "horse", "ship", "truck");
    static final int N = 2000;
    static final int K = 10;

    private ReportFixtures() {
    }

    /** Probabilities (N,K) of a ~75%-accurate model whose mistakes favour look-alike classes. */
    static float[] probabilities(int[] trueLabels) {
        Random r = new Random(5);
        int[] lookAlike = {8, 9, 4, 5, 2, 3, 2, 4, 0, 1};
        float[] probs = new float[N * K];
        for (int i = 0; i < N; i++) {
            trueLabels[i] = i % K;
            double u = r.nextDouble();
            int top = u < 0.75 ? trueLabels[i] : u < 0.9 ? lookAlike[trueLabels[i]] : r.nextInt(K);
            float rest = 1f;
            float p = 0.4f + 0.59f * r.nextFloat();
            probs[i * K + top] = p;
            rest -= p;
            for (int c = 0; c < K; c++) {
                if (c != top) {
                    probs[i * K + c] = rest / (K - 1);
                }
            }
        }
        return probs;
    }

    static TrainingCurves curves(int epochs) {
        double[] loss = new double[epochs];
        double[] valLoss = new double[epochs];
        double[] acc = new double[epochs];
        double[] valAcc = new double[epochs];
        for (int e = 0; e < epochs; e++) {
            loss[e] = 0.55 + 1.0 * Math.exp(-e / 3.0);
            valLoss[e] = 0.72 + 0.8 * Math.exp(-e / 2.5) + 0.01 * e;
            acc[e] = 0.82 - 0.4 * Math.exp(-e / 3.0);
            valAcc[e] = 0.76 - 0.33 * Math.exp(-e / 2.5);
        }
        Map<String, double[]> m = new LinkedHashMap<>();
        m.put("loss", loss);
        m.put("accuracy", acc);
        m.put("val_loss", valLoss);
        m.put("val_accuracy", valAcc);
        return TrainingCurves.of(m);
    }

    /** {@link #curves} plus {@code elapsed_s}: 24.5 s per epoch, the first epoch 31 s (start-up). */
    static TrainingCurves timedCurves(int epochs) {
        Map<String, List<Double>> m = new LinkedHashMap<>(curves(epochs).series());
        List<Double> t = new java.util.ArrayList<>();
        for (int e = 0; e < epochs; e++) {
            t.add(31 + 24.5 * e);
        }
        m.put(Charts.ELAPSED, t);
        return new TrainingCurves(m);
    }

    /** A stand-in for ImageGrid's output: coloured tiles with a caption line, drawn with Java2D. */
    static BufferedImage grid(List<Misclassified.Example> examples) {
        int cols = 8, tile = 96, captionH = 30;
        int rows = (examples.size() + cols - 1) / cols;
        BufferedImage img = new BufferedImage(cols * tile, rows * (tile + captionH), BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, img.getWidth(), img.getHeight());
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 10));
        for (int i = 0; i < examples.size(); i++) {
            Misclassified.Example e = examples.get(i);
            int x = (i % cols) * tile;
            int y = (i / cols) * (tile + captionH);
            g.setColor(Color.getHSBColor(e.index() * 0.137f % 1f, 0.35f, 0.8f));
            g.fillRect(x + 2, y + 2, tile - 4, tile - 4);
            g.setColor(Color.DARK_GRAY);
            g.drawString(CIFAR.get(e.trueLabel()) + " \u2192 " + CIFAR.get(e.predicted()), x + 3, y + tile + 11);
            g.drawString(String.format(java.util.Locale.ROOT, "%.0f%%", 100 * e.confidence()), x + 3, y + tile + 24);
        }
        g.dispose();
        return img;
    }

    /** As {@code fovea summary} prints it: Keras's box-drawn table, whose lines must join on the page. */
    static final String SUMMARY = """
            Model: "tutorial-cnn"
            ┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━┳━━━━━━━━━┓
            ┃ Layer (type)                 ┃ Output Shape   ┃ Param # ┃
            ┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━╇━━━━━━━━━┩
            │ input (InputLayer)           │ (32, 32, 3)    │       0 │
            ├──────────────────────────────┼────────────────┼─────────┤
            │ conv2d (Conv2D)              │ (32, 32, 32)   │     896 │
            ├──────────────────────────────┼────────────────┼─────────┤
            │ max_pooling2d (MaxPooling2D) │ (16, 16, 32)   │       0 │
            ├──────────────────────────────┼────────────────┼─────────┤
            │ flatten (Flatten)            │ (8192)         │       0 │
            ├──────────────────────────────┼────────────────┼─────────┤
            │ dense (Dense)                │ (10)           │  81,930 │
            └──────────────────────────────┴────────────────┴─────────┘
             Total params: 82,826 <all trainable & "float32">
            """;

    /** The full training report with every section, the time-to-accuracy curve and a TTA accuracy. */
    static HtmlReport fullTrainingReport() {
        int[] t = new int[N];
        float[] probs = probabilities(t);
        int[] pred = Misclassified.argmax(probs, K);
        ConfusionMatrix cm = ConfusionMatrix.of(t, pred, CIFAR);
        List<Misclassified.Example> worst = Misclassified.mostConfident(t, pred, probs, K, 32);
        Map<String, String> provenance = new LinkedHashMap<>();
        provenance.put("command", "./fovea train --model tutorial-cnn --data cifar-10-binary.tar.gz --epochs 10 "
                + "--seed 42 --out runs/<first & only>");
        provenance.put("seed", "42");
        provenance.put("fovea", "0.1.0-SNAPSHOT");
        provenance.put("java", "17.0.15 (Debian)");
        provenance.put("data sha-256", "c4a38c50a1bc5f3a1c5537f2155ab9d68f9f25eb1ed8d9ddda3db29a59bca1dd");
        provenance.put("duration", "4 min 12 s");
        provenance.put("throughput", "1,984 images/s");
        return HtmlReport.training("tutorial-cnn on CIFAR-10")
                .keyFigures(Map.of("test loss", "0.731"))
                .provenance(provenance)
                .curves(timedCurves(10))
                .accuracyWithTta("6view", 0.7612)
                .evaluation(cm)
                .misclassified(grid(worst), "The 32 most confident mistakes: true \u2192 predicted, confidence", worst)
                .modelSummary(SUMMARY);
    }

    /**
     * {@link #fullTrainingReport()} with the Grad-CAM gallery of its 24 first mistakes, 96×96
     * tiles as {@code ModelEvaluation} draws for CIFAR-10 (32×32 enlarged 3×); the captions differ
     * in length ("#7: cat → dog" against "#1234: automobile → airplane") as real ones do.
     */
    static HtmlReport gradCamReport() {
        int[] t = new int[N];
        float[] probs = probabilities(t);
        int[] pred = Misclassified.argmax(probs, K);
        List<Misclassified.Example> worst = Misclassified.mostConfident(t, pred, probs, K, 24);
        List<HtmlReport.Explained> items = new java.util.ArrayList<>();
        for (Misclassified.Example e : worst) {
            items.add(new HtmlReport.Explained(e, tile(e.index(), 0.3f), tile(e.index(), 0.7f), tile(e.index(), 0.5f)));
        }
        return fullTrainingReport().misclassifiedHeatmaps("conv2d_5", items);
    }

    private static BufferedImage tile(int seed, float saturation) {
        BufferedImage img = new BufferedImage(96, 96, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setColor(Color.getHSBColor(seed * 0.137f % 1f, saturation, 0.85f));
        g.fillRect(0, 0, 96, 96);
        g.dispose();
        return img;
    }
}
