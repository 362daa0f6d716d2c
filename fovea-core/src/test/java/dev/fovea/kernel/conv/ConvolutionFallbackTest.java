package dev.fovea.kernel.conv;

import dev.fovea.kernel.gemm.generated.GemmKernels;
import dev.fovea.kernel.window.WindowGeometry;

import static dev.fovea.kernel.conv.ConvolutionTest.assertClose;
import static dev.fovea.kernel.conv.ConvolutionTest.random;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.fovea.tensor.Rng;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * The im2col + {@code Gemm} fallback of {@link Convolution}, which no layer of the tutorial CNNs
 * reaches: Convolution sends a non-pointwise convolution there only when ConvGemm's panel tables cannot
 * hold its output width ({@code !ConvGemm.fits}: ceil(F/VL) ≥ 60, so F ≥ 59·VL + 1 filters for
 * forward and backward-weights, or C ≥ 59·VL + 1 input channels for a stride-1 backward-data),
 * and for the backward-data of any strided convolution. Held equal to the direct seven-loop
 * convolution over odd sizes, the three paddings and strides 1–3, forward and both backward passes.
 *
 * <p>Proof that the route is taken: only the fallback touches the caller's workspace (ConvGemm
 * keeps its own per-thread buffers, the pointwise route needs none), so each call starts from a
 * workspace of NaNs and the test checks whether it was written.
 */
class ConvolutionFallbackTest {
    /** ceil(WIDE / VL) = 60: one vector too many for ConvGemm's panel tables, on any vector width. */
    private static final int WIDE = 59 * GemmKernels.VL + 1;
    private static final int[][] STRIDES = {{1, 1}, {2, 1}, {1, 3}, {3, 2}, {2, 3}};

    private static WindowGeometry geometry(int mode, int h, int w, int kh, int kw, int sh, int sw) {
        return switch (mode) {
            case 0 -> WindowGeometry.valid(h, w, kh, kw, sh, sw);
            case 1 -> WindowGeometry.same(h, w, kh, kw, sh, sw);
            default -> WindowGeometry.full(h, w, kh, kw, sh, sw);
        };
    }

    @Test
    void wideFilterBanksTakeTheIm2colRouteAndMatchTheDirectConvolution() {
        assertFalse(ConvGemm.fits(WIDE), "WIDE must not fit ConvGemm's tables");
        Rng r = new Rng(12);
        for (int mode = 0; mode < 3; mode++) {
            for (int[] s : STRIDES) {
                // Forward and backward-weights go to the fallback for every stride; backward-data
                // only when strided (stride 1 with 3 channels is ConvGemm's flipped-kernel forward).
                boolean dataFallback = s[0] != 1 || s[1] != 1;
                check(geometry(mode, 7, 5, 3, 2, s[0], s[1]), 3, 3, WIDE, r, true, dataFallback, true);
            }
        }
    }

    @Test
    void wideInputsTakeTheIm2colRouteForStrideOneBackwardData() {
        assertFalse(ConvGemm.fits(WIDE), "WIDE must not fit ConvGemm's tables");
        Rng r = new Rng(13);
        for (int mode = 0; mode < 3; mode++) {
            // 4 filters fit ConvGemm, so forward and backward-weights stay there; only
            // backward-data (whose output width is C) falls back.
            check(geometry(mode, 5, 3, 2, 3, 1, 1), 2, WIDE, 4, r, false, true, false);
        }
    }

    @Test
    void chunksOfTheBatchAddUpLikeOneWholeBatch() {
        // The natural chunk (4 MiB of im2col rows) holds every batch small enough for a test, so
        // chunking is forced here: 5 images in chunks of 2 (2 + 2 + 1), strided SAME with odd sizes.
        WindowGeometry g = WindowGeometry.same(7, 5, 3, 3, 2, 3);
        int n = 5;
        int c = 3;
        int f = 7;
        int chunk = 2;
        Rng r = new Rng(14);
        float[] x = random(r, n * g.h() * g.w() * c);
        float[] kernel = random(r, g.kh() * g.kw() * c * f);
        float[] bias = random(r, f);
        float[] dy = random(r, n * g.oh() * g.ow() * f);
        float[] work = new float[chunk * g.oh() * g.ow() * g.kh() * g.kw() * c];
        double window = g.kh() * g.kw() * c;

        float[] yRef = new float[dy.length];
        float[] y = new float[dy.length];
        Convolution.forwardScalar(x, kernel, bias, yRef, g, n, c, f);
        Im2col.forward(x, kernel, bias, y, work, g, n, c, f, chunk);
        assertClose(yRef, y, 2e-6 * window, "chunked forward");

        float[] dxRef = new float[x.length];
        float[] dx = random(r, x.length);
        Convolution.backwardDataScalar(dy, kernel, dxRef, g, n, c, f);
        Im2col.backwardData(dy, kernel, dx, work, g, n, c, f, chunk);
        assertClose(dxRef, dx, 2e-6 * f * g.kh() * g.kw(), "chunked backward data");

        float[] dkRef = random(new Rng(1), kernel.length);
        float[] dk = dkRef.clone();
        float[] dbRef = random(new Rng(2), f);
        float[] db = dbRef.clone();
        Convolution.backwardWeightsScalar(x, dy, dkRef, dbRef, g, n, c, f);
        Im2col.backwardWeights(x, dy, dk, db, work, g, n, c, f, chunk);
        double rows = (double) n * g.oh() * g.ow();
        assertClose(dkRef, dk, 2e-6 * rows, "chunked backward weights");
        assertClose(dbRef, db, 2e-6 * rows, "chunked backward bias");
    }

    /* Runs the three public passes against their scalar twins; each fallback flag says whether that
       pass must have written the workspace (taken the im2col route). */
    private static void check(WindowGeometry g, int n, int c, int f, Rng r, boolean forwardFallback,
                              boolean dataFallback, boolean weightsFallback) {
        String what = g + " n=" + n + " c=" + c + " f=" + f;
        float[] x = random(r, n * g.h() * g.w() * c);
        float[] kernel = random(r, g.kh() * g.kw() * c * f);
        float[] bias = random(r, f);
        float[] dy = random(r, n * g.oh() * g.ow() * f);
        float[] work = new float[Convolution.workspaceSize(g, n, c)];

        float[] yRef = new float[dy.length];
        float[] y = new float[dy.length];
        Convolution.forwardScalar(x, kernel, bias, yRef, g, n, c, f);
        Arrays.fill(work, Float.NaN);
        Convolution.forward(x, kernel, bias, y, work, g, n, c, f);
        assertEquals(forwardFallback, written(work), "forward took the im2col route: " + what);
        assertClose(yRef, y, 2e-6 * g.kh() * g.kw() * c, "forward " + what);

        float[] dxRef = new float[x.length];
        float[] dx = random(r, x.length); // garbage: backward-data must overwrite it
        Convolution.backwardDataScalar(dy, kernel, dxRef, g, n, c, f);
        Arrays.fill(work, Float.NaN);
        Convolution.backwardData(dy, kernel, dx, work, g, n, c, f);
        assertEquals(dataFallback, written(work), "backward data took the im2col route: " + what);
        assertClose(dxRef, dx, 2e-6 * f * g.kh() * g.kw(), "backward data " + what);

        float[] dkRef = random(new Rng(1), kernel.length);
        float[] dk = dkRef.clone();
        float[] dbRef = random(new Rng(2), f);
        float[] db = dbRef.clone();
        Convolution.backwardWeightsScalar(x, dy, dkRef, dbRef, g, n, c, f);
        Arrays.fill(work, Float.NaN);
        Convolution.backwardWeights(x, dy, dk, db, work, g, n, c, f);
        assertEquals(weightsFallback, written(work), "backward weights took the im2col route: " + what);
        double rows = (double) n * g.oh() * g.ow();
        assertClose(dkRef, dk, 2e-6 * rows, "backward weights " + what);
        assertClose(dbRef, db, 2e-6 * rows, "backward bias " + what);
    }

    private static boolean written(float[] work) {
        for (float v : work) {
            if (!Float.isNaN(v)) {
                return true;
            }
        }
        return false;
    }
}
