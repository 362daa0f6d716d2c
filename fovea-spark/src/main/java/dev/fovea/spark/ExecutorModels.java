package dev.fovea.spark;

import dev.fovea.io.ModelFile;
import dev.fovea.io.SafeTensors;
import dev.fovea.nn.InferencePlan;
import java.util.ArrayDeque;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * The executor JVM's models: for each broadcast (keyed by application and broadcast id), the
 * model file parsed once (the {@code loads} counter) and a pool of {@link ModelFile.Loaded} instances built from it, one per
 * task running at the same time (a {@code Model} reuses its layers' buffers, so two threads must
 * never share one). A finished task returns its instance, so the next partition reuses it and its
 * already-sized buffers. Static because Spark gives tasks no per-executor object; only the
 * {@value #KEEP} most recent broadcasts are kept, so a long-lived executor running many jobs
 * does not hold every model it ever saw.
 */
public final class ExecutorModels {
    static final int KEEP = 2;

    private static final Map<String, Entry> CACHE = new LinkedHashMap<>(4, 0.75f, true) {
        // ExecutorModels.Entry, qualified: inside a LinkedHashMap a bare Entry is the inherited
        // Map.Entry when nothing hides it, as under javac --release 17 (no LinkedHashMap.Entry there).
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, ExecutorModels.Entry> eldest) {
            return size() > KEEP;
        }
    };

    private ExecutorModels() {
    }

    /** One broadcast's parsed file and idle instances. */
    private static final class Entry {
        private final SafeTensors file;
        private final ArrayDeque<Lease> idle = new ArrayDeque<>();

        Entry(SafeTensors file) {
            this.file = file;
        }
    }

    /**
     * A model instance, with its inference plan (prepared once, when the instance is built), held
     * by one task until {@link #close()}.
     */
    public static final class Lease implements AutoCloseable {
        private final Entry entry;
        private final ModelFile.Loaded loaded;
        private final InferencePlan plan;

        private Lease(Entry entry, ModelFile.Loaded loaded) {
            this.entry = entry;
            this.loaded = loaded;
            this.plan = InferencePlan.of(loaded.model());
        }

        public ModelFile.Loaded loaded() {
            return loaded;
        }

        /** The model prepared for inference: what the predictions run. */
        public InferencePlan plan() {
            return plan;
        }

        @Override
        public void close() {
            synchronized (entry) {
                entry.idle.push(this);
            }
        }
    }

    private static final AtomicInteger LOADS = new AtomicInteger();
    private static final AtomicInteger INSTANCES = new AtomicInteger();

    /** An instance for the broadcast {@code key}, parsing the file with {@code parse} only if this JVM has not yet. */
    static Lease borrow(String key, Supplier<SafeTensors> parse) {
        Entry e;
        synchronized (CACHE) {
            e = CACHE.get(key);
            if (e == null) {
                // Parsing under the lock: concurrent first tasks wait for one parse instead of each doing it.
                e = new Entry(parse.get());
                LOADS.incrementAndGet();
                CACHE.put(key, e);
            }
        }
        synchronized (e) {
            Lease idle = e.idle.poll();
            if (idle != null) {
                return idle;
            }
            INSTANCES.incrementAndGet();
            return new Lease(e, ModelFile.fromFile(e.file));
        }
    }

    /** How many times this JVM parsed a broadcast model file (tests: once per broadcast). */
    public static int loads() {
        return LOADS.get();
    }

    /** How many model instances this JVM built, over all broadcasts (tests: at most one per concurrent task). */
    public static int instancesCreated() {
        return INSTANCES.get();
    }

}
