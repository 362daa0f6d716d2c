package dev.fovea.cli;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import javax.imageio.ImageIO;

/** Test fixture: small image folders written into a temp dir (a few KB; train in well under a second an epoch). */
final class TinyFolders {
    private TinyFolders() {
    }

    /** {@code dir/<class>/<i>.png}: {@code perClass} 8×8 PNGs per class, each class a noisy colour of its own. */
    static Path flat(Path dir, int classes, int perClass, long seed) throws IOException {
        Random r = new Random(seed);
        for (int c = 0; c < classes; c++) {
            Path cls = Files.createDirectories(dir.resolve("class_" + (char) ('a' + c)));
            for (int i = 0; i < perClass; i++) {
                BufferedImage img = new BufferedImage(8, 8, BufferedImage.TYPE_INT_RGB);
                for (int y = 0; y < 8; y++) {
                    for (int x = 0; x < 8; x++) {
                        int base = 60 * c;
                        img.setRGB(x, y, (clamp(base + r.nextInt(40)) << 16) | (clamp(200 - base + r.nextInt(40)) << 8)
                                | clamp(r.nextInt(256)));
                    }
                }
                ImageIO.write(img, "png", cls.resolve(String.format("%03d.png", i)).toFile());
            }
        }
        return dir;
    }

    private static int clamp(int v) {
        return Math.max(0, Math.min(255, v));
    }

    /** {@code fovea train} on {@code data} into {@code out}, quiet, seed 1, batch 8, unless {@code more} sets them. */
    static String[] train(Path data, Path out, String... more) {
        List<String> extra = List.of(more);
        List<String> a = new ArrayList<>(List.of("train", "--data", data.toString(), "--out", out.toString()));
        for (String[] d : new String[][]{{"--batch-size", "8"}, {"--verbose", "0"}, {"--seed", "1"}}) {
            if (!extra.contains(d[0])) {
                a.addAll(List.of(d));
            }
        }
        a.addAll(extra);
        return a.toArray(new String[0]);
    }
}
