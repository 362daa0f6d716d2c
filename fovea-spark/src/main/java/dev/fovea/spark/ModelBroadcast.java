package dev.fovea.spark;

import dev.fovea.FoveaException;
import dev.fovea.io.ModelFile;
import dev.fovea.io.SafeTensors;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.SparkSession;

/**
 * A model file shipped to the executors once, as its bytes in a Spark broadcast, plus the name
 * it had on the driver (for messages). Serializable: tasks capture it and call
 * {@link #borrow()} on the executor, which parses the bytes at most once per JVM
 * ({@link ExecutorModels}). Not a model itself: the driver reads its own copy with
 * {@link #parse(byte[], String)} to validate shapes before any task starts.
 */
public final class ModelBroadcast implements Serializable {
    private static final long serialVersionUID = 1L;

    private final Broadcast<byte[]> bytes;
    private final String name;
    private final String key;

    private ModelBroadcast(Broadcast<byte[]> bytes, String name, String applicationId) {
        this.bytes = bytes;
        this.name = name;
        // Broadcast ids restart at 0 in each SparkContext, and one JVM can see several in turn.
        this.key = applicationId + "/" + bytes.id();
    }

    /** Broadcasts {@code modelFile}'s bytes; {@code name} says where they came from. */
    public static ModelBroadcast of(SparkSession spark, byte[] modelFile, String name) {
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        return new ModelBroadcast(jsc.broadcast(modelFile), name, spark.sparkContext().applicationId());
    }

    /** The key of the executor-side cache: the application's id and the broadcast's. */
    public String key() {
        return key;
    }

    public String name() {
        return name;
    }

    /**
     * A model instance for this task's exclusive use, from this JVM's cache; give it back with
     * {@link ExecutorModels#release} when the partition is done (try/finally).
     */
    public ExecutorModels.Lease borrow() {
        return ExecutorModels.borrow(key, () -> parse(bytes.value(), name));
    }

    /** Drops the executors' copies of the bytes (the per-JVM parsed cache evicts itself, see {@link ExecutorModels}). */
    public void unpersist() {
        bytes.unpersist(false);
    }

    /**
     * Parses model-file bytes. SafeTensors reads files, so the bytes pass through a temporary
     * file that is deleted at once; the parsed form holds everything in memory after that.
     */
    public static SafeTensors parse(byte[] modelFile, String name) {
        Path tmp = null;
        try {
            String base = Path.of(name).getFileName() == null ? "model" : Path.of(name).getFileName().toString();
            tmp = Files.createTempFile("fovea-", "-" + base.replaceAll("[^A-Za-z0-9._-]", "_"));
            Files.write(tmp, modelFile);
            SafeTensors st = SafeTensors.read(tmp);
            ModelFile.fromFile(st); // fails here, with the file's problem, rather than in each instance
            return st;
        } catch (FoveaException e) {
            throw new FoveaException(name + ": " + e.getMessage(), e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write a temporary copy of model " + name
                    + " (" + e.getMessage() + "); check the free space of java.io.tmpdir", e);
        } finally {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // a leftover temp file is harmless and the OS cleans tmp
                }
            }
        }
    }
}
