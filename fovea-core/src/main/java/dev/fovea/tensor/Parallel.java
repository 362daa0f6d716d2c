package dev.fovea.tensor;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/**
 * The one shared worker pool. Its size is the number of available processors unless the
 * environment variable {@code FOVEA_THREADS} (or the system property {@code fovea.threads})
 * says otherwise; {@link #setThreads(int)} changes it at run time (tests use this).
 *
 * <p>{@link #forEach(int, Body)} runs {@code body.run(i)} for every task index in [0, n); tasks
 * are claimed dynamically, so callers must make every task write a disjoint part of the output
 * and reduce in a fixed order themselves: then results never depend on the thread count.
 * Nested calls from inside a task run inline on the calling thread.
 */
public final class Parallel {
    /** One unit of parallel work. */
    @FunctionalInterface
    public interface Body {
        void run(int task);
    }

    /** How long an idle thread spins before blocking (see Pool.workLoop). */
    private static final long SPIN_NANOS = 50_000L;
    private static volatile Pool pool = new Pool(defaultThreads());
    private static final ThreadLocal<Boolean> INSIDE = ThreadLocal.withInitial(() -> false);

    private Parallel() {
    }

    static int defaultThreads() {
        String s = System.getenv("FOVEA_THREADS");
        String p = System.getProperty("fovea.threads");
        if (p != null && !p.isBlank()) {
            s = p;
        }
        return threadsFrom(s, Runtime.getRuntime().availableProcessors(), System.err::println);
    }

    /**
     * The pool size for a {@code FOVEA_THREADS} value (null or blank: every core). More threads
     * than cores only makes them take turns, and the spinning workers slow each other down
     * (three times slower at 1000 threads on 2 cores), so larger values are capped with one warning.
     */
    static int threadsFrom(String value, int cores, java.util.function.Consumer<String> warn) {
        if (value == null || value.isBlank()) {
            return cores;
        }
        try {
            int t = Integer.parseInt(value.trim());
            if (t > cores) {
                warn.accept("warning: FOVEA_THREADS=" + t + " is more than the " + cores + " available cores;"
                        + " using " + cores + " (extra threads would only take turns and slow training down)");
                return cores;
            }
            if (t >= 1) {
                return t;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        warn.accept("warning: FOVEA_THREADS='" + value + "' is not a positive integer; using " + cores
                + " (every available core)");
        return cores;
    }

    public static int threads() {
        return pool.threads;
    }

    /** Replaces the pool with one of {@code n} threads (n ≥ 1). */
    public static synchronized void setThreads(int n) {
        if (n < 1) {
            throw new IllegalArgumentException("thread count must be at least 1, received " + n);
        }
        if (n != pool.threads) {
            Pool old = pool;
            pool = new Pool(n);
            old.shutdown();
        }
    }

    /** Runs {@code body.run(i)} for i in [0, n), spread over the pool; returns when all are done. */
    public static void forEach(int n, Body body) {
        if (n <= 0) {
            return;
        }
        Pool p = pool;
        if (n == 1 || p.threads == 1 || INSIDE.get()) {
            for (int i = 0; i < n; i++) {
                body.run(i);
            }
            return;
        }
        p.run(n, body);
    }

    /** A fixed set of daemon workers; the calling thread works too. */
    private static final class Pool {
        final int threads;
        private final Thread[] workers;
        private final Object lock = new Object();
        private Job job;
        /** Written under the lock, read without it by spinning workers. */
        private volatile long generation;
        private volatile boolean stopped;

        Pool(int threads) {
            this.threads = threads;
            this.workers = new Thread[threads - 1];
            for (int i = 0; i < workers.length; i++) {
                Thread t = new Thread(this::workLoop, "fovea-worker-" + i);
                t.setDaemon(true);
                workers[i] = t;
                t.start();
            }
        }

        void shutdown() {
            stopped = true;
            synchronized (lock) {
                lock.notifyAll();
            }
        }

        private void workLoop() {
            INSIDE.set(true);
            long seen = 0;
            while (!stopped) {
                // Parallel calls of a training step often follow each other within microseconds;
                // waking a waiting thread costs tens of microseconds (far more on a loaded machine).
                long deadline = System.nanoTime() + SPIN_NANOS;
                while (generation == seen && !stopped && System.nanoTime() < deadline) {
                    Thread.onSpinWait();
                }
                Job j;
                synchronized (lock) {
                    while (!stopped && generation == seen) {
                        try {
                            lock.wait();
                        } catch (InterruptedException e) {
                            return;
                        }
                    }
                    if (stopped) {
                        return;
                    }
                    seen = generation;
                    j = job;
                }
                j.work();
            }
        }

        synchronized void run(int n, Body body) {
            Job j = new Job(n, body);
            synchronized (lock) {
                job = j;
                generation++;
                lock.notifyAll();
            }
            INSIDE.set(true);
            try {
                j.work();
            } finally {
                INSIDE.set(false);
            }
            j.await();
        }
    }

    private static final class Job {
        final int n;
        final Body body;
        final AtomicInteger next = new AtomicInteger();
        final AtomicInteger done = new AtomicInteger();
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        final Thread owner = Thread.currentThread();

        Job(int n, Body body) {
            this.n = n;
            this.body = body;
        }

        void work() {
            int i;
            while ((i = next.getAndIncrement()) < n) {
                try {
                    if (failure.get() == null) {
                        body.run(i);
                    }
                } catch (Throwable t) {
                    failure.compareAndSet(null, t);
                } finally {
                    if (done.incrementAndGet() == n) {
                        LockSupport.unpark(owner);
                    }
                }
            }
        }

        void await() {
            long deadline = System.nanoTime() + SPIN_NANOS;
            while (done.get() < n && System.nanoTime() < deadline) {
                Thread.onSpinWait();
            }
            while (done.get() < n) {
                LockSupport.park(this);
            }
            Throwable t = failure.get();
            if (t instanceof RuntimeException re) {
                throw re;
            }
            if (t instanceof Error e) {
                throw e;
            }
            if (t != null) {
                throw new IllegalStateException(t);
            }
        }
    }
}
