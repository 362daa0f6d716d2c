package dev.fovea.cli;

import static dev.fovea.nn.ActivationFunction.RELU;
import static dev.fovea.nn.Padding.SAME;

import dev.fovea.data.Augmentation;
import dev.fovea.data.Dataset;
import dev.fovea.data.ImageFolder;
import dev.fovea.data.Normalization;
import dev.fovea.data.Splits;
import dev.fovea.io.ModelFile;
import dev.fovea.loss.SparseCategoricalCrossentropy;
import dev.fovea.nn.ActivationFunction;
import dev.fovea.nn.Conv2D;
import dev.fovea.nn.Dense;
import dev.fovea.nn.Flatten;
import dev.fovea.nn.Input;
import dev.fovea.nn.MaxPooling2D;
import dev.fovea.nn.Model;
import dev.fovea.nn.SymbolicTensor;
import dev.fovea.optim.Adam;
import dev.fovea.optim.SGD;
import dev.fovea.train.DataFeed;
import dev.fovea.train.FitOptions;
import dev.fovea.train.Trainer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Test fixture: a small CNN trained for one epoch on the shared 1,200-image CIFAR-10 sample
 * (a few seconds), kept in memory for every test class of this JVM, plus the helpers the
 * evaluate and predict tests share (running the CLI, writing CIFAR batch files, independent
 * predictions through {@link Trainer#predict}).
 */
final class TrainedModel {
    static final Path SAMPLE = dev.fovea.io.ReferenceFiles.datasets().resolve("cifar10-images-sample");

    private static Splits sample;
    private static Model model;
    private static Normalization norm;

    private TrainedModel() {
    }


    static CliRun run(String... args) {
        return CliRun.of(args);
    }

    static synchronized Splits sample() {
        if (sample == null) {
            sample = ImageFolder.load(SAMPLE, new ImageFolder.Options(32, 32, true), w -> { });
        }
        return sample;
    }

    /** Conv(8)-pool-conv(16)-pool-dense, input (h,w,c); a softmax or linear (logits) head. */
    static Model small(int h, int w, int c, int classes, ActivationFunction head) {
        SymbolicTensor in = Input.of(h, w, c);
        SymbolicTensor x = new Conv2D(8, 3, SAME, RELU).apply(in);
        x = new MaxPooling2D(2).apply(x);
        x = new Conv2D(16, 3, SAME, RELU).apply(x);
        x = new MaxPooling2D(2).apply(x);
        x = new Flatten().apply(x);
        return Model.of(in, new Dense(classes, head).apply(x));
    }

    /** The trained model (softmax head) and the standardization it was trained with. */
    static synchronized Model model() {
        if (model == null) {
            Dataset train = sample().train();
            norm = Normalization.fit(train);
            Model m = small(32, 32, 3, 10, ActivationFunction.SOFTMAX);
            Trainer t = new Trainer(m, new Adam(0.003), new SparseCategoricalCrossentropy());
            t.fit(new DataFeed(train, Augmentation.none(), norm, 7),
                    new FitOptions().epochs(1).batchSize(32).verbose(0));
            model = m;
        }
        return model;
    }

    static synchronized Normalization norm() {
        model();
        return norm;
    }

    /** Writes the trained model with its class names, preprocessing and provenance. */
    static Path write(Path file) {
        ModelFile.save(file, model(), new ModelFile.Info(sample().train().classNames(), norm().toMap(),
                Map.of("seed", 7, "epochs", 1)));
        return file;
    }

    /** The model's outputs (N,K) on {@code data}, computed by the library rather than the CLI. */
    static float[] predict(Model m, Dataset data, Normalization n) {
        return new Trainer(m, new SGD(), new SparseCategoricalCrossentropy()).predict(DataFeed.plain(data, n), 16);
    }

    /** Fraction of rows whose largest output is at the label; ties go to the first, as NumPy's argmax. */
    static double accuracy(float[] out, int[] labels, int k) {
        int correct = 0;
        for (int i = 0; i < labels.length; i++) {
            int best = 0;
            for (int j = 1; j < k; j++) {
                if (out[i * k + j] > out[i * k + best]) {
                    best = j;
                }
            }
            correct += best == labels[i] ? 1 : 0;
        }
        return (double) correct / labels.length;
    }

    /**
     * Writes images {@code indices} of {@code ds} as CIFAR-10 binary records: one label byte,
     * then the red, green and blue planes, each row-major 32×32.
     */
    static Path writeBin(Path file, Dataset ds, int[] indices) throws IOException {
        byte[] b = new byte[indices.length * 3073];
        for (int r = 0; r < indices.length; r++) {
            byte[] img = ds.image(indices[r]);
            b[r * 3073] = (byte) ds.label(indices[r]);
            for (int p = 0; p < 1024; p++) {
                for (int ch = 0; ch < 3; ch++) {
                    b[r * 3073 + 1 + ch * 1024 + p] = img[3 * p + ch];
                }
            }
        }
        Files.write(file, b);
        return file;
    }

    /** The labels of images {@code indices} of {@code ds}. */
    static int[] labels(Dataset ds, int[] indices) {
        int[] l = new int[indices.length];
        for (int i = 0; i < l.length; i++) {
            l[i] = ds.label(indices[i]);
        }
        return l;
    }

    static List<String> cifarNames() {
        return sample().train().classNames();
    }
}
