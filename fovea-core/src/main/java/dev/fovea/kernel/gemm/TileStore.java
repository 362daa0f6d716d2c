package dev.fovea.kernel.gemm;

import static dev.fovea.kernel.gemm.generated.GemmKernels.S;
import static dev.fovea.kernel.gemm.generated.GemmKernels.VL;

import jdk.incubator.vector.FloatVector;

/**
 * The one store every register kernel ends with, written by hand beside the generated kernels
 * ({@code GemmKernels}, {@code GemmKernelsStrided}, {@code ConvKernels}): it has no unrolled
 * body, so it has nothing to generate. Public for them, not an API.
 */
public final class TileStore {
    private TileStore() {
    }

    /**
     * C[r, j] (= or +=) tile[r·width + j] for the valid rows × cols. Kept out of the kernels on
     * purpose: with their stores inlined, the kernels outgrew C2's inlining budget when compiled
     * by invocation count (short K), and their vectors were then boxed on the heap.
     *
     * <p>A row longer than a vector whose length is not a multiple of it (24 filters in 16-float
     * vectors) ends with a vector that overlaps the one before: its sum with C is formed before
     * any of the row is stored, so the overlapping lanes get the same value twice. Shorter rows
     * end in scalars.
     *
     * @param tile  (rows, width) one kernel's accumulators, read
     * @param c     (rows, ldc) at {@code cOff}, written (first) or accumulated (+=)
     */
    public static void storeTile(float[] tile, int width, float[] c, int cOff, int ldc, int rows, int cols, boolean first) {
        if (cols > VL && cols % VL != 0) {
            storeOverlapping(tile, width, c, cOff, ldc, rows, cols, first);
            return;
        }
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

    /** {@link #storeTile} for rows that end in a vector overlapping the one before (VL < cols, not a multiple). */
    private static void storeOverlapping(float[] tile, int width, float[] c, int cOff, int ldc, int rows, int cols,
                                         boolean first) {
        int vecCols = cols / VL * VL;
        int last = cols - VL;
        for (int r = 0; r < rows; r++) {
            int o = cOff + r * ldc;
            int t = r * width;
            FloatVector tail = FloatVector.fromArray(S, tile, t + last);
            if (!first) {
                tail = tail.add(FloatVector.fromArray(S, c, o + last));
            }
            for (int j = 0; j < vecCols; j += VL) {
                FloatVector v = FloatVector.fromArray(S, tile, t + j);
                if (!first) {
                    v = v.add(FloatVector.fromArray(S, c, o + j));
                }
                v.intoArray(c, o + j);
            }
            tail.intoArray(c, o + last);
        }
    }
}
