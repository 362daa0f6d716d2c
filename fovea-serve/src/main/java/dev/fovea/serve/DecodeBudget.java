package dev.fovea.serve;

/**
 * Memory for decoding uploaded images, shared by every request (and every server) in the JVM,
 * because the heap it protects is shared: a decode reserves its estimated bytes before it
 * starts and releases them when it ends; a decode that does not fit waits until others release
 * or its deadline passes. Small reservations pass a waiting large one (no FIFO), so thumbnails
 * keep flowing while a large image waits; a reservation larger than the whole budget is cut to
 * the budget, so such an image is decoded alone rather than never.
 */
final class DecodeBudget {
    private final long capacity;
    private long used;

    /** @param capacity bytes that decodes in progress may hold together; ≥ 1 */
    DecodeBudget(long capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("decode budget of " + capacity + " bytes; expected ≥ 1");
        }
        this.capacity = capacity;
    }

    /**
     * Waits until {@code bytes} (cut to the capacity) fit, then holds them.
     *
     * @param deadline {@link System#nanoTime()} after which to give up
     * @return the bytes held, to give to {@link #release}; −1 when the deadline passed first
     * @throws InterruptedException when interrupted while waiting; nothing is held then
     */
    synchronized long reserve(long bytes, long deadline) throws InterruptedException {
        long want = Math.max(0, Math.min(bytes, capacity));
        while (used + want > capacity) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return -1;
            }
            // Every release wakes every waiter: each re-checks its own size, so small ones pass large ones.
            wait(Math.max(1, left / 1_000_000), 0);
        }
        used += want;
        return want;
    }

    /** Gives back bytes returned by {@link #reserve}. */
    synchronized void release(long bytes) {
        used -= bytes;
        notifyAll();
    }

    long capacity() {
        return capacity;
    }

    /** Bytes held now. */
    synchronized long used() {
        return used;
    }
}
