package dev.fovea.serve;

import dev.fovea.nn.Model;
import dev.fovea.tensor.Shape;
import dev.fovea.tensor.Tensor;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.function.IntConsumer;

/**
 * Dynamic batching for one model: the only thread that touches the model instance (forward
 * passes reuse the layers' buffers, so they are not thread-safe). Requests of 1..n images wait
 * in a bounded queue; the worker takes the first, then whatever arrives within {@code maxDelay}
 * up to {@code maxBatch} images, runs one forward pass and hands each request its own rows.
 * Requests larger than {@code maxBatch} are split into parts at submission and joined again.
 * {@link #run} puts any other job that needs the model exclusively (Grad-CAM) in the same queue.
 *
 * <p>Lifecycle: construct (starts the thread) → {@link #submit}/{@link #run} from any thread →
 * {@link #close} (fails what is still queued). Not a place for HTTP or decoding.
 */
public final class Batcher implements AutoCloseable {
    /** Thrown by {@link #submit}/{@link #run} when the queue has no room: the caller should retry later. */
    public static final class QueueFullException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        QueueFullException(String message) {
            super(message);
        }
    }

    /** One queued unit: images to classify, or a job to run alone on the model. */
    private static final class Entry {
        final float[] x;
        final int images;
        final CompletableFuture<float[]> result;
        final Runnable job;

        Entry(float[] x, int images, CompletableFuture<float[]> result, Runnable job) {
            this.x = x;
            this.images = images;
            this.result = result;
            this.job = job;
        }
    }

    private static final long ARRIVAL_RECHECK_NANOS = 100_000;

    private final ServedModel served;
    private final int maxBatch;
    private final long maxDelayNanos;
    private final BlockingQueue<Entry> queue;
    private final Thread worker;
    private final IntConsumer batchListener;
    private final AtomicLong batches = new AtomicLong();
    private final AtomicLong batchedImages = new AtomicLong();
    private final AtomicLong maxFormed = new AtomicLong();
    private final Map<Integer, Tensor> inputs = new HashMap<>();
    private final AtomicInteger arriving = new AtomicInteger();
    private volatile boolean waitOnlyForArrivals;
    private volatile boolean closed;
    private Entry carried;

    /**
     * @param capacity queued entries (a request split into parts takes one per part)
     * @param batchListener told each formed batch's image count, on the worker thread
     */
    public Batcher(ServedModel served, int maxBatch, long maxDelayMillis, int capacity, IntConsumer batchListener) {
        if (maxBatch < 1 || maxDelayMillis < 0 || capacity < 1) {
            throw new IllegalArgumentException("maxBatch " + maxBatch + ", maxDelayMillis " + maxDelayMillis
                    + ", capacity " + capacity + ": expected ≥ 1, ≥ 0, ≥ 1");
        }
        this.served = served;
        this.maxBatch = maxBatch;
        this.maxDelayNanos = TimeUnit.MILLISECONDS.toNanos(maxDelayMillis);
        this.queue = new ArrayBlockingQueue<>(capacity);
        this.batchListener = batchListener;
        this.worker = new Thread(this::loop, "fovea-infer-" + served.name());
        worker.setDaemon(true);
        worker.start();
    }

    /**
     * A request on its way to this model (its body being read, decoded, checked): while any is
     * open, a batch being formed waits for it, up to {@code maxDelay}. Closing it without
     * submitting (the request failed) withdraws it. Not thread-safe: one per request thread.
     */
    public final class Arrival implements AutoCloseable {
        private boolean open = true;

        private Arrival() {
            arriving.incrementAndGet();
        }

        /** {@link Batcher#submit}, ending the arrival once the images are queued (or refused). */
        public CompletableFuture<float[]> submit(float[] x, int images) {
            try {
                return Batcher.this.submit(x, images);
            } finally {
                close();
            }
        }

        @Override
        public void close() {
            if (open) {
                open = false;
                arriving.decrementAndGet();
            }
        }
    }

    /** Counts a request on its way; see {@link Arrival}. */
    public Arrival arrive() {
        return new Arrival();
    }

    /**
     * From now on a batch waits for more images only while an {@link Arrival} is open, instead of
     * always waiting {@code maxDelay}: a lone client is then answered without the delay, since
     * nothing else is coming, while under load the batches form as before. The server's routes
     * announce every request, so the server turns this on; a caller using only {@link #submit}
     * keeps the plain delay.
     */
    void waitOnlyForArrivals() {
        waitOnlyForArrivals = true;
    }

    /** Requests announced by {@link #arrive} and not yet queued or withdrawn. */
    public int arrivingRequests() {
        return arriving.get();
    }

    /**
     * Queues {@code images} preprocessed images for classification.
     *
     * @param x (images,H,W,C) as the model takes them; not modified, not kept after the future completes
     * @return completes with the class probabilities (images,K), or exceptionally if the forward pass failed
     * @throws QueueFullException when the queue cannot take all of the request's parts
     */
    public CompletableFuture<float[]> submit(float[] x, int images) {
        int px = served.imageSize();
        if (images < 1 || x.length != images * px) {
            throw new IllegalArgumentException("x has " + x.length + " floats, expected images " + images + " × " + px);
        }
        if (images <= maxBatch) {
            CompletableFuture<float[]> f = new CompletableFuture<>();
            offer(List.of(new Entry(x, images, f, null)));
            return f;
        }
        List<Entry> parts = new ArrayList<>();
        for (int at = 0; at < images; at += maxBatch) {
            int n = Math.min(maxBatch, images - at);
            float[] part = new float[n * px];
            System.arraycopy(x, at * px, part, 0, n * px);
            parts.add(new Entry(part, n, new CompletableFuture<>(), null));
        }
        offer(parts);
        int k = served.classes();
        return CompletableFuture.allOf(parts.stream().map(e -> e.result).toArray(CompletableFuture[]::new))
                .thenApply(v -> {
                    float[] all = new float[images * k];
                    int at = 0;
                    for (Entry e : parts) {
                        float[] p = e.result.join();
                        System.arraycopy(p, 0, all, at, p.length);
                        at += p.length;
                    }
                    return all;
                });
    }

    /**
     * Runs {@code job} on the worker thread between batches, with the model to itself.
     *
     * @throws QueueFullException when the queue is full
     */
    public <T> CompletableFuture<T> run(Function<Model, T> job) {
        CompletableFuture<T> f = new CompletableFuture<>();
        Runnable r = () -> {
            if (f.isDone()) {
                return; // timed out or cancelled while queued: nobody waits for the result
            }
            try {
                f.complete(job.apply(served.model()));
            } catch (RuntimeException | Error e) {
                f.completeExceptionally(e);
            }
        };
        offer(List.of(new Entry(null, 0, null, r)));
        return f;
    }

    private synchronized void offer(List<Entry> entries) {
        if (closed) {
            throw new IllegalStateException("the inference worker of model " + served.name() + " is stopped");
        }
        if (queue.remainingCapacity() < entries.size()) {
            throw new QueueFullException("model " + served.name() + ": the request queue is full ("
                    + (queue.size() + queue.remainingCapacity()) + " waiting requests); retry shortly");
        }
        queue.addAll(entries);
    }

    /** Requests (or parts) waiting, not counting the batch being computed. */
    public int queueDepth() {
        return queue.size();
    }

    /** Forward passes run so far. */
    public long batches() {
        return batches.get();
    }

    /** Images classified so far. */
    public long images() {
        return batchedImages.get();
    }

    /** The most images that went through one forward pass. */
    public long largestBatch() {
        return maxFormed.get();
    }

    public ServedModel model() {
        return served;
    }

    private void loop() {
        List<Entry> batch = new ArrayList<>();
        while (!closed) {
            try {
                Entry first = carried != null ? carried : queue.poll(100, TimeUnit.MILLISECONDS);
                carried = null;
                if (first == null) {
                    continue;
                }
                if (first.job != null) {
                    first.job.run();
                    continue;
                }
                if (first.result.isDone()) {
                    continue; // timed out or cancelled while queued: nobody waits for it
                }
                batch.clear();
                batch.add(first);
                int n = first.images;
                long deadline = System.nanoTime() + maxDelayNanos;
                while (n < maxBatch) {
                    Entry next = queue.poll();
                    if (next == null) {
                        long left = deadline - System.nanoTime();
                        if (left <= 0 || waitOnlyForArrivals && arriving.get() == 0) {
                            break;
                        }
                        // With arrivals tracked, look again every 100 µs whether any is still on its way.
                        next = queue.poll(waitOnlyForArrivals ? Math.min(left, ARRIVAL_RECHECK_NANOS) : left,
                                TimeUnit.NANOSECONDS);
                        if (next == null) {
                            continue;
                        }
                    }
                    if (next.job != null || n + next.images > maxBatch) {
                        carried = next; // starts the next round, so order is kept
                        break;
                    }
                    if (!next.result.isDone()) {
                        batch.add(next);
                        n += next.images;
                    }
                }
                forward(batch, n);
            } catch (InterruptedException e) {
                break;
            }
        }
        failQueued();
    }

    private void forward(List<Entry> batch, int n) {
        int px = served.imageSize();
        int k = served.classes();
        try {
            Tensor in = inputs.computeIfAbsent(n, b -> new Tensor(
                    Shape.of(b, served.height(), served.width(), served.channels()), new float[b * px]));
            float[] x = in.data();
            int at = 0;
            for (Entry e : batch) {
                System.arraycopy(e.x, 0, x, at, e.x.length);
                at += e.x.length;
            }
            float[] y = served.plan().forward(in).data();
            // Each request gets a fresh copy of its own rows: the output buffer is reused by the next pass.
            float[][] rows = new float[batch.size()][];
            at = 0;
            for (int i = 0; i < rows.length; i++) {
                Entry e = batch.get(i);
                rows[i] = new float[e.images * k];
                System.arraycopy(y, at, rows[i], 0, rows[i].length);
                served.toProbabilities(rows[i], e.images);
                at += rows[i].length;
            }
            // Counted before anyone is answered, so a caller that has its answer sees its batch counted.
            batches.incrementAndGet();
            batchedImages.addAndGet(n);
            maxFormed.accumulateAndGet(n, Math::max);
            batchListener.accept(n);
            for (int i = 0; i < rows.length; i++) {
                batch.get(i).result.complete(rows[i]);
            }
        } catch (RuntimeException | Error e) {
            for (Entry en : batch) {
                en.result.completeExceptionally(e);
            }
        }
    }

    private void failQueued() {
        List<Entry> left = new ArrayList<>();
        if (carried != null) {
            left.add(carried);
        }
        queue.drainTo(left);
        IllegalStateException stopped = new IllegalStateException("the server is stopping; model "
                + served.name() + " takes no more requests");
        for (Entry e : left) {
            if (e.result != null) {
                e.result.completeExceptionally(stopped);
            } else {
                e.job.run(); // a job's own future must complete; the model is still intact
            }
        }
    }

    /** Stops the worker after the batch in progress; queued requests fail. */
    @Override
    public void close() {
        synchronized (this) {
            closed = true;
        }
        // No interrupt: the loop sees the flag within its 100 ms poll, and a forward pass is never cut short.
        try {
            worker.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
