package dev.fovea.spark;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * A sum all-reduce of float arrays among K ranks over plain TCP: the ring algorithm
 * (reduce-scatter, then all-gather; Patarasuk and Yuan 2009, as in Horovod and NCCL), so each
 * rank sends and receives 2·(K−1)/K of the array per call whatever K is. Rank r sends to rank
 * r+1 and receives from rank r−1 (mod K) over one connection each way.
 *
 * <p>Determinism: chunk c is summed once, along the ring starting at rank c, always in that
 * order ({@code ((g_c + g_c+1) + g_c+2) + …}), and the finished chunk is then copied to every
 * rank. So all ranks end with bit-identical arrays, and the same inputs give the same sums on
 * every run. The order differs from a single process's accumulation, so the result is not
 * bit-identical to one process summing the same terms another way.
 *
 * <p>Not thread-safe: one thread per rank calls {@link #sum}. A send runs on a helper thread
 * while the caller receives, so a chunk larger than the sockets' buffers cannot deadlock the
 * ring. The byte buffers are allocated once for the largest chunk; a call allocates nothing
 * big. Blocking socket channels are interruptible: when Spark kills a barrier task, the read
 * it is blocked in ends with an exception instead of hanging.
 */
public final class RingAllReduce implements AutoCloseable {
    private final int rank;
    private final int size;
    private final SocketChannel toNext;
    private final SocketChannel fromPrev;
    private final ExecutorService sender;
    private ByteBuffer sendBytes;
    private ByteBuffer recvBytes;
    private FloatBuffer sendFloats;
    private FloatBuffer recvFloats;
    private DoubleBuffer sendDoubles;
    private DoubleBuffer recvDoubles;
    private float[] received;
    private double[] receivedDoubles;
    private long exchangeNanos;

    private RingAllReduce(int rank, int size, SocketChannel toNext, SocketChannel fromPrev) {
        this.rank = rank;
        this.size = size;
        this.toNext = toNext;
        this.fromPrev = fromPrev;
        this.sender = size == 1 ? null : Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "fovea-ring-send-" + rank);
            t.setDaemon(true);
            return t;
        });
    }

    /** A server socket on an ephemeral port of {@code host}, to be announced to the other ranks before {@link #connect}. */
    public static ServerSocketChannel listen(String host) {
        try {
            ServerSocketChannel s = ServerSocketChannel.open();
            s.bind(new InetSocketAddress(host, 0), 4);
            return s;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot listen on " + host + " for the gradient exchange: " + e.getMessage(), e);
        }
    }

    /**
     * Joins the ring: connects to rank {@code rank+1}'s address in {@code addresses} ("host:port",
     * by rank) and accepts rank {@code rank−1}'s connection on {@code server} (which is then closed).
     * Each side sends its rank first, so a stray connection is refused rather than summed.
     */
    public static RingAllReduce connect(int rank, List<String> addresses, ServerSocketChannel server) {
        int k = addresses.size();
        if (k == 1) {
            closeQuietly(server);
            return new RingAllReduce(0, 1, null, null);
        }
        SocketChannel next = null;
        SocketChannel prev = null;
        try {
            String a = addresses.get((rank + 1) % k);
            int colon = a.lastIndexOf(':');
            next = SocketChannel.open(new InetSocketAddress(a.substring(0, colon), Integer.parseInt(a.substring(colon + 1))));
            next.setOption(StandardSocketOptions.TCP_NODELAY, true);
            ByteBuffer hello = ByteBuffer.allocate(4).putInt(0, rank);
            while (hello.hasRemaining()) {
                next.write(hello);
            }
            prev = server.accept();
            prev.setOption(StandardSocketOptions.TCP_NODELAY, true);
            ByteBuffer got = ByteBuffer.allocate(4);
            readFully(prev, got);
            int from = got.getInt(0);
            if (from != (rank - 1 + k) % k) {
                throw new IOException("rank " + rank + " expected a connection from rank " + ((rank - 1 + k) % k)
                        + ", received one from rank " + from);
            }
            return new RingAllReduce(rank, k, next, prev);
        } catch (IOException | RuntimeException e) {
            closeQuietly(next);
            closeQuietly(prev);
            throw new UncheckedIOException(new IOException("rank " + rank + " of " + k + " cannot join the gradient"
                    + " exchange ring " + addresses + ": " + e.getMessage()
                    + "; check that executors can reach each other on ephemeral ports", e));
        } finally {
            closeQuietly(server);
        }
    }

    public int rank() {
        return rank;
    }

    public int size() {
        return size;
    }

    /** Nanoseconds spent inside {@link #sum} since the ring was opened (the exchange's share of a step). */
    public long exchangeNanos() {
        return exchangeNanos;
    }

    /**
     * Replaces {@code a[0, n)} on every rank by the element-wise sum over the ranks' arrays.
     * Every rank must call this with the same {@code n}, in the same sequence of calls.
     *
     * @param a read and written, at least n long
     */
    public void sum(float[] a, int n) {
        ring(n, 1, (out, in, add) -> {
            int outFrom = chunkStart(out, n);
            int outLen = chunkStart(out + 1, n) - outFrom;
            int inFrom = chunkStart(in, n);
            int inLen = chunkStart(in + 1, n) - inFrom;
            sendFloats.clear();
            sendFloats.put(a, outFrom, outLen);
            transfer(outLen * Float.BYTES, inLen * Float.BYTES);
            recvFloats.clear();
            if (add) {
                // A bulk copy then a plain loop (which the JIT vectorizes): per-element buffer reads are several times slower.
                recvFloats.get(received, 0, inLen);
                for (int i = 0; i < inLen; i++) {
                    a[inFrom + i] += received[i];
                }
            } else {
                recvFloats.get(a, inFrom, inLen);
            }
        });
    }

    /**
     * {@link #sum(float[], int)} for doubles: the same ring, chunks and summation order, twice the
     * bytes. Synchronized batch-norm sums its double channel sums with it, so the statistics
     * exchanged are as accurate as the local ones.
     *
     * @param a read and written, at least n long
     */
    public void sum(double[] a, int n) {
        ring(n, 2, (out, in, add) -> {
            int outFrom = chunkStart(out, n);
            int outLen = chunkStart(out + 1, n) - outFrom;
            int inFrom = chunkStart(in, n);
            int inLen = chunkStart(in + 1, n) - inFrom;
            sendDoubles.clear();
            sendDoubles.put(a, outFrom, outLen);
            transfer(outLen * Double.BYTES, inLen * Double.BYTES);
            recvDoubles.clear();
            if (add) {
                recvDoubles.get(receivedDoubles, 0, inLen);
                for (int i = 0; i < inLen; i++) {
                    a[inFrom + i] += receivedDoubles[i];
                }
            } else {
                recvDoubles.get(a, inFrom, inLen);
            }
        });
    }

    /** One ring step: send chunk {@code out} to the next rank, receive chunk {@code in} from the previous one, add or copy it. */
    @FunctionalInterface
    private interface Step {
        void run(int out, int in, boolean add) throws IOException;
    }

    /* The two phases over n elements of floatsPerElement floats' size each, timed as exchange. */
    private void ring(int n, int floatsPerElement, Step step) {
        if (size == 1) {
            return;
        }
        long start = System.nanoTime();
        ensureCapacity((n + size - 1) / size * floatsPerElement);
        try {
            // Reduce-scatter: after K−1 steps rank r holds the finished sum of chunk r+1.
            for (int s = 0; s < size - 1; s++) {
                step.run(Math.floorMod(rank - s, size), Math.floorMod(rank - s - 1, size), true);
            }
            // All-gather: the finished chunks travel once around the ring.
            for (int s = 0; s < size - 1; s++) {
                step.run(Math.floorMod(rank + 1 - s, size), Math.floorMod(rank - s, size), false);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(new IOException("rank " + rank + " of " + size
                    + ": the gradient exchange with its ring neighbours failed: " + e.getMessage(), e));
        }
        exchangeNanos += System.nanoTime() - start;
    }

    private int chunkStart(int c, int n) {
        return (int) ((long) c * n / size);
    }

    /** Sends the first {@code outBytes} of the send buffer on a helper thread while receiving {@code inBytes} into the receive buffer. */
    private void transfer(int outBytes, int inBytes) throws IOException {
        sendBytes.clear().limit(outBytes);
        Future<?> sent = sender.submit(() -> {
            while (sendBytes.hasRemaining()) {
                toNext.write(sendBytes);
            }
            return null;
        });
        recvBytes.clear().limit(inBytes);
        readFully(fromPrev, recvBytes);
        try {
            sent.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while sending to rank " + (rank + 1) % size, e);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof IOException io ? io : new IOException(e.getCause());
        }
    }

    private void ensureCapacity(int floats) {
        if (sendBytes == null || sendBytes.capacity() < floats * Float.BYTES) {
            sendBytes = ByteBuffer.allocateDirect(floats * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
            recvBytes = ByteBuffer.allocateDirect(floats * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
            sendFloats = sendBytes.asFloatBuffer();
            recvFloats = recvBytes.asFloatBuffer();
            sendDoubles = sendBytes.asDoubleBuffer();
            recvDoubles = recvBytes.asDoubleBuffer();
            received = new float[floats];
            receivedDoubles = new double[floats / 2];
        }
    }

    private static void readFully(SocketChannel ch, ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            if (ch.read(b) < 0) {
                throw new IOException("the previous rank closed the connection (its task failed or was killed)");
            }
        }
    }

    private static void closeQuietly(java.io.Closeable c) {
        if (c != null) {
            try {
                c.close();
            } catch (IOException ignored) {
                // closing after a failure: the first error is the one reported
            }
        }
    }

    @Override
    public void close() {
        if (sender != null) {
            sender.shutdownNow();
        }
        closeQuietly(toNext);
        closeQuietly(fromPrev);
    }
}
