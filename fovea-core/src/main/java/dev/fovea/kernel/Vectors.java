package dev.fovea.kernel;

import dev.fovea.kernel.gemm.generated.GemmKernels;

import java.util.Locale;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The vector shape every kernel uses, chosen once per JVM: the float species and the register
 * tile set of the micro-kernels ({@link GemmKernels}). By default the species is the machine's
 * preferred one (16 floats on AVX-512, 8 on AVX2) and the tile set follows it: 8 × 3 tiles
 * (24 accumulators) for 16-float vectors, where AVX-512 has 32 registers; 6 × 2 tiles (12) for
 * narrower vectors, where AVX2 has 16 registers and an 8 × 3 tile spills on every K step
 * (../shared/VECTOR-API.md measured it at a third of the core's peak).
 *
 * <p>Two system properties override the choice, for measuring one machine both ways:
 * {@code -Dfovea.vector.bits=256} (or 128, 512) forces the species, and with it the tile set;
 * {@code -Dfovea.tiles=8x3|6x2} forces only the tile set. A species wider than the hardware's
 * would run without intrinsics, tens of times slower, so it is refused with a warning. (HotSpot's
 * {@code -XX:UseAVX=2} on an AVX-512 machine goes further: it also hides the upper 16 registers,
 * the closest a 32-register machine comes to an AVX2 one.)
 *
 * <p>Neither choice changes a result: every kernel sums each output over K in the same order
 * whatever the tile and the lane count, so the bits depend only on {@link Tunables}.
 */
public final class Vectors {
    /** The float species of every kernel. */
    public static final VectorSpecies<Float> S;
    /** Floats per vector. */
    public static final int LANES;
    private static final boolean WIDE_TILES;

    static {
        VectorSpecies<Float> preferred = FloatVector.SPECIES_PREFERRED;
        S = species(System.getProperty("fovea.vector.bits"), preferred, System.err::println);
        LANES = S.length();
        WIDE_TILES = wide(System.getProperty("fovea.tiles"), LANES, System.err::println);
    }

    private Vectors() {
    }

    /** The species for a {@code fovea.vector.bits} value: null or blank gives {@code preferred}. */
    static VectorSpecies<Float> species(String bits, VectorSpecies<Float> preferred,
                                        java.util.function.Consumer<String> warn) {
        if (bits == null || bits.isBlank()) {
            return preferred;
        }
        int b;
        try {
            b = Integer.parseInt(bits.trim());
        } catch (NumberFormatException e) {
            b = -1;
        }
        if (b != 128 && b != 256 && b != 512) {
            warn.accept("warning: fovea.vector.bits='" + bits + "' is not 128, 256 or 512; using the machine's "
                    + preferred.vectorBitSize() + "-bit vectors");
            return preferred;
        }
        if (b > preferred.vectorBitSize()) {
            warn.accept("warning: fovea.vector.bits=" + b + " is wider than this machine's " + preferred.vectorBitSize()
                    + "-bit vectors, which would run without intrinsics; using " + preferred.vectorBitSize());
            return preferred;
        }
        return b == 512 ? FloatVector.SPECIES_512 : b == 256 ? FloatVector.SPECIES_256 : FloatVector.SPECIES_128;
    }

    /** The tile set for a {@code fovea.tiles} value: null or blank follows the lane count. */
    static boolean wide(String tiles, int lanes, java.util.function.Consumer<String> warn) {
        if (tiles != null && !tiles.isBlank()) {
            String t = tiles.trim().toLowerCase(Locale.ROOT).replace('×', 'x');
            if (t.equals("8x3")) {
                return true;
            }
            if (t.equals("6x2")) {
                return false;
            }
            warn.accept("warning: fovea.tiles='" + tiles + "' is not 8x3 or 6x2; choosing by vector width");
        }
        return lanes >= 16;
    }

    /** True when the kernels use the 32-register tile set (8 × 3), false for the 16-register set (6 × 2). */
    public static boolean wideTiles() {
        return WIDE_TILES;
    }

    /** The register tile in use, as rows × vectors: {@code 8x3} or {@code 6x2}. */
    public static String tileSet() {
        return GemmKernels.MR + "x" + GemmKernels.NV;
    }

    /** One line for headers and provenance, e.g. {@code 512-bit vectors (16 floats), 8x3 register tiles}. */
    public static String describe() {
        return S.vectorBitSize() + "-bit vectors (" + LANES + " floats), " + tileSet() + " register tiles";
    }
}
