package dev.fovea.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.channels.ServerSocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The ring all-reduce among K threads on loopback, against the element-wise sum in double precision. */
class RingAllReduceTest {

    /** What one rank does with its end of the ring. */
    @FunctionalInterface
    interface RankBody<T> {
        T run(int rank, RingAllReduce ring);
    }

    /** Runs {@code body} on K = k ranks, one thread each, joined in a loopback ring; results by rank. */
    static <T> List<T> onRanks(int k, RankBody<T> body) throws Exception {
        List<ServerSocketChannel> servers = new ArrayList<>();
        List<String> addresses = new ArrayList<>();
        for (int r = 0; r < k; r++) {
            ServerSocketChannel s = RingAllReduce.listen("127.0.0.1");
            servers.add(s);
            addresses.add("127.0.0.1:" + ((java.net.InetSocketAddress) s.getLocalAddress()).getPort());
        }
        ExecutorService pool = Executors.newFixedThreadPool(k);
        try {
            List<Future<T>> out = new ArrayList<>();
            for (int r = 0; r < k; r++) {
                int rank = r;
                out.add(pool.submit(() -> {
                    try (RingAllReduce ring = RingAllReduce.connect(rank, addresses, servers.get(rank))) {
                        return body.run(rank, ring);
                    }
                }));
            }
            List<T> res = new ArrayList<>();
            for (int r = 0; r < k; r++) {
                res.add(out.get(r).get(30, TimeUnit.SECONDS));
            }
            return res;
        } finally {
            pool.shutdownNow();
        }
    }

    /** Each rank's result after one sum of {@code inputs[rank]}; K = inputs.length ranks on threads. */
    private static float[][] allReduce(float[][] inputs, int calls) throws Exception {
        return onRanks(inputs.length, (rank, ring) -> {
            float[] a = null;
            for (int c = 0; c < calls; c++) {
                a = inputs[rank].clone();
                ring.sum(a, a.length);
            }
            return a;
        }).toArray(float[][]::new);
    }

    /**
     * Doubles keep double precision through the ring (1 + 1e-12 is lost in float), agree on every
     * rank, and interleave with float sums on the same ring (buffers shared, sizes differing), as
     * synchronized batch-norm's statistics interleave with the gradient exchange.
     */
    @Test
    void doubleSumsKeepDoublePrecisionAndInterleaveWithFloatSums() throws Exception {
        Random rnd = new Random(5);
        for (int[] kn : new int[][]{{2, 3}, {3, 1001}, {2, 200_001}}) {
            int k = kn[0];
            int n = kn[1];
            double[][] in = new double[k][n];
            for (int r = 0; r < k; r++) {
                for (int i = 0; i < n; i++) {
                    in[r][i] = r == 0 ? 1.0 : 1e-12 * (1 + rnd.nextInt(5));
                }
            }
            List<double[]> out = onRanks(k, (rank, ring) -> {
                float[] f = {rank + 1f, 2f};
                ring.sum(f, 2);
                double[] a = in[rank].clone();
                ring.sum(a, n);
                ring.sum(f, 2);
                assertArrayEquals(new float[]{k * k * (k + 1) / 2f, 2f * k * k}, f, "float sums around the double one");
                return a;
            });
            for (int i = 0; i < n; i++) {
                double expected = 0;
                for (int r = 0; r < k; r++) {
                    expected += in[r][i];
                }
                assertEquals(expected, out.get(0)[i], 1e-15, "K=" + k + " n=" + n + " element " + i);
                assertTrue(out.get(0)[i] > 1.0, "the 1e-12 terms must survive");
            }
            for (int r = 1; r < k; r++) {
                assertArrayEquals(out.get(0), out.get(r), "K=" + k + " n=" + n + ": rank " + r + " differs from rank 0");
            }
        }
    }

    @Test
    void sumsEqualTheDefinitionAndAreBitIdenticalOnEveryRank() throws Exception {
        Random rnd = new Random(3);
        // Sizes that do not divide by K, smaller than K, and big enough to overflow socket buffers.
        for (int[] kn : new int[][]{{2, 1}, {3, 2}, {3, 1001}, {4, 300_001}, {2, 1_000_000}}) {
            int k = kn[0];
            int n = kn[1];
            float[][] in = new float[k][n];
            for (float[] row : in) {
                for (int i = 0; i < n; i++) {
                    row[i] = (float) rnd.nextGaussian();
                }
            }
            float[][] out = allReduce(in, 2);
            for (int i = 0; i < n; i++) {
                double expected = 0;
                for (int r = 0; r < k; r++) {
                    expected += in[r][i];
                }
                // k-1 float additions of values of order 1: a few ulps of the sum.
                assertEquals(expected, out[0][i], 1e-5 * k, "K=" + k + " n=" + n + " element " + i);
            }
            for (int r = 1; r < k; r++) {
                assertArrayEquals(out[0], out[r], "K=" + k + " n=" + n + ": rank " + r + " differs from rank 0");
            }
        }
    }

    @Test
    void twoRanksAddExactlyLikeOneAddition() throws Exception {
        float[][] in = {{1.5f, -2f, 1e-8f}, {0.25f, 3f, 1f}};
        float[][] out = allReduce(in, 1);
        assertArrayEquals(new float[]{1.75f, 1f, 1f + 1e-8f}, out[0]);
        assertArrayEquals(out[0], out[1]);
    }

    @Test
    void oneRankIsTheIdentity() throws Exception {
        float[][] out = allReduce(new float[][]{{4f, 5f}}, 1);
        assertArrayEquals(new float[]{4f, 5f}, out[0]);
    }
}
