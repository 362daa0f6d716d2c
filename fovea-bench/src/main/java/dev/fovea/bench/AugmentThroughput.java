package dev.fovea.bench;

import dev.fovea.data.Augment;
import dev.fovea.data.Augmentation;
import dev.fovea.data.Batches;
import dev.fovea.data.Cifar10;
import dev.fovea.data.Dataset;
import dev.fovea.data.Normalization;
import dev.fovea.tensor.Rng;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Images per second of the data feeder with the tutorial's augmentation (shifts of 10%,
 * horizontal flip) on 32×32 RGB: (1) augment + float conversion on the calling thread alone,
 * one core; (2) a full {@link Batches} epoch (shuffle, augment, convert, prefetch queue) with a
 * consumer that does nothing, i.e. the feeder's one background thread as the bottleneck.
 * A plain main rather than JMH: the quantity is a throughput over whole epochs.
 *
 * <p>Run: {@code java --add-modules jdk.incubator.vector -cp fovea-bench/target/fovea-benchmarks.jar
 * dev.fovea.bench.AugmentThroughput [cifar-10-binary.tar.gz]} (random images without argument).
 */
public final class AugmentThroughput {
    private AugmentThroughput() {
    }

    public static void main(String[] args) {
        Dataset ds = args.length > 0 ? Cifar10.load(Path.of(args[0])).train() : random(50_000);
        Augmentation aug = Augmentation.tutorial();
        Normalization norm = Normalization.fit(ds);

        Augment augment = new Augment(aug, 32, 32, 3);
        byte[] img = new byte[ds.imageBytes()];
        float[] x = new float[ds.imageBytes()];
        Rng rng = new Rng(1);
        int n = ds.imageBytes();
        for (int round = 0; round < 3; round++) {
            long t0 = System.nanoTime();
            for (int i = 0; i < ds.size(); i++) {
                augment.apply(ds.images(), i * n, img, 0, rng);
                norm.toFloat(img, 0, x, 0, n);
            }
            double s = (System.nanoTime() - t0) / 1e9;
            System.out.printf(Locale.US, "one thread, augment + to float: %,.0f images/s%n",
                    ds.size() / s);
        }

        try (Batches b = new Batches(ds, Batches.Config.of(128), aug, norm, 7)) {
            for (int e = 0; e < 3; e++) {
                long t0 = System.nanoTime();
                int images = 0;
                float sink = 0;
                try (Batches.Epoch ep = b.epoch(e)) {
                    for (Batches.Batch batch = ep.next(); batch != null; batch = ep.next()) {
                        images += batch.size();
                        sink += batch.x().data()[0];
                    }
                }
                double s = (System.nanoTime() - t0) / 1e9;
                System.out.printf(Locale.US, "Batches epoch %d (batch 128, prefetch 4): %,.0f"
                        + " images/s (checksum %.3f)%n", e, images / s, sink);
            }
        }
    }

    private static Dataset random(int count) {
        byte[] px = new byte[count * 32 * 32 * 3];
        int[] labels = new int[count];
        Rng r = new Rng(3);
        for (int i = 0; i < px.length; i++) {
            px[i] = (byte) r.nextInt(256);
        }
        for (int i = 0; i < count; i++) {
            labels[i] = r.nextInt(10);
        }
        return new Dataset(px, labels, Cifar10.LABELS, 32, 32, 3);
    }
}
