package dev.fovea.spark;

import dev.fovea.FoveaException;
import dev.fovea.io.ModelFile;
import dev.fovea.nn.Model;
import dev.fovea.tensor.Shape;
import java.io.IOException;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * Batch inference over a {@code Dataset<Row>}: every input row comes back with four columns
 * added, {@code prediction} (class name), {@code confidence} (its probability),
 * {@code top_k} (array of struct {@code {class, probability}}, most probable first; ties keep
 * class order) and {@code error} (null, or why the row's image could not be classified; then the
 * other three are null). A bad image never fails the job.
 *
 * <p>Everything that can be wrong with the model against the data (not an image classifier, not
 * 3 channels, pixel records of another size than the model's input) is checked here, on the
 * driver, before any task is scheduled. The returned dataset is lazy: the model file is
 * broadcast now, and work happens when the caller writes or collects it.
 */
public final class SparkPredictor {
    /** Columns this class adds; an input that already has one of them is refused. */
    public static final List<String> ADDED = List.of("prediction", "confidence", "top_k", "error");

    private SparkPredictor() {
    }

    /**
     * What to read from each row and how to batch.
     *
     * @param column    the binary column holding the image
     * @param height    0 when the column holds encoded files (JPEG, PNG, BMP, GIF: decoded and
     *                  resized to the model's input as {@code fovea predict} does); otherwise the
     *                  column holds raw RGB pixels (height,width,3) that must match the model's input
     * @param width     as height
     * @param topK      classes listed in {@code top_k} (capped at the model's class count)
     * @param batchSize images per forward pass
     */
    public record Options(String column, int height, int width, int topK, int batchSize) implements Serializable {
        public Options {
            if (topK < 1) {
                throw new FoveaException("top-k must be at least 1, received " + topK);
            }
            if (batchSize < 1) {
                throw new FoveaException("batch size must be at least 1, received " + batchSize);
            }
            if (height < 0 || width < 0 || (height == 0) != (width == 0)) {
                throw new FoveaException("pixel size must be both 0 (encoded images) or both positive, received "
                        + height + "×" + width);
            }
        }

        /** Encoded image files in {@code column} (Spark's binaryFile source calls it {@code content}); top 5, batches of 64. */
        public static Options encoded(String column) {
            return new Options(column, 0, 0, 5, 64);
        }

        /** Raw RGB pixels (height,width,3) in {@code column}, e.g. CIFAR-10 records; top 5, batches of 64. */
        public static Options pixels(String column, int height, int width) {
            return new Options(column, height, width, 5, 64);
        }

        public Options withTopK(int k) {
            return new Options(column, height, width, k, batchSize);
        }

        public Options withBatchSize(int n) {
            return new Options(column, height, width, topK, n);
        }

        boolean encodedImages() {
            return height == 0;
        }
    }

    /** {@link #predict(SparkSession, Dataset, byte[], String, Options)} for a model file on the driver's disk. */
    public static Dataset<Row> predict(SparkSession spark, Dataset<Row> images, Path modelFile, Options options) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(modelFile);
        } catch (IOException e) {
            throw new FoveaException("cannot read model file " + modelFile + " (" + e.getMessage()
                    + "); check the path and its permissions", e);
        }
        return predict(spark, images, bytes, modelFile.toString(), options);
    }

    /**
     * The rows of {@code images} with the predictions added.
     *
     * @param modelFile the bytes of a model file written by {@code fovea train} or {@code ModelFile.save}
     * @param name      where the bytes came from, for messages
     */
    public static Dataset<Row> predict(SparkSession spark, Dataset<Row> images, byte[] modelFile, String name,
                                       Options options) {
        ModelFile.Loaded loaded = ModelFile.fromFile(ModelBroadcast.parse(modelFile, name));
        Shape in = checkModel(loaded.model(), name, options);
        StructType schema = images.schema();
        int column = checkColumn(schema, options.column());
        List<String> classes = classNames(loaded);
        ModelBroadcast model = ModelBroadcast.of(spark, modelFile, name);
        PartitionPredictor fn = new PartitionPredictor(model, options, column, pathColumn(schema),
                in.dim(0), in.dim(1), Math.min(options.topK(), classes.size()));
        return images.mapPartitions(fn, Encoders.row(outputSchema(schema)));
    }

    /** The input schema followed by the four added columns. */
    public static StructType outputSchema(StructType input) {
        StructType top = new StructType()
                .add("class", DataTypes.StringType, false)
                .add("probability", DataTypes.FloatType, false);
        return input
                .add("prediction", DataTypes.StringType, true)
                .add("confidence", DataTypes.FloatType, true)
                .add("top_k", DataTypes.createArrayType(top, false), true)
                .add("error", DataTypes.StringType, true);
    }

    /** The model's class names, or class_0… when the file has none (or the wrong count). */
    static List<String> classNames(ModelFile.Loaded loaded) {
        int k = loaded.model().outputShape().dim(-1);
        if (loaded.info().classNames().size() == k) {
            return loaded.info().classNames();
        }
        List<String> l = new ArrayList<>();
        for (int i = 0; i < k; i++) {
            l.add("class_" + i);
        }
        return l;
    }

    /** Fails, saying why, when {@code m} cannot classify the images {@code o} describes. */
    static Shape checkModel(Model m, String name, Options o) {
        Shape in = m.inputShape();
        if (in.rank() != 3) {
            throw new FoveaException("model " + name + " takes inputs of shape " + in.toBatchString()
                    + ", not images (height, width, channels); pass an image classifier");
        }
        int h = in.dim(0);
        int w = in.dim(1);
        int c = in.dim(2);
        if (o.encodedImages() && c != 3) {
            throw new FoveaException("model " + name + " expects " + c + "-channel images (" + h + "×" + w + "×" + c
                    + ") but image files are decoded as 3-channel RGB; use a model trained on RGB images");
        }
        if (!o.encodedImages() && (h != o.height() || w != o.width() || c != 3)) {
            throw new FoveaException("model " + name + " expects " + h + "×" + w + "×" + c + " inputs but column '"
                    + o.column() + "' holds " + o.height() + "×" + o.width() + "×3 RGB pixel records (e.g. CIFAR-10's"
                    + " 32×32×3); use a model trained at that size, or give it encoded image files, which are resized");
        }
        return in;
    }

    private static int checkColumn(StructType schema, String column) {
        List<String> names = Arrays.asList(schema.fieldNames());
        for (String added : ADDED) {
            if (names.contains(added)) {
                throw new FoveaException("the input already has a column '" + added + "', which predictions add;"
                        + " rename or drop it first (columns: " + names + ")");
            }
        }
        if (!names.contains(column)) {
            throw new FoveaException("the input has no column '" + column + "' to read images from; its columns are "
                    + names + "; pass the binary column that holds the images");
        }
        StructField f = schema.apply(column);
        if (!f.dataType().equals(DataTypes.BinaryType)) {
            throw new FoveaException("column '" + column + "' is of type " + f.dataType().simpleString()
                    + ", expected binary (image bytes); pass the binary column that holds the images");
        }
        return schema.fieldIndex(column);
    }

    /** Index of a string {@code path} column (binaryFile's), named in per-row errors; -1 if none. */
    private static int pathColumn(StructType schema) {
        List<String> names = Arrays.asList(schema.fieldNames());
        int i = names.indexOf("path");
        return i >= 0 && schema.apply(i).dataType().equals(DataTypes.StringType) ? i : -1;
    }
}
