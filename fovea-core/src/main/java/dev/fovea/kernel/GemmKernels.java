package dev.fovea.kernel;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The register-blocked micro-kernels of {@link Gemm} on packed panels: one C tile of 8 rows
 * by 3, 2 or 1 vectors from a packed A panel (kc × 8) and a packed B panel (kc × width).
 * Package-private machinery, not an API; the tile shapes follow VECTOR-API.md (8 × 3 = 24
 * accumulators is the fastest tile; narrower tiles serve the last columns so that n = 32 or 64
 * wastes no lanes). {@link GemmKernelsStrided} holds the same kernels reading A in place.
 *
 * <p>Every tile goes to C through {@code tile} (a thread's 8 × 3-vector scratch) and
 * {@link #storeTile}; edge tiles (fewer rows or columns) run the same arithmetic on
 * zero-padded panels and store only their valid part, so every C element sees the same
 * operations whether or not it lies in an edge tile. Written out rather
 * than looped: a loop over accumulators needs an array of vectors, which the JIT cannot keep in
 * registers, and each accumulator has its own {@code zero} so none are aliased (VECTOR-API.md).
 */
final class GemmKernels {
    static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    static final int VL = S.length();
    static final int MR = 8;

    private GemmKernels() {
    }

    /** C tile (8 rows × 3 vectors) (= or +=) packed A panel (kc × 8) · packed B panel (kc × 3 * VL). */
    static void kernel8x3(float[] a, int aOff, float[] b, int bOff, int kc,
                         float[] c, int cOff, int ldc, int rows, int cols, boolean first, float[] tile) {
        FloatVector c00 = FloatVector.zero(S);
        FloatVector c01 = FloatVector.zero(S);
        FloatVector c02 = FloatVector.zero(S);
        FloatVector c10 = FloatVector.zero(S);
        FloatVector c11 = FloatVector.zero(S);
        FloatVector c12 = FloatVector.zero(S);
        FloatVector c20 = FloatVector.zero(S);
        FloatVector c21 = FloatVector.zero(S);
        FloatVector c22 = FloatVector.zero(S);
        FloatVector c30 = FloatVector.zero(S);
        FloatVector c31 = FloatVector.zero(S);
        FloatVector c32 = FloatVector.zero(S);
        FloatVector c40 = FloatVector.zero(S);
        FloatVector c41 = FloatVector.zero(S);
        FloatVector c42 = FloatVector.zero(S);
        FloatVector c50 = FloatVector.zero(S);
        FloatVector c51 = FloatVector.zero(S);
        FloatVector c52 = FloatVector.zero(S);
        FloatVector c60 = FloatVector.zero(S);
        FloatVector c61 = FloatVector.zero(S);
        FloatVector c62 = FloatVector.zero(S);
        FloatVector c70 = FloatVector.zero(S);
        FloatVector c71 = FloatVector.zero(S);
        FloatVector c72 = FloatVector.zero(S);
        int ao = aOff;
        int bo = bOff;
        for (int p = 0; p < kc; p++) {
            FloatVector b0 = FloatVector.fromArray(S, b, bo);
            FloatVector b1 = FloatVector.fromArray(S, b, bo + VL);
            FloatVector b2 = FloatVector.fromArray(S, b, bo + 2 * VL);
            FloatVector av = FloatVector.broadcast(S, a[ao]);
            c00 = av.fma(b0, c00);
            c01 = av.fma(b1, c01);
            c02 = av.fma(b2, c02);
            av = FloatVector.broadcast(S, a[ao + 1]);
            c10 = av.fma(b0, c10);
            c11 = av.fma(b1, c11);
            c12 = av.fma(b2, c12);
            av = FloatVector.broadcast(S, a[ao + 2]);
            c20 = av.fma(b0, c20);
            c21 = av.fma(b1, c21);
            c22 = av.fma(b2, c22);
            av = FloatVector.broadcast(S, a[ao + 3]);
            c30 = av.fma(b0, c30);
            c31 = av.fma(b1, c31);
            c32 = av.fma(b2, c32);
            av = FloatVector.broadcast(S, a[ao + 4]);
            c40 = av.fma(b0, c40);
            c41 = av.fma(b1, c41);
            c42 = av.fma(b2, c42);
            av = FloatVector.broadcast(S, a[ao + 5]);
            c50 = av.fma(b0, c50);
            c51 = av.fma(b1, c51);
            c52 = av.fma(b2, c52);
            av = FloatVector.broadcast(S, a[ao + 6]);
            c60 = av.fma(b0, c60);
            c61 = av.fma(b1, c61);
            c62 = av.fma(b2, c62);
            av = FloatVector.broadcast(S, a[ao + 7]);
            c70 = av.fma(b0, c70);
            c71 = av.fma(b1, c71);
            c72 = av.fma(b2, c72);
            ao += 8;
            bo += 3 * VL;
        }
        c00.intoArray(tile, 0);
        c01.intoArray(tile, VL);
        c02.intoArray(tile, 2 * VL);
        c10.intoArray(tile, 3 * VL);
        c11.intoArray(tile, 3 * VL + VL);
        c12.intoArray(tile, 3 * VL + 2 * VL);
        c20.intoArray(tile, 2 * 3 * VL);
        c21.intoArray(tile, 2 * 3 * VL + VL);
        c22.intoArray(tile, 2 * 3 * VL + 2 * VL);
        c30.intoArray(tile, 3 * 3 * VL);
        c31.intoArray(tile, 3 * 3 * VL + VL);
        c32.intoArray(tile, 3 * 3 * VL + 2 * VL);
        c40.intoArray(tile, 4 * 3 * VL);
        c41.intoArray(tile, 4 * 3 * VL + VL);
        c42.intoArray(tile, 4 * 3 * VL + 2 * VL);
        c50.intoArray(tile, 5 * 3 * VL);
        c51.intoArray(tile, 5 * 3 * VL + VL);
        c52.intoArray(tile, 5 * 3 * VL + 2 * VL);
        c60.intoArray(tile, 6 * 3 * VL);
        c61.intoArray(tile, 6 * 3 * VL + VL);
        c62.intoArray(tile, 6 * 3 * VL + 2 * VL);
        c70.intoArray(tile, 7 * 3 * VL);
        c71.intoArray(tile, 7 * 3 * VL + VL);
        c72.intoArray(tile, 7 * 3 * VL + 2 * VL);
        GemmKernels.storeTile(tile, 3 * VL, c, cOff, ldc, rows, cols, first);
    }

    /** C tile (8 rows × 2 vectors) (= or +=) packed A panel (kc × 8) · packed B panel (kc × 2 * VL). */
    static void kernel8x2(float[] a, int aOff, float[] b, int bOff, int kc,
                         float[] c, int cOff, int ldc, int rows, int cols, boolean first, float[] tile) {
        FloatVector c00 = FloatVector.zero(S);
        FloatVector c01 = FloatVector.zero(S);
        FloatVector c10 = FloatVector.zero(S);
        FloatVector c11 = FloatVector.zero(S);
        FloatVector c20 = FloatVector.zero(S);
        FloatVector c21 = FloatVector.zero(S);
        FloatVector c30 = FloatVector.zero(S);
        FloatVector c31 = FloatVector.zero(S);
        FloatVector c40 = FloatVector.zero(S);
        FloatVector c41 = FloatVector.zero(S);
        FloatVector c50 = FloatVector.zero(S);
        FloatVector c51 = FloatVector.zero(S);
        FloatVector c60 = FloatVector.zero(S);
        FloatVector c61 = FloatVector.zero(S);
        FloatVector c70 = FloatVector.zero(S);
        FloatVector c71 = FloatVector.zero(S);
        int ao = aOff;
        int bo = bOff;
        for (int p = 0; p < kc; p++) {
            FloatVector b0 = FloatVector.fromArray(S, b, bo);
            FloatVector b1 = FloatVector.fromArray(S, b, bo + VL);
            FloatVector av = FloatVector.broadcast(S, a[ao]);
            c00 = av.fma(b0, c00);
            c01 = av.fma(b1, c01);
            av = FloatVector.broadcast(S, a[ao + 1]);
            c10 = av.fma(b0, c10);
            c11 = av.fma(b1, c11);
            av = FloatVector.broadcast(S, a[ao + 2]);
            c20 = av.fma(b0, c20);
            c21 = av.fma(b1, c21);
            av = FloatVector.broadcast(S, a[ao + 3]);
            c30 = av.fma(b0, c30);
            c31 = av.fma(b1, c31);
            av = FloatVector.broadcast(S, a[ao + 4]);
            c40 = av.fma(b0, c40);
            c41 = av.fma(b1, c41);
            av = FloatVector.broadcast(S, a[ao + 5]);
            c50 = av.fma(b0, c50);
            c51 = av.fma(b1, c51);
            av = FloatVector.broadcast(S, a[ao + 6]);
            c60 = av.fma(b0, c60);
            c61 = av.fma(b1, c61);
            av = FloatVector.broadcast(S, a[ao + 7]);
            c70 = av.fma(b0, c70);
            c71 = av.fma(b1, c71);
            ao += 8;
            bo += 2 * VL;
        }
        c00.intoArray(tile, 0);
        c01.intoArray(tile, VL);
        c10.intoArray(tile, 2 * VL);
        c11.intoArray(tile, 2 * VL + VL);
        c20.intoArray(tile, 2 * 2 * VL);
        c21.intoArray(tile, 2 * 2 * VL + VL);
        c30.intoArray(tile, 3 * 2 * VL);
        c31.intoArray(tile, 3 * 2 * VL + VL);
        c40.intoArray(tile, 4 * 2 * VL);
        c41.intoArray(tile, 4 * 2 * VL + VL);
        c50.intoArray(tile, 5 * 2 * VL);
        c51.intoArray(tile, 5 * 2 * VL + VL);
        c60.intoArray(tile, 6 * 2 * VL);
        c61.intoArray(tile, 6 * 2 * VL + VL);
        c70.intoArray(tile, 7 * 2 * VL);
        c71.intoArray(tile, 7 * 2 * VL + VL);
        GemmKernels.storeTile(tile, 2 * VL, c, cOff, ldc, rows, cols, first);
    }

    /** C tile (8 rows × 1 vector) (= or +=) packed A panel (kc × 8) · packed B panel (kc × VL). */
    static void kernel8x1(float[] a, int aOff, float[] b, int bOff, int kc,
                         float[] c, int cOff, int ldc, int rows, int cols, boolean first, float[] tile) {
        FloatVector c00 = FloatVector.zero(S);
        FloatVector c10 = FloatVector.zero(S);
        FloatVector c20 = FloatVector.zero(S);
        FloatVector c30 = FloatVector.zero(S);
        FloatVector c40 = FloatVector.zero(S);
        FloatVector c50 = FloatVector.zero(S);
        FloatVector c60 = FloatVector.zero(S);
        FloatVector c70 = FloatVector.zero(S);
        int ao = aOff;
        int bo = bOff;
        for (int p = 0; p < kc; p++) {
            FloatVector b0 = FloatVector.fromArray(S, b, bo);
            FloatVector av = FloatVector.broadcast(S, a[ao]);
            c00 = av.fma(b0, c00);
            av = FloatVector.broadcast(S, a[ao + 1]);
            c10 = av.fma(b0, c10);
            av = FloatVector.broadcast(S, a[ao + 2]);
            c20 = av.fma(b0, c20);
            av = FloatVector.broadcast(S, a[ao + 3]);
            c30 = av.fma(b0, c30);
            av = FloatVector.broadcast(S, a[ao + 4]);
            c40 = av.fma(b0, c40);
            av = FloatVector.broadcast(S, a[ao + 5]);
            c50 = av.fma(b0, c50);
            av = FloatVector.broadcast(S, a[ao + 6]);
            c60 = av.fma(b0, c60);
            av = FloatVector.broadcast(S, a[ao + 7]);
            c70 = av.fma(b0, c70);
            ao += 8;
            bo += VL;
        }
        c00.intoArray(tile, 0);
        c10.intoArray(tile, VL);
        c20.intoArray(tile, 2 * VL);
        c30.intoArray(tile, 3 * VL);
        c40.intoArray(tile, 4 * VL);
        c50.intoArray(tile, 5 * VL);
        c60.intoArray(tile, 6 * VL);
        c70.intoArray(tile, 7 * VL);
        GemmKernels.storeTile(tile, VL, c, cOff, ldc, rows, cols, first);
    }

    /**
     * C[r, j] (= or +=) tile[r·width + j] for the valid rows × cols. Kept out of the kernels on
     * purpose: with their stores inlined, the kernels outgrew C2's inlining budget when compiled
     * by invocation count (short K), and their vectors were then boxed on the heap.
     */
    static void storeTile(float[] tile, int width, float[] c, int cOff, int ldc, int rows, int cols, boolean first) {
        int vecCols = cols / VL * VL;
        for (int r = 0; r < rows; r++) {
            int o = cOff + r * ldc;
            int t = r * width;
            for (int j = 0; j < vecCols; j += VL) {
                FloatVector v = FloatVector.fromArray(S, tile, t + j);
                if (!first) {
                    v = v.add(FloatVector.fromArray(S, c, o + j));
                }
                v.intoArray(c, o + j);
            }
            for (int j = vecCols; j < cols; j++) {
                c[o + j] = first ? tile[t + j] : c[o + j] + tile[t + j];
            }
        }
    }
}
