package dev.fovea.data;

import java.util.ArrayList;
import java.util.List;

/**
 * What {@code fovea data info} prints: each split's image count and per-class counts, the image
 * size and the class names. Sources that can count without decoding pixels (the CIFAR-10
 * binary format) build it directly; others build it from loaded {@link Splits}.
 */
public record DataInfo(String source, List<Split> splits, List<String> classNames, int height,
                       int width, int channels) {

    /** One split: its name ("train", "test", "validation"), count and counts per class. */
    public record Split(String name, int count, int[] classCounts) {
    }

    public static DataInfo of(String source, Splits s) {
        List<Split> parts = new ArrayList<>();
        parts.add(new Split("train", s.train().size(), s.train().classCounts()));
        if (s.test() != null) {
            parts.add(new Split(s.testName(), s.test().size(), s.test().classCounts()));
        }
        Dataset t = s.train();
        return new DataInfo(source, parts, t.classNames(), t.height(), t.width(), t.channels());
    }
}
