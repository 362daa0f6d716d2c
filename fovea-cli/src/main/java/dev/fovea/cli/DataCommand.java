package dev.fovea.cli;

import dev.fovea.data.Augment;
import dev.fovea.data.Augmentation;
import dev.fovea.data.DataInfo;
import dev.fovea.data.DataSources;
import dev.fovea.data.Dataset;
import dev.fovea.data.ImageFolder;
import dev.fovea.data.Splits;
import dev.fovea.report.ImageGrid;
import dev.fovea.run.AugmentationOptions;
import dev.fovea.run.Check;
import dev.fovea.run.OutputFolder;
import dev.fovea.tensor.Rng;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code fovea data info PATH} (counts per split and class, image size, class names) and
 * {@code fovea data show PATH} (a labelled PNG grid of samples, augmented when asked). PATH is
 * {@code cifar10} (cached or downloaded), a CIFAR-10 binary archive, folder or .bin, or an
 * image folder or .zip.
 */
@Command(name = "data", mixinStandardHelpOptions = true, description = "Inspect a dataset: counts per class, sample grids.",
        subcommands = {DataCommand.Info.class, DataCommand.Show.class})
public final class DataCommand implements Runnable {
    @Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** Options for image folders, shared by both subcommands. */
    static final class SourceOptions {
        @Option(names = "--image-size", paramLabel = "HxW",
                description = "Resize image-folder images to this size (e.g. 32x32); default:"
                        + " the size of the first image.")
        String imageSize;

        @Option(names = "--strict", description = "Stop at the first unreadable image instead"
                + " of skipping it with a warning.")
        boolean strict;

        ImageFolder.Options options() {
            if (imageSize == null) {
                return new ImageFolder.Options(0, 0, strict);
            }
            String[] p = imageSize.toLowerCase(Locale.ROOT).split("[x×]");
            try {
                int h = Integer.parseInt(p[0].trim());
                int w = p.length > 1 ? Integer.parseInt(p[1].trim()) : h;
                if (h < 1 || w < 1 || p.length > 2) {
                    throw new NumberFormatException();
                }
                return new ImageFolder.Options(h, w, strict);
            } catch (NumberFormatException e) {
                throw new UserError("--image-size: expected HEIGHTxWIDTH such as 32x32, received '"
                        + imageSize + "'");
            }
        }
    }

    @Command(name = "info", mixinStandardHelpOptions = true, description = "Print each split's image count, the per-class"
            + " counts, the image size and the class names.")
    static final class Info implements Runnable {
        @Spec
        CommandLine.Model.CommandSpec spec;

        @Parameters(paramLabel = "PATH", description = "cifar10, a CIFAR-10 .tar.gz/folder/.bin,"
                + " or an image folder or .zip")
        String path;

        @Mixin
        SourceOptions source = new SourceOptions();

        @Override
        public void run() {
            PrintStream err = Console.lines(System.err, Console.errIsTerminal());
            DataInfo info = DataSources.info(path, source.options(), err);
            print(info, spec.commandLine().getOut());
        }
    }

    static void print(DataInfo info, PrintWriter out) {
        Console.field(out, "source:  ", info.source());
        out.printf(Locale.ROOT, "images:  %d×%d×%d (height×width×channels)%n", info.height(),
                info.width(), info.channels());
        Console.field(out, "classes: ", info.classNames().size() + " (" + String.join(", ",
                info.classNames()) + ")");
        int splitW = info.splits().stream().mapToInt(s -> s.name().length()).max().orElse(5) + 1;
        for (DataInfo.Split s : info.splits()) {
            out.printf(Locale.US, "%-" + splitW + "s %,d images%n", s.name() + ":", s.count());
        }
        out.println();
        int nameW = Math.max(5, info.classNames().stream().mapToInt(String::length).max()
                .orElse(5));
        StringBuilder head = new StringBuilder(String.format(Locale.ROOT, "%-" + nameW + "s",
                "class"));
        for (DataInfo.Split s : info.splits()) {
            head.append(String.format(Locale.ROOT, "  %10s", s.name()));
        }
        out.println(head);
        for (int c = 0; c < info.classNames().size(); c++) {
            StringBuilder row = new StringBuilder(String.format(Locale.ROOT,
                    "%-" + nameW + "s", info.classNames().get(c)));
            for (DataInfo.Split s : info.splits()) {
                row.append(String.format(Locale.US, "  %,10d", s.classCounts()[c]));
            }
            out.println(row);
        }
        out.flush();
    }

    @Command(name = "show", mixinStandardHelpOptions = true, description = "Write a labelled grid of sample images as PNG,"
            + " augmented when augmentation flags are given.")
    static final class Show implements Runnable {
        @Spec
        CommandLine.Model.CommandSpec spec;

        @Parameters(paramLabel = "PATH", description = "cifar10, a CIFAR-10 .tar.gz/folder/.bin,"
                + " or an image folder or .zip")
        String path;

        @Mixin
        SourceOptions source = new SourceOptions();

        @Mixin
        AugmentationOptions augmentation = new AugmentationOptions();

        @Option(names = "--out", paramLabel = "FILE", defaultValue = "grid.png",
                description = "PNG file to write. Default: ${DEFAULT-VALUE}.")
        Path out;

        @Option(names = "--count", paramLabel = "N", defaultValue = "32",
                description = "Number of images. Default: ${DEFAULT-VALUE}.")
        int count;

        @Option(names = "--columns", paramLabel = "N", defaultValue = "8",
                description = "Images per row. Default: ${DEFAULT-VALUE}.")
        int columns;

        @Option(names = "--scale", paramLabel = "N", defaultValue = "3",
                description = "Enlargement factor (nearest neighbour). Default: ${DEFAULT-VALUE}.")
        int scale;

        @Option(names = "--split", paramLabel = "train|test", defaultValue = "train",
                description = "train or test (the held-out split). Default: ${DEFAULT-VALUE}.")
        String split;

        @Option(names = "--seed", paramLabel = "N", defaultValue = "0",
                description = "Seed for picking and augmenting images. Default: ${DEFAULT-VALUE}.")
        long seed;

        @Override
        public void run() {
            Check.between("--count", count, 1, 1024, "images in the grid");
            Check.positive("--columns", columns, "images per row");
            Check.between("--scale", scale, 1, 16, "enlargement factor");
            Augmentation aug = augmentation.toAugmentation();
            Splits splits = DataSources.load(path, source.options(), Console.lines(System.err, Console.errIsTerminal()));
            Dataset ds = pick(splits);
            int[] order = new int[ds.size()];
            for (int i = 0; i < order.length; i++) {
                order[i] = i;
            }
            Rng rng = new Rng(seed);
            rng.split(0).shuffle(order);
            Rng augRng = rng.split(1);
            Augment augment = aug.isNone() ? null
                    : new Augment(aug, ds.height(), ds.width(), ds.channels());
            List<ImageGrid.Tile> tiles = new ArrayList<>();
            int n = Math.min(count, ds.size());
            for (int k = 0; k < n; k++) {
                int i = order[k];
                byte[] img = ds.image(i);
                if (augment != null) {
                    byte[] t = new byte[img.length];
                    augment.apply(img, 0, t, 0, augRng);
                    img = t;
                }
                tiles.add(new ImageGrid.Tile(rgb(img, ds.channels()), ds.height(), ds.width(),
                        ds.classNames().get(ds.label(i)), null));
            }
            try {
                ImageGrid.writePng(ImageGrid.render(tiles, columns, scale), out);
            } catch (IOException e) {
                throw OutputFolder.failure("cannot write the grid", out, "--out", e);
            }
            PrintWriter o = spec.commandLine().getOut();
            Console.out(o, String.format(Locale.US, "wrote %s: %d %s images%s", out, n, split,
                    aug.isNone() ? "" : ", augmented"));
            o.flush();
        }

        private Dataset pick(Splits s) {
            if (split.equals("train")) {
                return s.train();
            }
            if (split.equals("test") || split.equals("val") || split.equals("validation")) {
                if (s.test() == null) {
                    throw new UserError(path + " has no held-out split; use --split train");
                }
                return s.test();
            }
            throw new UserError("--split: expected train or test, received '" + split + "'");
        }

        private static byte[] rgb(byte[] img, int channels) {
            if (channels == 3) {
                return img;
            }
            byte[] out = new byte[img.length / channels * 3];
            for (int p = 0; p < img.length / channels; p++) {
                for (int k = 0; k < 3; k++) {
                    out[p * 3 + k] = img[p * channels + Math.min(k, channels - 1)];
                }
            }
            return out;
        }
    }
}
