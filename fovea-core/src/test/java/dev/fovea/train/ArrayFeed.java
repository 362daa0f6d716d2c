package dev.fovea.train;

import dev.fovea.tensor.Rng;
import dev.fovea.tensor.Shape;
import dev.fovea.tensor.Tensor;

/** An in-memory Feed.Source over float samples for trainer tests: seeded shuffle per epoch, no augmentation. */
final class ArrayFeed implements Feed.Source {
    final float[] x;
    final int[] y;
    final Shape sample;
    final long seed;

    ArrayFeed(float[] x, int[] y, Shape sample, long seed) {
        this.x = x;
        this.y = y;
        this.sample = sample;
        this.seed = seed;
    }

    /** Two Gaussian blobs per class in a small image: class k brightens channel k % C at row k. */
    static ArrayFeed blobs(int n, int classes, Shape sample, long seed) {
        Rng r = new Rng(seed);
        int per = sample.size();
        float[] x = new float[n * per];
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            y[i] = r.nextInt(classes);
            for (int j = 0; j < per; j++) {
                x[i * per + j] = (float) (0.3 * r.nextGaussian());
            }
            int h = sample.dim(0);
            int w = sample.rank() > 1 ? sample.dim(1) : 1;
            int c = sample.rank() > 2 ? sample.dim(2) : 1;
            int row = y[i] % h;
            for (int col = 0; col < w; col++) {
                x[i * per + (row * w + col) * c + (y[i] % c)] += 1f;
            }
        }
        return new ArrayFeed(x, y, sample, seed);
    }

    @Override
    public int size() {
        return y.length;
    }

    @Override
    public Feed training(int epoch, int batchSize, boolean shuffle) {
        int[] order = new int[y.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        if (shuffle) {
            new Rng(seed).split(1000 + epoch).shuffle(order);
        }
        return feed(order, batchSize);
    }

    @Override
    public Feed inOrder(int batchSize) {
        int[] order = new int[y.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        return feed(order, batchSize);
    }

    private Feed feed(int[] order, int batchSize) {
        int per = sample.size();
        return new Feed() {
            int pos;

            @Override
            public int steps() {
                return (order.length + batchSize - 1) / batchSize;
            }

            @Override
            public Batch next() {
                if (pos >= order.length) {
                    return null;
                }
                int n = Math.min(batchSize, order.length - pos);
                Tensor t = Tensor.zeros(sample.withBatch(n));
                int[] labels = new int[n];
                for (int i = 0; i < n; i++) {
                    System.arraycopy(x, order[pos + i] * per, t.data(), i * per, per);
                    labels[i] = y[order[pos + i]];
                }
                pos += n;
                return new Batch(t, labels);
            }

            @Override
            public void close() {
            }
        };
    }
}
