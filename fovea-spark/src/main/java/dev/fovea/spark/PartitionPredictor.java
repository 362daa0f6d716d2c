package dev.fovea.spark;

import dev.fovea.FoveaException;
import dev.fovea.data.ImageFolder;
import dev.fovea.data.Normalization;
import dev.fovea.io.ModelFile;
import dev.fovea.nn.InferencePlan;
import dev.fovea.nn.Model;
import dev.fovea.tensor.Shape;
import dev.fovea.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;

/**
 * The per-partition work of {@link SparkPredictor}: borrows this JVM's model instance for the
 * task, then pulls rows in batches of {@code batchSize}, decodes them into one reused float
 * buffer (N,H,W,3), runs one forward pass per batch and emits the rows with their predictions.
 * Batches are always full size (a short last batch is padded), so the model's layer buffers keep
 * one shape across batches and partitions. Rows stream through: memory is one batch, whatever the
 * partition's size.
 */
final class PartitionPredictor implements MapPartitionsFunction<Row, Row> {
    private static final long serialVersionUID = 1L;

    private final ModelBroadcast model;
    private final SparkPredictor.Options options;
    private final int column;
    private final int pathColumn;
    private final int height;
    private final int width;
    private final int topK;

    PartitionPredictor(ModelBroadcast model, SparkPredictor.Options options, int column, int pathColumn,
                       int height, int width, int topK) {
        this.model = model;
        this.options = options;
        this.column = column;
        this.pathColumn = pathColumn;
        this.height = height;
        this.width = width;
        this.topK = topK;
    }

    @Override
    public Iterator<Row> call(Iterator<Row> rows) {
        if (!rows.hasNext()) {
            return rows;
        }
        ExecutorModels.Lease lease = model.borrow();
        TaskContext task = TaskContext.get();
        Batches b = new Batches(rows, lease);
        if (task != null) {
            // Returns the instance even when the task is killed or the consumer stops early.
            task.addTaskCompletionListener((org.apache.spark.util.TaskCompletionListener) ctx -> b.release());
        }
        return b;
    }

    /** Streams output rows, one batch at a time. */
    private final class Batches implements Iterator<Row> {
        private final Iterator<Row> in;
        private final ExecutorModels.Lease lease;
        private final Model m;
        private final InferencePlan plan;
        private final Normalization norm;
        private final List<String> names;
        private final int k;
        private final int px;
        private final float[] x;
        private final float[] probs;
        private final Integer[] order;
        private final List<Row> out = new ArrayList<>();
        private int next;
        private boolean released;

        Batches(Iterator<Row> in, ExecutorModels.Lease lease) {
            this.in = in;
            this.lease = lease;
            ModelFile.Loaded loaded = lease.loaded();
            m = loaded.model();
            plan = lease.plan();
            norm = Normalization.fromMap(loaded.info().preprocessing(), 3);
            names = SparkPredictor.classNames(loaded);
            k = names.size();
            px = height * width * 3;
            x = new float[options.batchSize() * px];
            probs = new float[options.batchSize() * k];
            order = new Integer[k];
        }

        @Override
        public boolean hasNext() {
            if (next < out.size()) {
                return true;
            }
            if (!in.hasNext()) {
                release();
                return false;
            }
            fill();
            return true;
        }

        @Override
        public Row next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            return out.get(next++);
        }

        synchronized void release() {
            if (!released) {
                released = true;
                lease.close();
            }
        }

        /** Reads up to one batch of rows, classifies the decodable ones, and queues all of them. */
        private void fill() {
            out.clear();
            next = 0;
            int n = options.batchSize();
            List<Row> batch = new ArrayList<>(n);
            String[] errors = new String[n];
            int[] slot = new int[n];
            int good = 0;
            while (batch.size() < n && in.hasNext()) {
                Row r = in.next();
                int i = batch.size();
                batch.add(r);
                try {
                    byte[] rgb = pixels(r);
                    norm.toFloat(rgb, 0, x, good * px, px);
                    slot[i] = good++;
                } catch (RuntimeException e) {
                    // Whatever a decoder throws on hostile bytes stays this row's problem, never the job's.
                    errors[i] = e instanceof FoveaException ? e.getMessage() : where(r) + ": cannot decode (" + e + ")";
                    slot[i] = -1;
                }
            }
            if (good > 0) {
                // Always a full batch: the tail of x holds stale images whose outputs are ignored.
                Tensor y = plan.forward(new Tensor(Shape.of(n, height, width, 3), x));
                m.probabilities(y.data(), good, probs);
            }
            for (int i = 0; i < batch.size(); i++) {
                out.add(slot[i] < 0 ? withError(batch.get(i), errors[i]) : withPrediction(batch.get(i), slot[i]));
            }
        }

        private byte[] pixels(Row r) {
            String where = where(r);
            if (r.isNullAt(column)) {
                throw new FoveaException(where + ": no image bytes (column '" + options.column() + "' is null)");
            }
            byte[] bytes = r.getAs(column);
            if (options.encodedImages()) {
                return ImageFolder.readRgb(bytes, where, height, width);
            }
            if (bytes.length != px) {
                throw new FoveaException(where + ": expected " + px + " bytes of " + height + "×" + width
                        + "×3 RGB pixels, received " + bytes.length + " bytes");
            }
            return bytes;
        }

        private String where(Row r) {
            return pathColumn >= 0 && !r.isNullAt(pathColumn) ? r.getString(pathColumn) : "row";
        }

        private Row withPrediction(Row r, int s) {
            int off = s * k;
            for (int j = 0; j < k; j++) {
                order[j] = j;
            }
            // Stable sort: equal probabilities keep class order, as fovea predict lists them.
            Arrays.sort(order, (a, b) -> Float.compare(probs[off + b], probs[off + a]));
            List<Row> top = new ArrayList<>(topK);
            for (int j = 0; j < topK; j++) {
                top.add(RowFactory.create(names.get(order[j]), probs[off + order[j]]));
            }
            return append(r, names.get(order[0]), probs[off + order[0]], top, null);
        }

        private Row withError(Row r, String error) {
            return append(r, null, null, null, error);
        }

        private Row append(Row r, String prediction, Float confidence, List<Row> top, String error) {
            int w = r.length();
            Object[] v = new Object[w + 4];
            for (int i = 0; i < w; i++) {
                v[i] = r.get(i);
            }
            v[w] = prediction;
            v[w + 1] = confidence;
            // The row encoder takes arrays as Scala sequences only.
            v[w + 2] = top == null ? null : scala.jdk.javaapi.CollectionConverters.asScala(top).toSeq();
            v[w + 3] = error;
            return RowFactory.create(v);
        }
    }

}
