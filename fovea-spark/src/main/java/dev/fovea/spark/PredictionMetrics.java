package dev.fovea.spark;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

import dev.fovea.eval.ConfusionMatrix;
import dev.fovea.eval.TextTables;
import dev.fovea.io.AtomicFiles;
import dev.fovea.io.ModelFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * Accuracy and confusion matrix of labelled predictions. Spark counts (label, prediction) pairs
 * (a shuffle of at most K² groups), the driver expands the counts and hands them to fovea-core's
 * {@link ConfusionMatrix}, so the numbers are the ones {@code fovea evaluate} would compute.
 * Rows with an {@code error}, and rows whose label is null or not one of the model's classes,
 * are counted apart and left out of the matrix.
 *
 * @param rows      all rows
 * @param errors    rows whose image could not be classified
 * @param unlabeled rows without a label among the model's classes (not errors)
 * @param matrix    over the remaining rows; null when there are none
 */
public record PredictionMetrics(long rows, long errors, long unlabeled, ConfusionMatrix matrix) {

    /**
     * Counts over {@code predictions} (the output of {@link SparkPredictor#predict}) whose
     * string column {@code labelColumn} holds class names (null: the rows have no labels, so
     * only rows and errors are counted).
     */
    public static PredictionMetrics of(Dataset<Row> predictions, String labelColumn, List<String> classNames) {
        List<Row> counts = predictions.groupBy(
                (labelColumn == null ? lit(null) : col(labelColumn)).cast("string").as("l"), col("prediction").as("p"),
                col("error").isNotNull().as("e")).count().collectAsList();
        long rows = 0;
        long errors = 0;
        long unlabeled = 0;
        List<int[]> pairs = new ArrayList<>();
        long labelled = 0;
        for (Row r : counts) {
            long n = r.getLong(3);
            rows += n;
            if (r.getBoolean(2)) {
                errors += n;
                continue;
            }
            int t = r.isNullAt(0) ? -1 : classNames.indexOf(r.getString(0));
            if (t < 0) {
                unlabeled += n;
                continue;
            }
            pairs.add(new int[]{t, classNames.indexOf(r.getString(1)), (int) n});
            labelled += n;
        }
        if (labelled == 0) {
            return new PredictionMetrics(rows, errors, unlabeled, null);
        }
        if (labelled > Integer.MAX_VALUE - 8) {
            throw new IllegalStateException(labelled + " labelled rows exceed what ConfusionMatrix.of takes");
        }
        int[] truth = new int[(int) labelled];
        int[] predicted = new int[(int) labelled];
        int at = 0;
        for (int[] p : pairs) {
            for (int i = 0; i < p[2]; i++, at++) {
                truth[at] = p[0];
                predicted[at] = p[1];
            }
        }
        return new PredictionMetrics(rows, errors, unlabeled, ConfusionMatrix.of(truth, predicted, classNames));
    }

    /** Accuracy over the labelled rows, NaN when there are none. */
    public double accuracy() {
        return matrix == null ? Double.NaN : matrix.accuracy();
    }

    /**
     * Writes {@code base}.metrics.json (counts, accuracy, class names, the matrix as rows of true
     * classes) and {@code base}.confusion.txt (the same as a table), each atomically.
     *
     * @return the two files
     */
    public List<Path> write(Path base, String model) {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("model", model);
        doc.put("rows", rows);
        doc.put("errors", errors);
        doc.put("unlabeled", unlabeled);
        doc.put("labelled", matrix == null ? 0 : matrix.total());
        doc.put("accuracy", matrix == null ? null : matrix.accuracy());
        if (matrix != null) {
            doc.put("class_names", matrix.classNames());
            doc.put("confusion_matrix", matrix.counts());
        }
        Path json = sibling(base, ".metrics.json");
        Path text = sibling(base, ".confusion.txt");
        AtomicFiles.writeBytes(json, (ModelFile.json(doc) + "\n").getBytes(StandardCharsets.UTF_8));
        AtomicFiles.writeBytes(text, text(model).getBytes(StandardCharsets.UTF_8));
        return List.of(json, text);
    }

    /** A summary line, then the confusion matrix table. */
    public String text(String model) {
        StringBuilder sb = new StringBuilder();
        sb.append("model: ").append(model).append('\n');
        sb.append(String.format(Locale.ROOT, "rows: %d, errors: %d, without a known label: %d%n", rows, errors,
                unlabeled));
        if (matrix != null) {
            sb.append(String.format(Locale.ROOT, "accuracy: %.4f over %d labelled rows%n%n", matrix.accuracy(),
                    matrix.total()));
            sb.append(TextTables.confusionMatrix(matrix));
        }
        return sb.toString();
    }

    /** {@code out/predictions.parquet} → {@code out/predictions} + suffix. */
    static Path sibling(Path output, String suffix) {
        String name = output.getFileName().toString();
        int dot = name.lastIndexOf('.');
        String stem = dot > 0 ? name.substring(0, dot) : name;
        return output.resolveSibling(stem + suffix);
    }
}
