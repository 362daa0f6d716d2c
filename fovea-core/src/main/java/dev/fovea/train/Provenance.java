package dev.fovea.train;

import dev.fovea.io.ModelFile;
import dev.fovea.kernel.Vectors;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * What a model file records about how it was trained (Tribuo's provenance): filled by
 * {@link Trainer#fit} from what the trainer itself knows, so a model trained through the Java
 * API carries it as one trained by the CLI does. Keys, under {@code fovea.provenance}:
 * {@code fovea_version}, {@code java_version}, {@code java_vendor}, {@code vector_bits} (the
 * kernels' vector width where it trained: reductions outside the register kernels, and so the
 * weights a seed gives, may differ at another width, and the speed does), {@code register_tiles}
 * (the kernels' tile set, {@code 8x3} or {@code 6x2}: speed only), {@code optimizer}, {@code learning_rate} (the
 * schedule's value when the fit began), {@code loss}, {@code metrics}, {@code batch_size},
 * {@code epochs} (the total after this fit), {@code shuffle}, {@code drop_last}, {@code validation}, {@code callbacks}
 * and whatever the training data describes ({@link Feed.Source#describe()}: {@code seed},
 * {@code images}, {@code augmentation}, {@code data_sha256}). Keys set by the caller beforehand
 * through {@link Trainer#setInfo} ({@code command}, {@code data}, …) are kept; the trainer's own
 * keys replace older values of the same name, since a continued fit changes them.
 */
public final class Provenance {
    private static final String VERSION = readVersion();

    private Provenance() {
    }

    /** The Fovea version this library was built as ("dev" when unknown). */
    public static String foveaVersion() {
        return VERSION;
    }

    /** The vendor of the JDK that runs this JVM ({@code java.vendor}: "Eclipse Adoptium", "Debian"). */
    public static String javaVendor() {
        return System.getProperty("java.vendor");
    }

    /**
     * The width in bits of the float vectors every kernel uses ({@code kernel.Vectors}): the
     * machine's preferred width unless {@code -Dfovea.vector.bits} forces another; 256 on AVX2
     * machines (8 floats), 512 on AVX-512 ones (16).
     */
    public static int vectorBits() {
        return Vectors.S.vectorBitSize();
    }

    /** {@code info} with the provenance of a {@code fit} of {@code options.epochs} epochs about to start. */
    static ModelFile.Info atFit(ModelFile.Info info, Trainer t, Feed.Source train, FitOptions o) {
        Map<String, Object> p = new LinkedHashMap<>(info.provenance());
        p.put("fovea_version", VERSION);
        p.put("java_version", System.getProperty("java.version"));
        p.put("java_vendor", javaVendor());
        p.put("vector_bits", vectorBits());
        p.put("register_tiles", Vectors.tileSet());
        p.put("optimizer", t.optimizer().name());
        p.put("learning_rate", t.optimizer().learningRate() * t.learningRateScale());
        p.put("loss", t.loss().name());
        p.put("metrics", t.metricNames());
        p.put("batch_size", o.batchSize);
        double epochs = t.epochsDone() + o.epochs;
        p.put("epochs", epochs == Math.rint(epochs) ? (Object) (long) epochs : (Object) epochs);
        p.put("shuffle", o.shuffle);
        p.put("drop_last", o.dropLast);
        p.put("validation", o.validation != null ? "data of " + o.validation.size() + " samples"
                : o.validationSplit > 0 ? "split " + o.validationSplit : "none");
        List<String> callbacks = new ArrayList<>();
        o.callbacks.forEach(c -> callbacks.add(c.getClass().getSimpleName()));
        p.put("callbacks", callbacks);
        p.putAll(train.describe());
        return new ModelFile.Info(info.classNames(), info.preprocessing(), p);
    }

    private static String readVersion() {
        try (InputStream in = Provenance.class.getResourceAsStream("/dev/fovea/version.properties")) {
            if (in == null) {
                return "dev";
            }
            Properties p = new Properties();
            p.load(in);
            String v = p.getProperty("version", "dev");
            // Unfiltered (an IDE copying resources as they are) leaves the placeholder.
            return v.isBlank() || v.startsWith("${") ? "dev" : v;
        } catch (IOException e) {
            return "dev";
        }
    }
}
