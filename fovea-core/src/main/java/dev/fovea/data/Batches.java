package dev.fovea.data;

import dev.fovea.FoveaException;
import dev.fovea.tensor.Rng;
import dev.fovea.tensor.Shape;
import dev.fovea.tensor.Tensor;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * Feeds a {@link Dataset} to training as float batches (N,H,W,C): each epoch shuffles the
 * images (seeded), augments them on uint8 and converts them to float on one background thread
 * that stays up to {@code prefetch} batches ahead, so a training step only waits when the
 * feeder is slower than the model. The randomness of epoch e depends only on (seed, e), so
 * resuming at epoch e gives the same batches. Batch buffers are allocated once and recycled:
 * a {@link Batch} stays valid until the next {@link Epoch#next()} or {@link Epoch#close()}.
 *
 * <pre>{@code
 * try (Batches.Epoch ep = batches.epoch(e)) {
 *     for (Batches.Batch b = ep.next(); b != null; b = ep.next()) {
 *         use(b.x(), b.labels()); // x (N,H,W,C) float, labels (N): valid until the next call
 *     }
 * }
 * }</pre>
 * Not thread-safe for consumers: one consumer thread drives it.
 */
public final class Batches implements AutoCloseable {

    /** @param prefetch batches prepared ahead of the consumer (≥ 1) */
    public record Config(int batchSize, boolean shuffle, boolean dropLast, int prefetch) {
        public Config {
            if (batchSize < 1 || prefetch < 1) {
                throw new FoveaException("batch size and prefetch must be ≥ 1, received "
                        + batchSize + " and " + prefetch);
            }
        }

        /** Keras's fit defaults: batches of 32, shuffled, last partial batch kept. */
        public static Config of(int batchSize) {
            return new Config(batchSize, true, false, 4);
        }
    }

    /** One batch: x (size,H,W,C) float, written by the feeder; labels (size). */
    public static final class Batch {
        private final Tensor x;
        private final int[] labels;
        private int index;

        Batch(int n, int h, int w, int c) {
            x = Tensor.zeros(Shape.of(n, h, w, c));
            labels = new int[n];
        }

        public Tensor x() {
            return x;
        }

        public int[] labels() {
            return labels;
        }

        public int size() {
            return labels.length;
        }

        /** Position of this batch within its epoch, from 0. */
        public int index() {
            return index;
        }
    }

    private static final Batch END = new Batch(0, 1, 1, 1);

    private final Dataset ds;
    private final Config cfg;
    private final Normalization norm;
    private final long seed;
    private final int[] perm;
    private final Batch[] full;
    private final Batch tail;
    private final BlockingQueue<Batch> free;
    private final BlockingQueue<Batch> ready;
    private final Augment augment;
    private final boolean alternating;
    private final byte[] scratch;
    private Epoch open;

    public Batches(Dataset ds, Config cfg, Augmentation aug, Normalization norm, long seed) {
        if (norm.channels() != ds.channels()) {
            throw new FoveaException("normalization has " + norm.channels() + " channels but the"
                    + " images have " + ds.channels());
        }
        if (ds.size() == 0 || (cfg.dropLast() && ds.size() < cfg.batchSize())) {
            throw new FoveaException("dataset of " + ds.size() + " images yields no batch of "
                    + cfg.batchSize() + (cfg.dropLast() ? " with drop-last" : "")
                    + "; use a smaller batch size");
        }
        this.ds = ds;
        this.cfg = cfg;
        this.norm = norm;
        this.seed = seed;
        perm = new int[ds.size()];
        // prefetch batches ready or being filled, plus the one the consumer holds
        int slots = cfg.prefetch() + 1;
        full = new Batch[slots];
        for (int i = 0; i < slots; i++) {
            full[i] = new Batch(cfg.batchSize(), ds.height(), ds.width(), ds.channels());
        }
        int rest = ds.size() % cfg.batchSize();
        tail = rest > 0 && !cfg.dropLast() ? new Batch(rest, ds.height(), ds.width(),
                ds.channels()) : null;
        free = new ArrayBlockingQueue<>(slots);
        ready = new ArrayBlockingQueue<>(slots + 2);
        augment = aug.isNone() ? null : new Augment(aug, ds.height(), ds.width(), ds.channels());
        alternating = aug.alternatingFlip();
        scratch = new byte[ds.imageBytes()];
    }

    public int batchesPerEpoch() {
        int b = cfg.batchSize();
        return cfg.dropLast() ? ds.size() / b : (ds.size() + b - 1) / b;
    }

    public Dataset dataset() {
        return ds;
    }

    /** Starts epoch {@code e} (closing the previous one if still open). */
    public Epoch epoch(int e) {
        if (open != null) {
            open.close();
        }
        Rng base = new Rng(seed).split(e);
        for (int i = 0; i < perm.length; i++) {
            perm[i] = i;
        }
        if (cfg.shuffle()) {
            base.split(0).shuffle(perm);
        }
        free.clear();
        ready.clear();
        for (Batch b : full) {
            free.add(b);
        }
        open = new Epoch(base.split(1), e);
        return open;
    }

    /** Stops the feeder thread of the open epoch, if any. */
    @Override
    public void close() {
        if (open != null) {
            open.close();
            open = null;
        }
    }

    /** One pass over the data; close it (or read it to the end) to stop its thread. */
    public final class Epoch implements AutoCloseable {
        private final Thread thread;
        private volatile Throwable failure;
        private Batch held;
        private boolean finished;

        Epoch(Rng augRng, int e) {
            thread = new Thread(() -> produce(augRng, e), "fovea-batches-epoch-" + e);
            thread.setDaemon(true);
            thread.start();
        }

        private void produce(Rng rng, int e) {
            try {
                int nb = batchesPerEpoch();
                for (int b = 0; b < nb; b++) {
                    Batch slot = (b == nb - 1 && tail != null) ? tail : free.take();
                    fill(slot, b, rng, e);
                    ready.put(slot);
                }
            } catch (InterruptedException stop) {
                return;
            } catch (RuntimeException | Error ex) {
                failure = ex;
            }
            ready.offer(END);
        }

        /**
         * The next batch, or null at the end of the epoch. Hands the previous batch's buffers
         * back to the feeder.
         */
        public Batch next() {
            if (held != null && held != tail) {
                free.offer(held);
            }
            held = null;
            if (finished) {
                return null;
            }
            Batch b;
            try {
                b = ready.take();
            } catch (InterruptedException ie) {
                Thread.currentThread().interrupt();
                close();
                throw new FoveaException("interrupted while waiting for the next batch");
            }
            if (b == END) {
                finished = true;
                join();
                if (failure != null) {
                    throw failure instanceof RuntimeException re ? re
                            : new IllegalStateException("batch feeder failed", failure);
                }
                return null;
            }
            held = b;
            return b;
        }

        /** Stops the feeder thread and waits for it to end. */
        @Override
        public void close() {
            finished = true;
            thread.interrupt();
            join();
            if (open == this) {
                open = null;
            }
        }

        /** True while the feeder thread runs (tests check that none leak). */
        public boolean feederAlive() {
            return thread.isAlive();
        }

        private void join() {
            boolean interrupted = false;
            while (thread.isAlive()) {
                try {
                    thread.join();
                } catch (InterruptedException ie) {
                    interrupted = true;
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void fill(Batch slot, int b, Rng rng, int epoch) {
        int n = ds.imageBytes();
        byte[] images = ds.images();
        float[] x = slot.x.data();
        int start = b * cfg.batchSize();
        for (int i = 0; i < slot.labels.length; i++) {
            int idx = perm[start + i];
            slot.labels[i] = ds.label(idx);
            if (augment != null) {
                boolean mirror = alternating && Augment.alternatingFlip(seed, idx, epoch);
                augment.apply(images, idx * n, scratch, 0, rng, mirror);
                norm.toFloat(scratch, 0, x, i * n, n);
            } else {
                norm.toFloat(images, idx * n, x, i * n, n);
            }
        }
        slot.index = b;
    }
}
