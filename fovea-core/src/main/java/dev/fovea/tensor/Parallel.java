package dev.fovea.tensor;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
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
 *
 * <p>A call allocates nothing: the pool reuses one job record, and
 * {@link #forEach(int, Object, Kernel)} takes the task's arguments in a holder the caller reuses,
 * so its body can be a non-capturing lambda (one instance for the JVM's life) instead of a
 * capturing one allocated per call.
 */
public final class Parallel {
    /** One unit of parallel work. */
    @FunctionalInterface
    public interface Body {
        void run(int task);
    }

    /** One unit of parallel work reading its arguments from {@code args}; see {@link #forEach(int, Object, Kernel)}. */
    @FunctionalInterface
    public interface Kernel<A> {
        void run(A args, int task);
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
        forEach(n, body, BODY);
    }

    private static final Kernel<Body> BODY = Body::run;

    /**
     * Runs {@code body.run(args, i)} for i in [0, n), spread over the pool; returns when all are
     * done. With a non-capturing {@code body} and an {@code args} holder the caller keeps (per
     * thread), a call allocates nothing.
     */
    @SuppressWarnings("unchecked")
    public static <A> void forEach(int n, A args, Kernel<A> body) {
        if (n <= 0) {
            return;
        }
        Pool p = pool;
        if (n == 1 || p.threads == 1 || INSIDE.get()) {
            for (int i = 0; i < n; i++) {
                body.run(args, i);
            }
            return;
        }
        p.run(n, args, (Kernel<Object>) body);
    }

    /** A fixed set of daemon workers; the calling thread works too. */
    private static final class Pool {
        final int threads;
        private final Thread[] workers;
        private final Object lock = new Object();
        /** The one job record, reset for every call (calls are serialized by {@link #run}). */
        private final Job job = new Job();
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
                }
                job.work(seen);
            }
        }

        synchronized void run(int n, Object args, Kernel<Object> body) {
            long g;
            synchronized (lock) {
                g = generation + 1;
                job.reset(g, n, args, body, Thread.currentThread());
                generation = g;
                lock.notifyAll();
            }
            INSIDE.set(true);
            try {
                job.work(g);
            } finally {
                INSIDE.set(false);
            }
            job.await();
        }
    }

    /**
     * The pool's one job record. Tasks are claimed from {@code ticket}, which holds the job's
     * generation in its high 32 bits and the next task index in its low 32: a worker still
     * holding an earlier generation (one that woke late) finds the generation changed and claims
     * nothing, so reusing the record can never hand it a task of the wrong job.
     */
    private static final class Job {
        final AtomicLong ticket = new AtomicLong();
        final AtomicInteger done = new AtomicInteger();
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        volatile int n;
        volatile Object args;
        volatile Kernel<Object> body;
        volatile Thread owner;

        /*
         * Called with no task of the previous generation outstanding (its caller awaited them all).
         * The ticket moves to the new generation, closed, before any field changes: a worker of
         * the previous generation may still hold an old ticket value and read n next, and its CAS
         * on that old value must fail rather than claim a task of the job being set up.
         */
        void reset(long generation, int n, Object args, Kernel<Object> body, Thread owner) {
            ticket.set((generation << 32) | Integer.MAX_VALUE);
            this.n = n;
            this.args = args;
            this.body = body;
            this.owner = owner;
            done.set(0);
            failure.set(null);
            ticket.set(generation << 32);
        }

        void work(long generation) {
            long stamp = generation << 32;
            while (true) {
                long t = ticket.get();
                if ((t & 0xFFFFFFFF00000000L) != stamp) {
                    return;
                }
                int i = (int) t;
                int count = n;
                if (i >= count) {
                    return;
                }
                if (!ticket.compareAndSet(t, t + 1)) {
                    continue;
                }
                try {
                    if (failure.get() == null) {
                        body.run(args, i);
                    }
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                } finally {
                    if (done.incrementAndGet() == count) {
                        LockSupport.unpark(owner);
                    }
                }
            }
        }

        void await() {
            int count = n;
            long deadline = System.nanoTime() + SPIN_NANOS;
            while (done.get() < count && System.nanoTime() < deadline) {
                Thread.onSpinWait();
            }
            while (done.get() < count) {
                LockSupport.park(this);
            }
            Throwable t = failure.get();
            args = null;
            body = null;
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
