package dev.fovea.spark;

import dev.fovea.FoveaException;
import dev.fovea.data.Cifar10;
import dev.fovea.io.ModelFile;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.Callable;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code fovea spark predict}: classifies images with Spark and writes the rows with their
 * predictions as Parquet (the image bytes left out). Input is image files ({@code --images}: a
 * folder tree, a file or a glob; a parent folder named like one of the model's classes is the
 * label), a Parquet file with a binary column ({@code --images x.parquet --image-column C}) or
 * CIFAR-10 binary records ({@code --cifar10}). When rows carry labels, accuracy and the
 * confusion matrix go beside the output ({@code NAME.metrics.json}, {@code NAME.confusion.txt}).
 * The Parquet is written under a temporary name and renamed into place when the job succeeded.
 *
 * <p>Each step is a line on stderr as it starts (files found, Spark starting, predicting), since
 * Spark's start-up alone takes seconds. {@code --images} that holds no image file (CIFAR-10's
 * {@code .bin} records, an empty folder) is refused, on this machine before Spark starts, naming
 * what it found and the option that reads it; files left out for their extension are counted in
 * the result line.
 */
@Command(name = "predict", mixinStandardHelpOptions = true,
        description = "Classifies images on Spark and writes predictions (class, confidence, top-k, error) as Parquet.")
final class PredictCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--master", paramLabel = "URL",
            description = "Spark master, e.g. local[2]. Default: spark-submit's, else local[*].")
    String master;

    @Option(names = "--model", required = true, paramLabel = "FILE",
            description = "A model file (.safetensors) written by 'fovea train' or 'fovea import', on the driver's disk.")
    Path model;

    static final class Source {
        @Option(names = "--images", paramLabel = "PATH_OR_GLOB",
                description = "Image files: a folder (searched recursively), a file, a glob, or a .parquet file or folder.")
        String images;

        @Option(names = "--cifar10", paramLabel = "FILE",
                description = "CIFAR-10 binary records (cifar-10-binary.tar.gz, its folder or a .bin file): the test split.")
        Path cifar10;
    }

    @ArgGroup(exclusive = true, multiplicity = "1")
    Source source;

    @Option(names = "--out", required = true, paramLabel = "PATH",
            description = "Where to write the predictions (a Parquet folder, e.g. predictions.parquet).")
    String out;

    @Option(names = "--overwrite", description = "Replace --out if it exists.")
    boolean overwrite;

    @Option(names = "--top-k", paramLabel = "K", defaultValue = "5",
            description = "Classes listed per image in top_k. Default: ${DEFAULT-VALUE}.")
    int topK;

    @Option(names = "--batch-size", paramLabel = "N", defaultValue = "64",
            description = "Images per forward pass on an executor. Default: ${DEFAULT-VALUE}.")
    int batchSize;

    @Option(names = "--image-column", paramLabel = "NAME", defaultValue = "content",
            description = "The binary column of a Parquet input holding encoded images. Default: ${DEFAULT-VALUE}.")
    String imageColumn;

    @Option(names = "--partitions", paramLabel = "N",
            description = "Slices of the --cifar10 records. Default: twice Spark's default parallelism.")
    Integer partitions;

    @Option(names = "--limit", paramLabel = "N", defaultValue = "0",
            description = "Only the first N --cifar10 records (0: all). Default: ${DEFAULT-VALUE}.")
    int limit;

    @Override
    public Integer call() throws IOException {
        if (!Files.isRegularFile(model)) {
            throw new FoveaException("--model " + model + ": no such file; pass a model file written by"
                    + " 'fovea train', e.g. runs/tutorial/model.safetensors");
        }
        String name = String.valueOf(model.getFileName()).toLowerCase(java.util.Locale.ROOT);
        if (name.endsWith(".keras") || name.endsWith(".h5") || name.endsWith(".hdf5") || name.endsWith(".onnx")) {
            // The executors read Fovea model files only; the import, with its preprocessing, is one command.
            throw new FoveaException("--model " + model + ": fovea spark predict takes a Fovea model file; import this"
                    + " one first, saying how its pixels were scaled: ./fovea import " + model + " --rescale 1/255 --out "
                    + name.replaceFirst("\\.[a-z0-9]+$", "") + ".safetensors (or --normalize MEAN/STD), then pass"
                    + " that file");
        }
        byte[] modelBytes = Files.readAllBytes(model);
        SparkPredictor.Options options = (source.cifar10 != null
                ? SparkPredictor.Options.pixels(ImageSources.PIXELS, Cifar10.SIZE, Cifar10.SIZE)
                : SparkPredictor.Options.encoded(isParquet(source.images) ? imageColumn : "content"))
                .withTopK(topK).withBatchSize(batchSize);
        // A bad file or a model that does not fit the data fails here, before Spark starts.
        ModelFile.Loaded loaded = ModelFile.fromFile(ModelBroadcast.parse(modelBytes, model.toString()));
        SparkPredictor.checkModel(loaded.model(), model.toString(), options);
        List<String> classes = SparkPredictor.classNames(loaded);
        checkLocalPaths();
        boolean files = source.images != null && !isParquet(source.images);
        // Image files on this machine are listed before Spark starts: a path without any is an
        // error in a second instead of "0 rows" after Spark's start-up.
        ImageSources.Listing listing = files && isLocal(source.images)
                ? listed(ImageSources.list(new Configuration(), source.images)) : null;
        long start = System.nanoTime();
        String m = master();
        progress("starting Spark (" + m + ")…");
        try (SparkSession spark = session(m)) {
            Dataset<Row> images;
            String described;
            if (source.cifar10 != null) {
                progress("reading CIFAR-10 records from " + source.cifar10 + " on the driver…");
                int parts = partitions != null ? partitions : 2 * spark.sparkContext().defaultParallelism();
                images = ImageSources.cifar10(spark, source.cifar10, limit, parts);
                described = source.cifar10.toString();
            } else if (isParquet(source.images)) {
                images = ImageSources.parquet(spark, source.images);
                described = source.images;
            } else {
                if (listing == null) {
                    listing = listed(ImageSources.list(spark.sparkContext().hadoopConfiguration(), source.images));
                }
                images = ImageSources.files(spark, source.images, classes);
                described = source.images;
            }
            progress("predicting" + (listing != null ? " " + Plural.of(listing.images(), "image") : "")
                    + " and writing " + out + "…");
            Dataset<Row> predictions = SparkPredictor.predict(spark, images, modelBytes, model.toString(), options)
                    .drop(options.column());
            write(spark, predictions);
            Dataset<Row> written = spark.read().parquet(out);
            PredictionMetrics metrics = PredictionMetrics.of(written,
                    Arrays.asList(written.columns()).contains("label") ? "label" : null, classes);
            double seconds = (System.nanoTime() - start) / 1e9;
            report(metrics, described, listing, seconds);
        }
        return 0;
    }

    /** One line on stderr saying what the command is doing, so a terminal is never blank for long. */
    private void progress(String line) {
        spec.commandLine().getErr().println(line);
    }

    /**
     * {@code listing} of {@code --images}, announced; a listing without any image file is a user
     * error that says what was found instead and which option reads it.
     */
    private ImageSources.Listing listed(ImageSources.Listing listing) {
        if (listing.images() == 0) {
            throw new FoveaException(noImages(listing));
        }
        String skipped = listing.skippedText();
        progress("found " + Plural.of(listing.images(), "image file") + " in " + source.images
                + (skipped.isEmpty() ? "" : " (" + skipped + ")"));
        return listing;
    }

    private String noImages(ImageSources.Listing l) {
        String received;
        if (!l.matched()) {
            received = "nothing: no file or folder matches it";
        } else if (l.skipped() > 0) {
            received = Plural.of(l.skipped(), "file") + " of another kind (" + String.join(", ", l.examples())
                    + (l.skipped() > l.examples().size() ? ", …" : "") + ")";
        } else {
            received = l.folders() == 1 ? "an empty folder" : l.folders() + " folders without files";
        }
        String todo;
        boolean cifarPath = isLocal(source.images) && Cifar10.recognizes(Path.of(localPath(source.images)));
        if (cifarPath) {
            todo = "these are CIFAR-10 binary records: pass them as --cifar10 " + source.images
                    + " instead of --images";
        } else if (l.examples().stream().anyMatch(n -> n.endsWith(".bin"))) {
            todo = "if these are CIFAR-10 binary records, pass them with --cifar10 (cifar-10-binary.tar.gz, its"
                    + " folder or a .bin file) instead of --images";
        } else {
            todo = "pass a folder of images, an image file, a glob such as 'photos/*/*.jpg' or a .parquet file";
        }
        return "--images " + source.images + ": no image files to classify; expected .jpg, .jpeg, .png, .bmp or"
                + " .gif files, received " + received + "; " + todo;
    }

    /**
     * Local paths are checked before Spark starts, so a typo costs no start-up and gets Fovea's
     * message (a remote file system is Spark's to check, when the job reads it).
     */
    private void checkLocalPaths() {
        if (source.images != null && isLocal(source.images) && !source.images.matches(".*[*?\\[{].*")
                && !Files.exists(Path.of(localPath(source.images)))) {
            throw new FoveaException("--images " + source.images + ": no such file or folder; pass a folder of"
                    + " images, an image file, a glob such as 'photos/*/*.jpg' or a .parquet file");
        }
        if (isLocal(out) && !overwrite && Files.exists(Path.of(localPath(out)))) {
            throw new FoveaException("--out " + out + " already exists; pass --overwrite to replace it, or"
                    + " another --out");
        }
    }

    private String master() {
        return master != null ? master : new SparkConf().get("spark.master", "local[*]");
    }

    private SparkSession session(String m) {
        SparkSession.Builder b = SparkSession.builder().appName("fovea spark predict");
        b.master(m);
        if (m.startsWith("local")) {
            // Nobody browses a one-shot local job's UI, and binding its port costs start-up time.
            b.config("spark.ui.enabled", "false");
        }
        return b.getOrCreate();
    }

    private static boolean isParquet(String path) {
        return path.toLowerCase(Locale.ROOT).endsWith(".parquet");
    }

    /** Writes under a temporary sibling name, then renames it to --out (the same file system). */
    private void write(SparkSession spark, Dataset<Row> predictions) throws IOException {
        Configuration conf = spark.sparkContext().hadoopConfiguration();
        org.apache.hadoop.fs.Path target = new org.apache.hadoop.fs.Path(out);
        FileSystem fs = target.getFileSystem(conf);
        if (fs.exists(target)) {
            if (!overwrite) {
                throw new FoveaException("--out " + out + " already exists; pass --overwrite to replace it, or"
                        + " another --out");
            }
        }
        org.apache.hadoop.fs.Path tmp = new org.apache.hadoop.fs.Path(target.getParent(),
                "." + target.getName() + ".tmp-" + UUID.randomUUID());
        try {
            predictions.write().parquet(tmp.toString());
            if (fs.exists(target)) {
                fs.delete(target, true);
            }
            if (!fs.rename(tmp, target)) {
                throw new FoveaException("cannot rename " + tmp + " to " + out + "; check the folder's permissions");
            }
        } finally {
            if (fs.exists(tmp)) {
                fs.delete(tmp, true);
            }
        }
    }

    private void report(PredictionMetrics m, String described, ImageSources.Listing listing, double seconds) {
        PrintWriter o = spec.commandLine().getOut();
        o.println("model:       " + model);
        o.println("images:      " + described);
        String skipped = listing == null ? "" : listing.skippedText();
        o.println("predictions: " + out + " (" + Plural.of(m.rows(), "row") + ", " + Plural.of(m.errors(), "error")
                + (skipped.isEmpty() ? "" : "; " + skipped) + ")");
        if (m.matrix() != null) {
            String files = "";
            if (isLocal(out)) {
                List<Path> f = m.write(Path.of(localPath(out)).toAbsolutePath(), model.toString());
                files = "; written to " + f.get(0) + " and " + f.get(1);
            }
            o.printf(Locale.ROOT, "accuracy:    %.4f over %,d labelled rows%s%n", m.accuracy(), m.matrix().total(),
                    files);
            if (!isLocal(out)) {
                o.print(m.text(model.toString()));
            }
        }
        o.printf(Locale.ROOT, "time:        %.1f s (%.0f images/s, Spark start-up included)%n", seconds,
                m.rows() / seconds);
        o.flush();
    }

    private static boolean isLocal(String path) {
        URI u = new org.apache.hadoop.fs.Path(path).toUri();
        return u.getScheme() == null || u.getScheme().equals("file");
    }

    private static String localPath(String path) {
        return new org.apache.hadoop.fs.Path(path).toUri().getPath();
    }
}
