package dev.fovea.kernel.gemm.gen;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes the register micro-kernels of {@code dev.fovea.kernel} ({@code GemmKernels},
 * {@code GemmKernelsStrided}, {@code ConvKernels}) from one list of tile shapes, {@link #TILES}.
 * The kernels must stay written out (one local per accumulator, each from its own
 * {@code FloatVector.zero(S)}, no vectors passed to helpers: VECTOR-API.md's boxing cliff), so
 * they are generated rather than copied by hand. Not part of the library: test scope, JDK only,
 * so it also runs as a single source file ({@link #COMMAND}).
 *
 * <p>Every kernel does the same arithmetic: one FMA chain per C element over K in order from
 * zero, then {@code TileStore.storeTile} writes (first K block) or adds it into C. The variants
 * differ only in where A's values come from. {@code GeneratedKernelsTest} fails when the
 * checked-in files differ from this generator's output; {@code ExtraTileTest} compiles a tile
 * shape that is not in the list and holds it to the scalar definition.
 */
public final class MicroKernelGenerator {
    /** Run from the repository root; rewrites the three files in place. */
    public static final String COMMAND = "java fovea-core/src/test/java/dev/fovea/kernel/gemm/gen/MicroKernelGenerator.java";
    /** Where the generated files live, relative to the repository root. */
    public static final String TARGET_DIR = "fovea-core/src/main/java/dev/fovea/kernel/gemm/generated";
    /** The package of the generated files: a folder of their own, so nobody edits them by mistake. */
    public static final String PACKAGE = "dev.fovea.kernel.gemm.generated";
    /** Where a kernel reads A from; each variant is one generated class. */
    public enum Variant {
        /** A packed panel (kc × rows), as {@code Gemm} packs it. */
        PACKED("GemmKernels", ""),
        /** A in place: element (r, p) at {@code a[aOff + p·aps + r·ars]}. */
        STRIDED("GemmKernelsStrided", "s"),
        /** A whole convolution window of a padded NHWC input in place, K as KH runs of KW·C floats. */
        WINDOW("ConvKernels", "w");

        private final String className;
        private final String suffix;

        Variant(String className, String suffix) {
            this.className = className;
            this.suffix = suffix;
        }

        /** The generated class that holds this variant's kernels. */
        public String className() {
            return className;
        }
    }

    /** One register tile: rows × vectors accumulators, reading A as {@code variant} says. */
    public record Tile(Variant variant, int rows, int vectors) {
        public Tile {
            if (rows < 1 || vectors < 1) {
                throw new IllegalArgumentException("tile needs at least 1 row and 1 vector, received "
                        + rows + " × " + vectors);
            }
        }

        /** The kernel's method name, e.g. {@code kernel8x3s}. */
        public String method() {
            return "kernel" + rows + "x" + vectors + variant.suffix;
        }
    }

    /**
     * The two register files the kernels are shaped for; {@code Vectors} picks one per JVM from the
     * vector width. A tile must leave room in the register file for its B vectors and one
     * broadcast (VECTOR-API.md): 8 rows × 3 vectors = 24 accumulators + 3 + 1 = 28 of AVX-512's 32
     * registers; 6 × 2 = 12 + 2 + 1 = 15 of AVX2's 16. Each set also has narrower tiles of the same
     * row count for the last columns.
     */
    public enum TileSet {
        /** 32 vector registers (AVX-512: 16 floats a vector). */
        WIDE(8, 3),
        /** 16 vector registers (AVX2: 8 floats a vector). */
        NARROW(6, 2);

        private final int rows;
        private final int vectors;

        TileSet(int rows, int vectors) {
            this.rows = rows;
            this.vectors = vectors;
        }

        /** Rows of every tile of the set: the rows packed A panels have ({@code GemmKernels.MR}). */
        public int rows() {
            return rows;
        }

        /** Vectors of the widest tile of the set ({@code GemmKernels.NV}). */
        public int vectors() {
            return vectors;
        }
    }

    /** The kernels the library calls: every variant at every width of each set, grouped by file in variant order. */
    public static final List<Tile> TILES = tiles();

    private static List<Tile> tiles() {
        List<Tile> all = new ArrayList<>();
        for (Variant v : Variant.values()) {
            for (TileSet set : TileSet.values()) {
                for (int nv = set.vectors(); nv >= 1; nv--) {
                    all.add(new Tile(v, set.rows(), nv));
                }
            }
        }
        return List.copyOf(all);
    }

    private static final Map<Variant, String> CLASS_DOCS = Map.of(
            Variant.PACKED, """
                    The register-blocked micro-kernels of {@code Gemm} on packed panels: one C tile of MR rows
                    by up to NV vectors from a packed A panel (kc × MR) and a packed B panel (kc × width).
                    Generated (this folder holds nothing else), public for the GEMM and convolution packages,
                    not an API. Two tile sets, one per register file
                    (VECTOR-API.md): 8 rows × 3, 2 or 1 vectors where there are 32 vector registers
                    (AVX-512), 6 rows × 2 or 1 where there are 16 (AVX2: 8 × 3 would spill on every K step);
                    {@code Vectors} chooses one per JVM and {@link #kernel} dispatches to it (the choice is a
                    constant, so the JIT folds the branch). Narrower tiles serve the last columns so that
                    n = 32 or 64 wastes no lanes. {@code GemmKernelsStrided} holds the same kernels reading A in
                    place.

                    <p>Every tile goes to C through {@code tile} (a thread's MR × NV-vector scratch) and
                    {@code TileStore.storeTile}; edge tiles (fewer rows or columns) run the same arithmetic on
                    zero-padded panels and store only their valid part, so every C element sees the same
                    operations whether or not it lies in an edge tile. Written out rather
                    than looped: a loop over accumulators needs an array of vectors, which the JIT cannot keep in
                    registers, and each accumulator has its own {@code zero} so none are aliased (VECTOR-API.md).
                    """,
            Variant.STRIDED, """
                    The micro-kernels of {@code GemmKernels} reading A where it lies (row stride {@code ars},
                    K stride {@code aps}) instead of from a packed panel. When C has few columns (one conv's
                    filters) each A value feeds only a few FMAs, and packing A would cost about as much as the
                    multiplication; reading it in place gives the same values in the same order, so results do
                    not depend on which kernel ran. Full MR-row tiles only: edge rows go through packed panels.
                    """,
            Variant.WINDOW, """
                    The register kernels of {@code GemmKernelsStrided} for direct convolution
                    ({@code ConvGemm.forwardDirect}): A is a zero-padded NHWC input read in place, K a whole
                    convolution window (KH runs of KW·C contiguous floats), the MR tile rows MR neighbouring
                    output pixels. Machinery of the convolution package; same per-element arithmetic as the other kernels (one FMA
                    chain per output over K in order, then {@code TileStore.storeTile}).
                    """);

    private MicroKernelGenerator() {
    }

    /** Writes the generated files into {@code args[0]} (default {@link #TARGET_DIR}), each via a temp file and a rename. */
    public static void main(String[] args) throws IOException {
        Path dir = Path.of(args.length > 0 ? args[0] : TARGET_DIR);
        if (!Files.isDirectory(dir)) {
            System.err.println("MicroKernelGenerator: no directory " + dir.toAbsolutePath()
                    + "; run it from the repository root (" + COMMAND + ") or pass the kernel source directory");
            System.exit(2);
        }
        for (Map.Entry<String, String> e : files().entrySet()) {
            Path target = dir.resolve(e.getKey());
            Path tmp = dir.resolve(e.getKey() + ".tmp");
            Files.writeString(tmp, e.getValue());
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            System.out.println("wrote " + target);
        }
    }

    /** File name → content of every generated file, from {@link #TILES}. */
    public static Map<String, String> files() {
        Map<String, String> out = new LinkedHashMap<>();
        for (Variant v : Variant.values()) {
            List<Tile> tiles = new ArrayList<>();
            for (Tile t : TILES) {
                if (t.variant() == v) {
                    tiles.add(t);
                }
            }
            out.put(v.className + ".java", source(PACKAGE, v.className, CLASS_DOCS.get(v), v == Variant.PACKED, tiles, true));
        }
        return out;
    }

    /**
     * One class of package {@code dev.fovea.kernel} holding {@code tiles}' kernels. The class
     * that {@code declaresConstants} defines the species {@code S}, its length {@code VL}, the tile
     * set in use ({@code WIDE}) and its {@code MR} and {@code NV}; the others import them from
     * {@code GemmKernels}. With {@code dispatcher}, the class also gets {@code kernel(vecs, ...)},
     * which calls the set's tile of that many vectors; the tiles must then be both sets' of one variant.
     */
    public static String source(String pkg, String className, String classDoc, boolean declaresConstants,
                                List<Tile> tiles, boolean dispatcher) {
        StringBuilder s = new StringBuilder();
        s.append("// GENERATED by dev.fovea.kernel.gemm.gen.MicroKernelGenerator: do not edit; change the generator.\n");
        s.append("// Regenerate from the repository root: ").append(COMMAND).append('\n');
        s.append("package ").append(pkg).append(";\n\n");
        if (declaresConstants) {
            s.append("import dev.fovea.kernel.Vectors;\n");
            s.append("import dev.fovea.kernel.gemm.TileStore;\n");
            s.append("import jdk.incubator.vector.FloatVector;\n");
            s.append("import jdk.incubator.vector.VectorSpecies;\n\n");
        } else if (dispatcher) {
            s.append("import static dev.fovea.kernel.gemm.generated.GemmKernels.S;\n");
            s.append("import static dev.fovea.kernel.gemm.generated.GemmKernels.VL;\n");
            s.append("import static dev.fovea.kernel.gemm.generated.GemmKernels.WIDE;\n\n");
            s.append("import dev.fovea.kernel.gemm.TileStore;\n");
            s.append("import jdk.incubator.vector.FloatVector;\n\n");
        } else {
            s.append("import static dev.fovea.kernel.gemm.generated.GemmKernels.S;\n");
            s.append("import static dev.fovea.kernel.gemm.generated.GemmKernels.VL;\n\n");
            s.append("import dev.fovea.kernel.gemm.TileStore;\n");
            s.append("import jdk.incubator.vector.FloatVector;\n\n");
        }
        s.append("/**\n");
        for (String line : classDoc.strip().split("\n")) {
            s.append(line.isEmpty() ? " *" : " * " + line).append('\n');
        }
        s.append(" */\n");
        s.append("public final class ").append(className).append(" {\n");
        if (declaresConstants) {
            s.append("    public static final VectorSpecies<Float> S = Vectors.S;\n");
            s.append("    public static final int VL = S.length();\n");
            s.append("    /** True: the 32-register set (").append(TileSet.WIDE.rows()).append(" × ")
                    .append(TileSet.WIDE.vectors()).append(" tiles); false: the 16-register set (")
                    .append(TileSet.NARROW.rows()).append(" × ").append(TileSet.NARROW.vectors()).append("). */\n");
            s.append("    public static final boolean WIDE = Vectors.wideTiles();\n");
            s.append("    /** Rows of every register tile, and of the panels {@code Gemm} packs A into. */\n");
            s.append("    public static final int MR = WIDE ? ").append(TileSet.WIDE.rows()).append(" : ")
                    .append(TileSet.NARROW.rows()).append(";\n");
            s.append("    /** Vectors of the widest tile: B panels are at most NV·VL floats wide. */\n");
            s.append("    public static final int NV = WIDE ? ").append(TileSet.WIDE.vectors()).append(" : ")
                    .append(TileSet.NARROW.vectors()).append(";\n\n");
        }
        s.append("    private ").append(className).append("() {\n    }\n");
        if (dispatcher) {
            s.append('\n');
            dispatcher(s, tiles);
        }
        for (Tile t : tiles) {
            s.append('\n');
            kernel(s, t);
        }
        s.append("}\n");
        return s.toString();
    }

    /** {@code kernel(vecs, ...)}: the tile of the chosen set with {@code vecs} vectors (at most NV). */
    private static void dispatcher(StringBuilder s, List<Tile> tiles) {
        Variant v = tiles.get(0).variant();
        s.append("    /**\n     * The tile of the chosen set ({@code GemmKernels.WIDE}) that is {@code vecs} vectors wide,\n");
        s.append("     * 1 ≤ vecs ≤ {@code GemmKernels.NV}; the other arguments as the tiles take them.\n     */\n");
        String head = "    public static void kernel(int vecs, ";
        s.append(head).append(parameters(v, " ".repeat(head.length()))).append(" {\n");
        String args = arguments(v);
        for (TileSet set : TileSet.values()) {
            s.append(set == TileSet.WIDE ? "        if (WIDE) {\n" : "        } else {\n");
            for (int nv = set.vectors(); nv >= 1; nv--) {
                String call = "kernel" + set.rows() + "x" + nv + suffix(v) + "(" + args + ");";
                if (nv == 1) {
                    s.append(set.vectors() == 1 ? "            " : "            } else {\n                ").append(call).append('\n');
                    if (set.vectors() > 1) {
                        s.append("            }\n");
                    }
                } else {
                    s.append(nv == set.vectors() ? "            if" : "            } else if").append(" (vecs == ").append(nv)
                            .append(") {\n                ").append(call).append('\n');
                }
            }
        }
        s.append("        }\n    }\n");
        for (Tile t : tiles) {
            if (t.variant() != v) {
                throw new IllegalArgumentException("a dispatcher serves one variant, received " + tiles);
            }
        }
    }

    private static String suffix(Variant v) {
        return v.suffix;
    }

    /** A kernel's parameter list after its name, continuation lines indented by {@code cont}. */
    private static String parameters(Variant v, String cont) {
        String a = switch (v) {
            case PACKED -> "float[] a, int aOff, float[] b, int bOff, int kc,\n";
            case STRIDED -> "float[] a, int aOff, int aps, int ars, float[] b, int bOff, int kc,\n";
            case WINDOW -> "float[] a, int aOff, int segs, int segStride, int segLen, int ars, float[] b, int bOff,\n";
        };
        return a + cont + "float[] c, int cOff, int ldc, int rows, int cols, boolean first, float[] tile)";
    }

    private static String arguments(Variant v) {
        return switch (v) {
            case PACKED -> "a, aOff, b, bOff, kc, c, cOff, ldc, rows, cols, first, tile";
            case STRIDED -> "a, aOff, aps, ars, b, bOff, kc, c, cOff, ldc, rows, cols, first, tile";
            case WINDOW -> "a, aOff, segs, segStride, segLen, ars, b, bOff, c, cOff, ldc, rows, cols, first, tile";
        };
    }

    private static void kernel(StringBuilder s, Tile t) {
        int rows = t.rows();
        int nv = t.vectors();
        String width = nv == 1 ? "VL" : nv + " * VL";
        String head = "    public static void " + t.method();
        String cont = " ".repeat(head.length());
        switch (t.variant()) {
            case PACKED -> {
                s.append("    /** C tile (").append(rows).append(" rows × ").append(nv)
                        .append(nv == 1 ? " vector" : " vectors").append(") (= or +=) packed A panel (kc × ")
                        .append(rows).append(") · packed B panel (kc × ").append(width).append("). */\n");
                s.append(head).append("(float[] a, int aOff, float[] b, int bOff, int kc,\n");
            }
            case STRIDED -> {
                s.append("    /** As {@code kernel").append(rows).append('x').append(nv)
                        .append("}, reading A in place: element (r, p) at {@code a[aOff + p·aps + r·ars]}. */\n");
                s.append(head).append("(float[] a, int aOff, int aps, int ars, float[] b, int bOff, int kc,\n");
            }
            case WINDOW -> {
                s.append("    /**\n     * As {@link GemmKernelsStrided#kernel").append(rows).append('x').append(nv)
                        .append("s} over a whole convolution window read straight from a padded NHWC\n");
                s.append("     * input: K runs over {@code segs} kernel rows, each {@code segLen} = KW·C contiguous floats,\n");
                s.append("     * {@code segStride} apart; tile row r (an output pixel) starts {@code r·ars} further.\n");
                s.append("     */\n");
                s.append(head).append("(float[] a, int aOff, int segs, int segStride, int segLen, int ars,")
                        .append(" float[] b, int bOff,\n");
            }
            default -> throw new AssertionError(t.variant());
        }
        s.append(cont).append("float[] c, int cOff, int ldc, int rows, int cols, boolean first, float[] tile) {\n");
        for (int r = 0; r < rows; r++) {
            for (int v = 0; v < nv; v++) {
                s.append("        FloatVector ").append(acc(r, v)).append(" = FloatVector.zero(S);\n");
            }
        }
        if (t.variant() != Variant.WINDOW) {
            s.append("        int ao = aOff;\n");
        }
        if (t.variant() != Variant.PACKED) {
            // Row offsets hoisted out of the K loop: one add per broadcast instead of a multiply.
            for (int r = 1; r < rows; r++) {
                s.append("        int r").append(r).append(" = ").append(r == 1 ? "" : r + " * ").append("ars;\n");
            }
        }
        s.append("        int bo = bOff;\n");
        if (t.variant() == Variant.WINDOW) {
            s.append("        // One flat loop (not one per kernel row): on JDK 17, C2 boxed the accumulators of the\n");
            s.append("        // nested form on every iteration.\n");
            s.append("        int ao = aOff;\n");
            s.append("        int left = segLen;\n");
            s.append("        int skip = segStride - segLen;\n");
            s.append("        for (int p = segs * segLen; p > 0; p--) {\n");
        } else {
            s.append("        for (int p = 0; p < kc; p++) {\n");
        }
        for (int v = 0; v < nv; v++) {
            s.append("            FloatVector b").append(v).append(" = FloatVector.fromArray(S, b, bo")
                    .append(v == 0 ? "" : v == 1 ? " + VL" : " + " + v + " * VL").append(");\n");
        }
        for (int r = 0; r < rows; r++) {
            String index = r == 0 ? "ao" : t.variant() == Variant.PACKED ? "ao + " + r : "ao + r" + r;
            s.append("            ").append(r == 0 ? "FloatVector av" : "av")
                    .append(" = FloatVector.broadcast(S, a[").append(index).append("]);\n");
            for (int v = 0; v < nv; v++) {
                s.append("            ").append(acc(r, v)).append(" = av.fma(b").append(v).append(", ")
                        .append(acc(r, v)).append(");\n");
            }
        }
        switch (t.variant()) {
            case PACKED -> s.append("            ao += ").append(rows).append(";\n")
                    .append("            bo += ").append(width).append(";\n");
            case STRIDED -> s.append("            ao += aps;\n")
                    .append("            bo += ").append(width).append(";\n");
            case WINDOW -> s.append("            bo += ").append(width).append(";\n")
                    .append("            ao++;\n")
                    .append("            if (--left == 0) {\n")
                    .append("                ao += skip;\n")
                    .append("                left = segLen;\n")
                    .append("            }\n");
            default -> throw new AssertionError(t.variant());
        }
        s.append("        }\n");
        for (int r = 0; r < rows; r++) {
            String rowOff = r == 0 ? "" : r == 1 ? width : r + " * " + width;
            for (int v = 0; v < nv; v++) {
                String colOff = v == 0 ? "" : v == 1 ? "VL" : v + " * VL";
                String off = rowOff.isEmpty() ? (colOff.isEmpty() ? "0" : colOff)
                        : colOff.isEmpty() ? rowOff : rowOff + " + " + colOff;
                s.append("        ").append(acc(r, v)).append(".intoArray(tile, ").append(off).append(");\n");
            }
        }
        s.append("        TileStore.storeTile(tile, ").append(width)
                .append(", c, cOff, ldc, rows, cols, first);\n");
        s.append("    }\n");
    }

    /** Accumulator name for row r, vector v: {@code c21}, or {@code c12_1} once a number has two digits. */
    private static String acc(int r, int v) {
        return r < 10 && v < 10 ? "c" + r + v : "c" + r + "_" + v;
    }
}
