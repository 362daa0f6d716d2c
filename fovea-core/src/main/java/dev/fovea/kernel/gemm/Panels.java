package dev.fovea.kernel.gemm;

import static dev.fovea.kernel.gemm.generated.GemmKernels.NV;
import static dev.fovea.kernel.gemm.generated.GemmKernels.VL;

/**
 * The one layout of B panels that every product packs (the GEMM's blocks of B, a convolution's
 * kernel, Winograd's transformed kernel and dy): a width of columns is cut into panels of up to
 * {@code NV} vectors, the width of the register tile, ending 2 + 2 rather than 3 + 1 when NV is 3
 * (a 1-vector tile is the slowest), so widths 32 and 64 need no padded lanes. Panel q covers
 * columns [colOf[q], colOf[q] + vecsOf[q]·VL); colOf[panels] is the padded width.
 */
public final class Panels {
    private Panels() {
    }

    /**
     * Lays out {@code width} columns; returns the number of panels.
     *
     * @param colOf  written, each panel's first column and, at [panels], the padded width
     * @param vecsOf written, each panel's vectors
     */
    public static int layout(int width, int[] colOf, int[] vecsOf) {
        int vecs = (width + VL - 1) / VL;
        int rest = vecs % NV;
        int full = rest == 1 && vecs > NV ? vecs / NV - 1 : vecs / NV;
        int q = 0;
        int col = 0;
        for (int left = vecs; left > 0; q++) {
            int w = q < full ? NV : left == 4 ? 2 : Math.min(left, NV);
            colOf[q] = col;
            vecsOf[q] = w;
            col += w * VL;
            left -= w;
        }
        colOf[q] = col;
        return q;
    }
}
