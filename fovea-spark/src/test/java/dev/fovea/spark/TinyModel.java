package dev.fovea.spark;

import static dev.fovea.nn.ActivationFunction.RELU;
import static dev.fovea.nn.Padding.SAME;

import dev.fovea.data.Augmentation;
import dev.fovea.data.Dataset;
import dev.fovea.data.ImageFolder;
import dev.fovea.data.Normalization;
import dev.fovea.io.ModelFile;
import dev.fovea.io.ReferenceFiles;
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
import dev.fovea.train.DataFeed;
import dev.fovea.train.FitOptions;
import dev.fovea.train.Trainer;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.SparkSession;

/**
 * Test fixture: a small CNN (linear head, so predictions go through the softmax) trained for one
 * epoch on the shared CIFAR-10 image sample in a few seconds, kept for the JVM; model files of
 * other input shapes for the mismatch tests; and the tests' local[2] session settings.
 */
final class TinyModel {
    static final Path SAMPLE = ReferenceFiles.datasets().resolve("cifar10-images-sample");
    static final Path CIFAR = ReferenceFiles.datasets().resolve("cifar-10-binary.tar.gz");

    private static Model model;
    private static Normalization norm;
    private static List<String> classes;

    private TinyModel() {
    }

    /** Conv(8)-pool-conv(16)-pool-dense over (h,w,c) inputs. */
    static Model small(int h, int w, int c, int k, ActivationFunction head) {
        SymbolicTensor in = Input.of(h, w, c);
        SymbolicTensor x = new Conv2D(8, 3, SAME, RELU).apply(in);
        x = new MaxPooling2D(2).apply(x);
        x = new Conv2D(16, 3, SAME, RELU).apply(x);
        x = new MaxPooling2D(2).apply(x);
        x = new Flatten().apply(x);
        return Model.of(in, new Dense(k, head).apply(x));
    }

    static synchronized Model model() {
        if (model == null) {
            Dataset train = ImageFolder.load(SAMPLE, new ImageFolder.Options(32, 32, true), w -> { }).train();
            norm = Normalization.fit(train);
            classes = train.classNames();
            Model m = small(32, 32, 3, 10, ActivationFunction.LINEAR);
            new Trainer(m, new Adam(0.003), new SparseCategoricalCrossentropy())
                    .fit(new DataFeed(train, Augmentation.none(), norm, 7), new FitOptions().epochs(1).batchSize(32).verbose(0));
            model = m;
        }
        return model;
    }

    static synchronized Normalization norm() {
        model();
        return norm;
    }

    static synchronized List<String> classes() {
        model();
        return classes;
    }

    /** The trained model's file, with class names and standardization. */
    static Path write(Path file) {
        ModelFile.save(file, model(), new ModelFile.Info(classes(), norm().toMap(), Map.of("seed", 7)));
        return file;
    }

    /** An untrained model of another input shape, with CIFAR-10's class names. */
    static Path writeShape(Path file, int h, int w, int c) {
        ModelFile.save(file, small(h, w, c, 10, ActivationFunction.SOFTMAX), ModelFile.Info.of(classes()));
        return file;
    }

    /** One local[2] session for a test class: no UI, few shuffle partitions. */
    static SparkSession session() {
        return SparkSession.builder().master("local[2]").appName("fovea-spark-test")
                .config("spark.ui.enabled", "false")
                .config("spark.sql.shuffle.partitions", "2")
                .getOrCreate();
    }
}
