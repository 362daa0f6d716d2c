package dev.fovea.spark;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.element_at;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.lower;
import static org.apache.spark.sql.functions.split;
import static org.apache.spark.sql.functions.when;

import dev.fovea.FoveaException;
import dev.fovea.data.Cifar10;
import dev.fovea.data.Dataset;
import dev.fovea.data.ImageFolder;
import dev.fovea.data.Splits;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * Makes the {@code Dataset<Row>} that {@link SparkPredictor} reads, from the three sources the
 * CLI takes: image files (a folder tree or a glob, through Spark's {@code binaryFile} source, so
 * executors read them in parallel), a Parquet file with a binary column, and CIFAR-10 binary
 * records (read on the driver by fovea-core's {@link Cifar10}, then parallelized).
 */
public final class ImageSources {
    /** The column of raw RGB pixels in {@link #cifar10} rows. */
    public static final String PIXELS = "pixels";
    /** Extensions {@code ImageFolder} decodes; other files in a tree are not images and are left out. */
    private static final String IMAGE_NAME = "\\.(jpe?g|png|bmp|gif)$";

    private ImageSources() {
    }

    /**
     * Every image file under {@code pathOrGlob} (folders searched recursively; hidden files and
     * files of other extensions left out): binaryFile's columns {@code path, modificationTime,
     * length, content}, plus {@code label}, the parent folder's name when it is one of
     * {@code classNames} (an image folder tree, class/xxx.jpg), else null.
     */
    public static org.apache.spark.sql.Dataset<Row> files(SparkSession spark, String pathOrGlob,
                                                            List<String> classNames) {
        org.apache.spark.sql.Dataset<Row> files = spark.read().format("binaryFile")
                .option("recursiveFileLookup", "true")
                .load(pathOrGlob);
        Column name = element_at(split(col("path"), "/"), -1);
        Column parent = element_at(split(col("path"), "/"), -2);
        return files.filter(lower(name).rlike(IMAGE_NAME).and(name.startsWith(".").equalTo(false)))
                .withColumn("label", when(parent.isin(classNames.toArray()), parent).otherwise(lit(null)));
    }

    /**
     * What {@link #files} will read from {@code pathOrGlob}, found by listing alone (no file is
     * opened): the image files, and the other files it leaves out for their extension. Lists as
     * Spark does: a glob expanded by Hadoop's {@code globStatus}, folders searched recursively,
     * names starting with {@code .} or {@code _} (Spark's hidden and metadata files) not looked at.
     *
     * @param conf a plain {@code new Configuration()} lists a local path before Spark starts; a
     *             session's {@code hadoopConfiguration()} reaches the cluster's file systems
     * @throws IOException when the file system cannot be listed
     */
    public static Listing list(Configuration conf, String pathOrGlob) throws IOException {
        org.apache.hadoop.fs.Path p = new org.apache.hadoop.fs.Path(pathOrGlob);
        FileSystem fs = p.getFileSystem(conf);
        FileStatus[] roots = fs.globStatus(p);
        Listing.Counter c = new Listing.Counter();
        if (roots != null) {
            for (FileStatus root : roots) {
                walk(fs, root, c);
            }
        }
        return new Listing(c.images, c.skipped, List.copyOf(c.examples), c.folders, roots != null && roots.length > 0);
    }

    private static void walk(FileSystem fs, FileStatus f, Listing.Counter c) throws IOException {
        if (f.isDirectory()) {
            c.folders++;
            FileStatus[] children = fs.listStatus(f.getPath());
            java.util.Arrays.sort(children); // by path: the examples named in messages do not depend on the disk's order
            for (FileStatus child : children) {
                String name = child.getPath().getName();
                if (!name.startsWith(".") && !name.startsWith("_")) {
                    walk(fs, child, c);
                }
            }
        } else if (ImageFolder.isImageName(f.getPath().getName())) {
            c.images++;
        } else {
            c.skipped++;
            if (c.examples.size() < Listing.EXAMPLES) {
                c.examples.add(f.getPath().getName());
            }
        }
    }

    /**
     * The files under an {@code --images} path: {@code images} that {@link #files} reads,
     * {@code skipped} others (the first few names in {@code examples}), the folders searched, and
     * whether the path or glob matched anything at all.
     */
    public record Listing(long images, long skipped, List<String> examples, long folders, boolean matched) {
        static final int EXAMPLES = 3;

        /** "4 other files skipped for their extension: a.txt, b.bin, c.csv, …", or "" when none were. */
        public String skippedText() {
            if (skipped == 0) {
                return "";
            }
            return Plural.of(skipped, "other file") + " skipped for " + (skipped == 1 ? "its" : "their")
                    + " extension: " + String.join(", ", examples) + (skipped > examples.size() ? ", …" : "");
        }

        private static final class Counter {
            long images;
            long skipped;
            long folders;
            final List<String> examples = new ArrayList<>();
        }
    }

    /** The rows of a Parquet file or folder; the image column is named by the caller's options. */
    public static org.apache.spark.sql.Dataset<Row> parquet(SparkSession spark, String path) {
        return spark.read().parquet(path);
    }

    /** Schema of {@link #cifar10} rows. */
    public static final StructType CIFAR_SCHEMA = new StructType()
            .add("index", DataTypes.IntegerType, false)
            .add("label", DataTypes.StringType, false)
            .add(PIXELS, DataTypes.BinaryType, false);

    /**
     * The test split of a CIFAR-10 binary source (the .tar.gz archive, its folder, or a .bin file;
     * the train split when there is no test split) as rows {@code index, label, pixels} with
     * pixels (32,32,3) RGB, in {@code partitions} slices.
     *
     * @param limit the first {@code limit} records, or all when 0
     */
    public static org.apache.spark.sql.Dataset<Row> cifar10(SparkSession spark, Path source, int limit,
                                                              int partitions) {
        if (!Files.exists(source)) {
            throw new FoveaException("CIFAR-10 source " + source + " does not exist; pass cifar-10-binary.tar.gz,"
                    + " its extracted folder or a .bin batch file");
        }
        if (!Cifar10.recognizes(source)) {
            throw new FoveaException(source + " is not a CIFAR-10 binary source; expected cifar-10-binary.tar.gz,"
                    + " a folder holding cifar-10-batches-bin or a .bin batch file");
        }
        Splits s = Cifar10.load(source);
        return records(spark, s.test() != null ? s.test() : s.train(), limit, partitions);
    }

    /**
     * The first {@code limit} images of an in-memory dataset (all when 0) as rows
     * {@code index, label, pixels} ((H,W,C) bytes), in {@code partitions} slices.
     */
    public static org.apache.spark.sql.Dataset<Row> records(SparkSession spark, Dataset d, int limit, int partitions) {
        int n = limit > 0 ? Math.min(limit, d.size()) : d.size();
        List<Row> rows = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            rows.add(RowFactory.create(i, d.classNames().get(d.label(i)), d.image(i)));
        }
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        return spark.createDataFrame(jsc.parallelize(rows, Math.max(1, partitions)), CIFAR_SCHEMA);
    }
}
