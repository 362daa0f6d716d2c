package dev.fovea.kernel;

import static dev.fovea.kernel.GemmKernels.S;
import static dev.fovea.kernel.GemmKernels.VL;

import jdk.incubator.vector.FloatVector;

/**
 * The register kernels of {@link GemmKernelsStrided} for direct convolution
 * ({@link ConvGemm#forwardDirect}): A is a zero-padded NHWC input read in place, K a whole
 * convolution window (KH runs of KW·C contiguous floats), the 8 tile rows 8 neighbouring output
 * pixels. Package-private machinery; same per-element arithmetic as the other kernels (one FMA
 * chain per output over K in order, then {@link GemmKernels#storeTile}).
 */
final class ConvKernels {
    private ConvKernels() {
    }

    /**
     * As {@link GemmKernelsStrided#kernel8x3s} over a whole convolution window read straight from a padded NHWC
     * input: K runs over {@code segs} kernel rows, each {@code segLen} = KW·C contiguous floats,
     * {@code segStride} apart; tile row r (an output pixel) starts {@code r·ars} further.
     */
    static void kernel8x3w(float[] a, int aOff, int segs, int segStride, int segLen, int ars, float[] b, int bOff,
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
        int r1 = ars;
        int r2 = 2 * ars;
        int r3 = 3 * ars;
        int r4 = 4 * ars;
        int r5 = 5 * ars;
        int r6 = 6 * ars;
        int r7 = 7 * ars;
        int bo = bOff;
        // One flat loop (not one per kernel row): on JDK 17, C2 boxed the accumulators of the
        // nested form on every iteration.
        int ao = aOff;
        int left = segLen;
        int skip = segStride - segLen;
        for (int p = segs * segLen; p > 0; p--) {
            FloatVector b0 = FloatVector.fromArray(S, b, bo);
            FloatVector b1 = FloatVector.fromArray(S, b, bo + VL);
            FloatVector b2 = FloatVector.fromArray(S, b, bo + 2 * VL);
            FloatVector av = FloatVector.broadcast(S, a[ao]);
            c00 = av.fma(b0, c00);
            c01 = av.fma(b1, c01);
            c02 = av.fma(b2, c02);
            av = FloatVector.broadcast(S, a[ao + r1]);
            c10 = av.fma(b0, c10);
            c11 = av.fma(b1, c11);
            c12 = av.fma(b2, c12);
            av = FloatVector.broadcast(S, a[ao + r2]);
            c20 = av.fma(b0, c20);
            c21 = av.fma(b1, c21);
            c22 = av.fma(b2, c22);
            av = FloatVector.broadcast(S, a[ao + r3]);
            c30 = av.fma(b0, c30);
            c31 = av.fma(b1, c31);
            c32 = av.fma(b2, c32);
            av = FloatVector.broadcast(S, a[ao + r4]);
            c40 = av.fma(b0, c40);
            c41 = av.fma(b1, c41);
            c42 = av.fma(b2, c42);
            av = FloatVector.broadcast(S, a[ao + r5]);
            c50 = av.fma(b0, c50);
            c51 = av.fma(b1, c51);
            c52 = av.fma(b2, c52);
            av = FloatVector.broadcast(S, a[ao + r6]);
            c60 = av.fma(b0, c60);
            c61 = av.fma(b1, c61);
            c62 = av.fma(b2, c62);
            av = FloatVector.broadcast(S, a[ao + r7]);
            c70 = av.fma(b0, c70);
            c71 = av.fma(b1, c71);
            c72 = av.fma(b2, c72);
            bo += 3 * VL;
            ao++;
            if (--left == 0) {
                ao += skip;
                left = segLen;
            }
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
    /**
     * As {@link GemmKernelsStrided#kernel8x2s} over a whole convolution window read straight from a padded NHWC
     * input: K runs over {@code segs} kernel rows, each {@code segLen} = KW·C contiguous floats,
     * {@code segStride} apart; tile row r (an output pixel) starts {@code r·ars} further.
     */
    static void kernel8x2w(float[] a, int aOff, int segs, int segStride, int segLen, int ars, float[] b, int bOff,
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
        int r1 = ars;
        int r2 = 2 * ars;
        int r3 = 3 * ars;
        int r4 = 4 * ars;
        int r5 = 5 * ars;
        int r6 = 6 * ars;
        int r7 = 7 * ars;
        int bo = bOff;
        // One flat loop (not one per kernel row): on JDK 17, C2 boxed the accumulators of the
        // nested form on every iteration.
        int ao = aOff;
        int left = segLen;
        int skip = segStride - segLen;
        for (int p = segs * segLen; p > 0; p--) {
            FloatVector b0 = FloatVector.fromArray(S, b, bo);
            FloatVector b1 = FloatVector.fromArray(S, b, bo + VL);
            FloatVector av = FloatVector.broadcast(S, a[ao]);
            c00 = av.fma(b0, c00);
            c01 = av.fma(b1, c01);
            av = FloatVector.broadcast(S, a[ao + r1]);
            c10 = av.fma(b0, c10);
            c11 = av.fma(b1, c11);
            av = FloatVector.broadcast(S, a[ao + r2]);
            c20 = av.fma(b0, c20);
            c21 = av.fma(b1, c21);
            av = FloatVector.broadcast(S, a[ao + r3]);
            c30 = av.fma(b0, c30);
            c31 = av.fma(b1, c31);
            av = FloatVector.broadcast(S, a[ao + r4]);
            c40 = av.fma(b0, c40);
            c41 = av.fma(b1, c41);
            av = FloatVector.broadcast(S, a[ao + r5]);
            c50 = av.fma(b0, c50);
            c51 = av.fma(b1, c51);
            av = FloatVector.broadcast(S, a[ao + r6]);
            c60 = av.fma(b0, c60);
            c61 = av.fma(b1, c61);
            av = FloatVector.broadcast(S, a[ao + r7]);
            c70 = av.fma(b0, c70);
            c71 = av.fma(b1, c71);
            bo += 2 * VL;
            ao++;
            if (--left == 0) {
                ao += skip;
                left = segLen;
            }
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
    /**
     * As {@link GemmKernelsStrided#kernel8x1s} over a whole convolution window read straight from a padded NHWC
     * input: K runs over {@code segs} kernel rows, each {@code segLen} = KW·C contiguous floats,
     * {@code segStride} apart; tile row r (an output pixel) starts {@code r·ars} further.
     */
    static void kernel8x1w(float[] a, int aOff, int segs, int segStride, int segLen, int ars, float[] b, int bOff,
                          float[] c, int cOff, int ldc, int rows, int cols, boolean first, float[] tile) {
        FloatVector c00 = FloatVector.zero(S);
        FloatVector c10 = FloatVector.zero(S);
        FloatVector c20 = FloatVector.zero(S);
        FloatVector c30 = FloatVector.zero(S);
        FloatVector c40 = FloatVector.zero(S);
        FloatVector c50 = FloatVector.zero(S);
        FloatVector c60 = FloatVector.zero(S);
        FloatVector c70 = FloatVector.zero(S);
        int r1 = ars;
        int r2 = 2 * ars;
        int r3 = 3 * ars;
        int r4 = 4 * ars;
        int r5 = 5 * ars;
        int r6 = 6 * ars;
        int r7 = 7 * ars;
        int bo = bOff;
        // One flat loop (not one per kernel row): on JDK 17, C2 boxed the accumulators of the
        // nested form on every iteration.
        int ao = aOff;
        int left = segLen;
        int skip = segStride - segLen;
        for (int p = segs * segLen; p > 0; p--) {
            FloatVector b0 = FloatVector.fromArray(S, b, bo);
            FloatVector av = FloatVector.broadcast(S, a[ao]);
            c00 = av.fma(b0, c00);
            av = FloatVector.broadcast(S, a[ao + r1]);
            c10 = av.fma(b0, c10);
            av = FloatVector.broadcast(S, a[ao + r2]);
            c20 = av.fma(b0, c20);
            av = FloatVector.broadcast(S, a[ao + r3]);
            c30 = av.fma(b0, c30);
            av = FloatVector.broadcast(S, a[ao + r4]);
            c40 = av.fma(b0, c40);
            av = FloatVector.broadcast(S, a[ao + r5]);
            c50 = av.fma(b0, c50);
            av = FloatVector.broadcast(S, a[ao + r6]);
            c60 = av.fma(b0, c60);
            av = FloatVector.broadcast(S, a[ao + r7]);
            c70 = av.fma(b0, c70);
            bo += VL;
            ao++;
            if (--left == 0) {
                ao += skip;
                left = segLen;
            }
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
}
