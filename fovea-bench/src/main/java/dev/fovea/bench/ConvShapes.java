package dev.fovea.bench;

import java.util.ArrayList;
import java.util.List;

/**
 * The convolutions {@link ConvBench} measures (issue 8, deliverable 3), each with where it comes
 * from:
 * <ul>
 *   <li>{@code tutorial}: the six 3×3 same convolutions of the tutorial CNN
 *       ({@code nn.Presets.tutorialCnn}, RECIPES.md "The tutorial CNN": two convs per block at
 *       32, 64 and 128 filters, max-pool 2 between blocks, so 32×32, 16×16, 8×8), each
 *       {@code Conv2D(f, 3, SAME, RELU)}: bias on, ReLU fused. At batch 128 (the training
 *       benchmark's batch) and 32 (the tutorial's).</li>
 *   <li>{@code wide}: 3×3 same 64→256 at 16×16 and 256→256 at 8×8, batch 128 (the issue's
 *       wide shapes), taken as layers of a widened tutorial CNN: bias on, ReLU fused.</li>
 *   <li>{@code fast}: the convolutions of the airbench94 recipe behind the {@code fast} preset
 *       (RECIPES.md "airbench94"), batch 1024. The whitening conv is 2×2 valid 3→24 with a bias
 *       (32→31). Then three groups of conv 3×3 same (no bias) → max-pool 2 (floor: 31→15→7→3)
 *       → BN → GELU → conv 3×3 same (no bias) → BN → GELU at widths 64, 256, 256, so group g's
 *       first conv runs at the size before its pool and its second at the size after: 31×31
 *       24→64, 15×15 64→64; 15×15 64→256, 7×7 256→256; 7×7 256→256, 3×3 256→256. GELU is its
 *       own pass after BN, so nothing is fused. These add up to the recipe's 118.1 M
 *       multiply-adds per image with the 256→10 head ({@code ConvShapesTest}).</li>
 * </ul>
 * Names are {@code group}-{@code layer}-b{@code batch}; the list is repeated as the
 * {@code @Param} of {@link ConvBench} (annotations need constants), and a test holds the two equal.
 */
public final class ConvShapes {
    /** Every shape, in the order the report prints them. */
    public static final List<ConvShape> ALL = build();

    private ConvShapes() {
    }

    /** The shape called {@code name}; IllegalArgumentException naming the known ones otherwise. */
    public static ConvShape byName(String name) {
        for (ConvShape s : ALL) {
            if (s.name().equals(name)) {
                return s;
            }
        }
        throw new IllegalArgumentException("unknown conv shape '" + name + "'; expected one of " + names());
    }

    public static List<String> names() {
        List<String> names = new ArrayList<>();
        for (ConvShape s : ALL) {
            names.add(s.name());
        }
        return names;
    }

    private static List<ConvShape> build() {
        List<ConvShape> all = new ArrayList<>();
        for (int batch : new int[]{128, 32}) {
            String src = "tutorial CNN, RECIPES.md; Conv2D(f, 3, SAME, RELU)";
            all.add(tutorial(1, batch, 32, 3, 32, src));
            all.add(tutorial(2, batch, 32, 32, 32, src));
            all.add(tutorial(3, batch, 16, 32, 64, src));
            all.add(tutorial(4, batch, 16, 64, 64, src));
            all.add(tutorial(5, batch, 8, 64, 128, src));
            all.add(tutorial(6, batch, 8, 128, 128, src));
        }
        String wide = "issue 8's wide shapes, as a widened tutorial layer";
        all.add(new ConvShape("wide-64to256-b128", "wide", wide, 128, 16, 64, 256, 3, true, true, true));
        all.add(new ConvShape("wide-256to256-b128", "wide", wide, 128, 8, 256, 256, 3, true, true, true));
        String fast = "airbench94, RECIPES.md";
        all.add(new ConvShape("fast-whiten-b1024", "fast", fast + ": whitening 2x2 valid, bias", 1024, 32, 3, 24, 2,
                false, true, false));
        all.add(fast("fast-g1a-b1024", fast + ": group 1 first conv", 31, 24, 64));
        all.add(fast("fast-g1b-b1024", fast + ": group 1 second conv, after pool 31->15", 15, 64, 64));
        all.add(fast("fast-g2a-b1024", fast + ": group 2 first conv", 15, 64, 256));
        all.add(fast("fast-g2b-b1024", fast + ": group 2 second conv, after pool 15->7", 7, 256, 256));
        all.add(fast("fast-g3a-b1024", fast + ": group 3 first conv", 7, 256, 256));
        all.add(fast("fast-g3b-b1024", fast + ": group 3 second conv, after pool 7->3", 3, 256, 256));
        String small = "airbench94 at widths 64/128/128 (fast-small, the README's main job)";
        all.add(fastSmall("fast-small-g1a-b1024", small + ": group 1 first conv", 31, 24, 64));
        all.add(fastSmall("fast-small-g1b-b1024", small + ": group 1 second conv", 15, 64, 64));
        all.add(fastSmall("fast-small-g2a-b1024", small + ": group 2 first conv", 15, 64, 128));
        all.add(fastSmall("fast-small-g2b-b1024", small + ": group 2 second conv", 7, 128, 128));
        all.add(fastSmall("fast-small-g3a-b1024", small + ": group 3 first conv", 7, 128, 128));
        all.add(fastSmall("fast-small-g3b-b1024", small + ": group 3 second conv", 3, 128, 128));
        return List.copyOf(all);
    }

    private static ConvShape tutorial(int layer, int batch, int h, int c, int f, String src) {
        return new ConvShape("tutorial" + layer + "-b" + batch, "tutorial", src, batch, h, c, f, 3, true, true, true);
    }

    private static ConvShape fast(String name, String src, int h, int c, int f) {
        return new ConvShape(name, "fast", src + ", 3x3 same, no bias", 1024, h, c, f, 3, true, false, false);
    }

    private static ConvShape fastSmall(String name, String src, int h, int c, int f) {
        return new ConvShape(name, "fast-small", src + ", 3x3 same, no bias", 1024, h, c, f, 3, true, false, false);
    }
}
