package dev.fovea.data;

import dev.fovea.FoveaException;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.Raster;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import javax.imageio.ImageIO;

/**
 * Loads images from a folder or {@code .zip} with one sub-folder per class (the layout of
 * Keras's {@code image_dataset_from_directory}; classes in alphabetical order), or with
 * {@code train/} and {@code val/} (or {@code validation/}, {@code test/}) each laid out that
 * way, which gives two splits. JPEG, PNG, BMP and GIF files are decoded with
 * {@code javax.imageio}; other files are ignored. Every image becomes 8-bit RGB (grayscale
 * replicated, alpha dropped as Keras/PIL {@code convert("RGB")} does, palettes expanded, 16-bit
 * samples reduced to their high byte) and is stretched to the target size by bilinear
 * interpolation (Keras's default), halving first while the image is more than twice the
 * target so that shrinking averages pixels instead of skipping them.
 * Zip archives are read in memory, never extracted. Not lazy: all images are decoded.
 */
public final class ImageFolder {
    private static final Set<String> EXTENSIONS = Set.of("jpg", "jpeg", "png", "bmp", "gif");
    private static final List<String> HELD_OUT = List.of("val", "validation", "test");

    /**
     * @param height target height, or 0 for the height of the first image read
     * @param width  target width, or 0 for the width of the first image read
     * @param strict an unreadable image is an error instead of a skipped file with a warning
     */
    public record Options(int height, int width, boolean strict) {
        public static Options defaults() {
            return new Options(0, 0, false);
        }
    }

    /**
     * One file or folder: its path split into folder names, and a way to read its bytes (null
     * for a folder). Folders and non-image files are kept so that a class folder without
     * images is reported rather than silently dropped.
     */
    private record Item(List<String> parts, String where, Opener open) {
        boolean isFolder() {
            return open == null;
        }
    }

    @FunctionalInterface
    private interface Opener {
        InputStream open() throws IOException;
    }

    private ImageFolder() {
    }

    /** True for a .zip file or a folder (CIFAR-10 folders should be checked first). */
    public static boolean recognizes(Path path) {
        return Files.isDirectory(path)
                || path.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".zip");
    }

    /** Loads the images; warnings about skipped files go to {@code warnings}. */
    public static Splits load(Path path, Options options, Consumer<String> warnings) {
        if (!Files.exists(path)) {
            throw new FoveaException("image folder not found: " + path + " does not exist;"
                    + " expected a folder (or .zip) with one sub-folder of images per class");
        }
        try {
            if (Files.isDirectory(path)) {
                return build(path.toString(), listFolder(path), options, warnings);
            }
            try (ZipFile zip = new ZipFile(path.toFile())) {
                return build(path.toString(), listZip(path, zip), options, warnings);
            }
        } catch (IOException e) {
            throw new FoveaException("cannot read " + path + ": " + e.getMessage()
                    + "; check that it is a readable folder or a valid .zip file", e);
        }
    }

    private static List<Item> listFolder(Path root) throws IOException {
        List<Item> items = new ArrayList<>();
        try (Stream<Path> s = Files.walk(root)) {
            for (Path f : s.filter(p -> !p.equals(root)).sorted().toList()) {
                List<String> parts = new ArrayList<>();
                for (Path p : root.relativize(f)) {
                    parts.add(p.toString());
                }
                boolean folder = Files.isDirectory(f);
                if (folder || Files.isRegularFile(f)) {
                    items.add(new Item(parts, f.toString(), folder ? null : () -> Files.newInputStream(f)));
                }
            }
        }
        return items;
    }

    private static List<Item> listZip(Path path, ZipFile zip) {
        List<Item> items = new ArrayList<>();
        Enumeration<? extends ZipEntry> en = zip.entries();
        while (en.hasMoreElements()) {
            ZipEntry e = en.nextElement();
            String name = e.getName().replace('\\', '/');
            List<String> parts = new ArrayList<>();
            for (String p : name.split("/")) {
                if (p.equals("..") || p.contains(":")) {
                    throw new FoveaException(path + ": archive entry '" + e.getName()
                            + "' points outside the archive root (zip slip); refusing the"
                            + " archive, rebuild it with relative paths inside one folder");
                }
                if (!p.isEmpty() && !p.equals(".")) {
                    parts.add(p);
                }
            }
            if (name.startsWith("/")) {
                throw new FoveaException(path + ": archive entry '" + e.getName()
                        + "' has an absolute path (zip slip); refusing the archive, rebuild"
                        + " it with relative paths");
            }
            if (!e.isDirectory() && !parts.isEmpty()) {
                items.add(new Item(parts, path + "!/" + name, () -> zip.getInputStream(e)));
            }
        }
        items.sort((a, b) -> String.join("/", a.parts).compareTo(String.join("/", b.parts)));
        // An archive made by zipping the folder itself wraps everything in one top folder.
        if (!items.isEmpty() && items.stream().allMatch(i -> i.parts.size() >= 3
                && i.parts.get(0).equals(items.get(0).parts.get(0)))) {
            items.replaceAll(i -> new Item(i.parts.subList(1, i.parts.size()), i.where, i.open));
        }
        return items;
    }

    private static Splits build(String source, List<Item> all, Options o, Consumer<String> warn)
            throws IOException {
        List<Item> images = all.stream().filter(i -> !i.isFolder() && isImage(i.parts)).toList();
        boolean split = images.stream().anyMatch(i -> i.parts.size() >= 3
                && i.parts.get(0).equals("train"));
        int[] size = {o.height(), o.width()};
        if (!split) {
            TreeMap<String, List<Item>> classes = byClass(images, 0);
            requireImages(source, all, List.of(), classes);
            return new Splits(decode(source, classes, classes.keySet().stream().toList(), size,
                    o, warn), null, null);
        }
        TreeMap<String, List<Item>> train = byClass(images.stream()
                .filter(i -> i.parts.get(0).equals("train")).toList(), 1);
        requireImages(source, all, List.of("train"), train);
        String heldName = null;
        for (String h : HELD_OUT) {
            if (heldName == null && images.stream().anyMatch(i -> i.parts.get(0).equals(h))) {
                heldName = h;
            }
        }
        List<String> names = train.keySet().stream().toList();
        Dataset trainSet = decode(source + "/train", train, names, size, o, warn);
        if (heldName == null) {
            return new Splits(trainSet, null, null);
        }
        String h = heldName;
        TreeMap<String, List<Item>> held = byClass(images.stream()
                .filter(i -> i.parts.get(0).equals(h)).toList(), 1);
        requireImages(source, all, List.of(h), held);
        for (String c : held.keySet()) {
            if (!train.containsKey(c)) {
                throw new FoveaException(source + "/" + h + "/" + c + ": class '" + c
                        + "' has no folder in train/ (train classes: " + names
                        + "); add it to train/ or remove it from " + h + "/");
            }
        }
        return new Splits(trainSet, decode(source + "/" + h, held, names, size, o, warn),
                h.equals("test") ? "test" : "validation");
    }

    /**
     * Fails when a class folder under {@code prefix} holds no image files (say only a
     * {@code .gitkeep}): dropping it would shift every later class's label and give a model
     * with one output fewer. Hidden folders ({@code .git}) and {@code __MACOSX} are not classes.
     */
    private static void requireImages(String source, List<Item> all, List<String> prefix,
                                      TreeMap<String, List<Item>> classes) {
        int depth = prefix.size();
        TreeMap<String, List<String>> others = new TreeMap<>();
        for (Item i : all) {
            if (i.parts.size() <= depth || !i.parts.subList(0, depth).equals(prefix)
                    || (!i.isFolder() && i.parts.size() == depth + 1)) {
                continue;
            }
            String name = i.parts.get(depth);
            // __MACOSX holds the resource forks of zips made on a Mac, never images of a class.
            if (!name.startsWith(".") && !name.equals("__MACOSX") && !classes.containsKey(name)) {
                List<String> files = others.computeIfAbsent(name, k -> new ArrayList<>());
                if (!i.isFolder()) {
                    files.add(String.join("/", i.parts.subList(depth + 1, i.parts.size())));
                }
            }
        }
        if (others.isEmpty()) {
            return;
        }
        String name = others.firstKey();
        List<String> files = others.get(name);
        String where = source + "/" + String.join("/", prefix) + (prefix.isEmpty() ? "" : "/") + name;
        throw new FoveaException(where + ": class folder '" + name + "' holds no images ("
                + (files.isEmpty() ? "it is empty" : "only " + String.join(", ", files.subList(0,
                Math.min(3, files.size()))) + (files.size() > 3 ? ", …" : ""))
                + "); expected .jpg, .png, .bmp or .gif files of that class; add images to it or"
                + " remove the folder" + (others.size() > 1 ? " (also without images: "
                + String.join(", ", others.keySet().stream().skip(1).toList()) + ")" : ""));
    }

    private static boolean isImage(List<String> parts) {
        return isImageName(parts.get(parts.size() - 1));
    }

    /** Whether a file name has an extension this class decodes (.jpg, .jpeg, .png, .bmp, .gif; not hidden). */
    public static boolean isImageName(String fileName) {
        String n = fileName.toLowerCase(Locale.ROOT);
        int dot = n.lastIndexOf('.');
        return dot > 0 && !n.startsWith(".") && EXTENSIONS.contains(n.substring(dot + 1));
    }

    /** Images grouped by the folder at {@code depth}; files directly in the root are ignored. */
    private static TreeMap<String, List<Item>> byClass(List<Item> items, int depth) {
        TreeMap<String, List<Item>> m = new TreeMap<>();
        for (Item i : items) {
            if (i.parts.size() > depth + 1) {
                m.computeIfAbsent(i.parts.get(depth), k -> new ArrayList<>()).add(i);
            }
        }
        return m;
    }

    private static Dataset decode(String where, TreeMap<String, List<Item>> classes,
                                  List<String> names, int[] size, Options o,
                                  Consumer<String> warn) throws IOException {
        if (classes.isEmpty()) {
            throw new FoveaException(where + " holds no class folders with images; expected"
                    + " one sub-folder per class containing .jpg, .png, .bmp or .gif files");
        }
        List<byte[]> pixels = new ArrayList<>();
        List<Integer> labels = new ArrayList<>();
        for (int c = 0; c < names.size(); c++) {
            String name = names.get(c);
            int before = pixels.size();
            for (Item item : classes.getOrDefault(name, List.of())) {
                BufferedImage img = read(item);
                if (img == null) {
                    String msg = item.where + ": cannot decode this image (corrupt, or a format"
                            + " javax.imageio does not read)";
                    if (o.strict()) {
                        throw new FoveaException(msg + "; fix or remove it (without --strict"
                                + " such files are skipped)");
                    }
                    warn.accept("warning: skipped " + msg);
                    continue;
                }
                if (size[0] == 0 || size[1] == 0) {
                    size[0] = size[0] == 0 ? img.getHeight() : size[0];
                    size[1] = size[1] == 0 ? img.getWidth() : size[1];
                }
                pixels.add(rgbBytes(img, size[0], size[1]));
                labels.add(c);
            }
            if (pixels.size() == before) {
                throw new FoveaException(where + "/" + name + ": class '" + name
                        + "' has no readable images; expected at least one .jpg, .png, .bmp or"
                        + " .gif file; add images or remove the folder");
            }
        }
        int n = size[0] * size[1] * 3;
        if ((long) pixels.size() * n > Integer.MAX_VALUE - 16) {
            throw new FoveaException(where + ": " + pixels.size() + " images of " + size[0] + "×"
                    + size[1] + " exceed the 2 GB an in-memory dataset can hold; use a smaller"
                    + " --image-size or fewer images");
        }
        byte[] all = new byte[pixels.size() * n];
        int[] lab = new int[labels.size()];
        for (int i = 0; i < lab.length; i++) {
            System.arraycopy(pixels.get(i), 0, all, i * n, n);
            lab[i] = labels.get(i);
        }
        return new Dataset(all, lab, names, size[0], size[1], 3);
    }

    private static BufferedImage read(Item item) {
        try (InputStream in = item.open.open()) {
            return ImageIO.read(new ByteArrayInputStream(in.readAllBytes()));
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /**
     * One image file decoded and resized exactly as the images of a folder are (8-bit RGB,
     * bilinear), so a single prediction sees what evaluation on a folder would see.
     *
     * @return pixels (height,width,3)
     */
    public static byte[] readRgb(Path file, int height, int width) {
        if (height < 1 || width < 1) {
            throw new IllegalArgumentException("target size must be positive, received "
                    + height + "×" + width);
        }
        if (Files.isDirectory(file)) {
            throw new FoveaException(file + " is a folder, not an image file; pass JPEG, PNG, BMP or"
                    + " GIF files");
        }
        if (!Files.isRegularFile(file)) {
            throw new FoveaException("image not found: " + file + " does not exist; pass JPEG, PNG,"
                    + " BMP or GIF files");
        }
        BufferedImage img = read(new Item(List.of(file.getFileName().toString()), file.toString(),
                () -> Files.newInputStream(file)));
        if (img == null) {
            throw new FoveaException(file + ": cannot decode this image (corrupt, or a format"
                    + " javax.imageio does not read); expected a JPEG, PNG, BMP or GIF file");
        }
        return rgbBytes(img, height, width);
    }

    /**
     * Encoded image bytes (JPEG, PNG, BMP or GIF, whatever the name says) decoded and resized
     * exactly as {@link #readRgb(Path, int, int)} does, for images that arrive without a file
     * (an upload). The caller bounds the decoded size first: this decodes the whole raster.
     *
     * @param where names the bytes in the error message (a file or part name)
     * @return pixels (height,width,3)
     */
    public static byte[] readRgb(byte[] encoded, String where, int height, int width) {
        if (height < 1 || width < 1) {
            throw new IllegalArgumentException("target size must be positive, received "
                    + height + "×" + width);
        }
        BufferedImage img = read(new Item(List.of(where), where, () -> new ByteArrayInputStream(encoded)));
        if (img == null) {
            throw new FoveaException(where + ": cannot decode this image (corrupt, truncated, or a format"
                    + " javax.imageio does not read); expected a JPEG, PNG, BMP or GIF file");
        }
        return rgbBytes(img, height, width);
    }

    /** The image as RGB bytes (H,W,3) at the target size. */
    static byte[] rgbBytes(BufferedImage img, int height, int width) {
        BufferedImage rgb = toRgb(img);
        while (rgb.getWidth() >= 2 * width || rgb.getHeight() >= 2 * height) {
            rgb = scale(rgb, Math.max(height, rgb.getHeight() / 2),
                    Math.max(width, rgb.getWidth() / 2));
        }
        if (rgb.getWidth() != width || rgb.getHeight() != height) {
            rgb = scale(rgb, height, width);
        }
        byte[] out = new byte[height * width * 3];
        int[] row = new int[width];
        for (int y = 0; y < height; y++) {
            rgb.getRGB(0, y, width, 1, row, 0, width);
            for (int x = 0; x < width; x++) {
                int p = row[x];
                int at = (y * width + x) * 3;
                out[at] = (byte) (p >> 16);
                out[at + 1] = (byte) (p >> 8);
                out[at + 2] = (byte) p;
            }
        }
        return out;
    }

    /** 8-bit opaque RGB copy; gray samples are copied as they are, not colour-converted. */
    private static BufferedImage toRgb(BufferedImage img) {
        int w = img.getWidth();
        int h = img.getHeight();
        BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        // getRGB would treat Java's linear CS_GRAY as linear light and brighten gray images.
        boolean gray = img.getColorModel().getColorSpace().getType() == ColorSpace.TYPE_GRAY;
        Raster r = img.getRaster();
        int bits = img.getColorModel().getComponentSize(0);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int p;
                if (gray) {
                    int v = r.getSample(x, y, 0);
                    v = bits == 8 ? v : bits > 8 ? v >> (bits - 8) : v * 255 / ((1 << bits) - 1);
                    p = v << 16 | v << 8 | v;
                } else {
                    p = img.getRGB(x, y) & 0xFFFFFF;
                }
                out.setRGB(x, y, p);
            }
        }
        return out;
    }

    private static BufferedImage scale(BufferedImage src, int height, int width) {
        BufferedImage dst = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = dst.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_INTERPOLATION,
                RenderingHints.VALUE_INTERPOLATION_BILINEAR);
        g.drawImage(src, 0, 0, width, height, null);
        g.dispose();
        return dst;
    }
}
