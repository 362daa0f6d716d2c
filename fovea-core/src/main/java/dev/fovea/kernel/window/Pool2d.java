package dev.fovea.kernel.window;

import dev.fovea.kernel.Vectors;

import dev.fovea.tensor.Parallel;
import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Max and average pooling over NHWC batches, forward and backward; global pooling is the
 * {@link WindowGeometry#global} window.
 *
 * <p>Geometry is one {@link WindowGeometry} (input {@code (H,W)}, pool {@code (kh,kw)}, strides,
 * before-pads, output {@code (OH,OW)}) plus the batch size n and channels c: input
 * {@code (N,H,W,C)}, output {@code (N,OH,OW,C)}. Padded positions are never read: max ignores
 * them and average divides by the number of <em>valid</em> elements in the window, which is
 * Keras's (TensorFlow's) SAME average pooling; the geometry guarantees every window holds at
 * least one.
 *
 * <p>Max pooling records, per output element, the spatial index {@code iy·W + ix} of the maximum
 * within its image; ties go to the first element in window (row-major) order, like PyTorch.
 * Backward passes <em>write</em> dx (each image's dx is cleared, then every output's gradient is
 * added into its window, so overlapping windows sum).
 *
 * <p>The channel axis is contiguous in NHWC, so the Vector API runs over channels; the channel
 * tail falls back to the scalar twin ({@code fooScalar}), which gives bit-identical results
 * because every lane sees the same operations in the same order. Work is split by image over
 * {@link Parallel}; each task writes only its own images. Not a layer: no shapes are validated.
 */
public final class Pool2d {
    private static final VectorSpecies<Float> S = Vectors.S;
    private static final VectorSpecies<Integer> IS = VectorSpecies.of(int.class, S.vectorShape());
    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);
    private static final ThreadLocal<Call> CALLS = ThreadLocal.withInitial(Call::new);

    private Pool2d() {
    }

    /**
     * One call's arrays and sizes, per calling thread: the per-image bodies read them from here
     * instead of capturing them, so a call allocates nothing.
     */
    private static final class Call {
        float[] in;
        float[] out;
        int[] argmax;
        WindowGeometry g;
        int c;
        int vb;
        int image;

        Call set(float[] in, float[] out, int[] argmax, WindowGeometry g, int c) {
            this.in = in;
            this.out = out;
            this.argmax = argmax;
            this.g = g;
            this.c = c;
            this.vb = S.loopBound(c);
            this.image = g.h() * g.w() * c;
            return this;
        }

        void clear() {
            in = null;
            out = null;
            argmax = null;
            g = null;
        }
    }

    /**
     * Max pooling. x (N,H,W,C) read; y (N,OH,OW,C) written; argmax (N,OH,OW,C) written with the
     * spatial index of each maximum within its image.
     */
    public static void maxForward(float[] x, float[] y, int[] argmax, WindowGeometry g, int n, int c) {
        Call k = CALLS.get().set(x, y, argmax, g, c);
        Parallel.forEach(n, k, (a, img) -> {
            maxForwardImage(a.in, a.out, a.argmax, img, a.g, a.c, a.vb);
            maxForwardImageScalar(a.in, a.out, a.argmax, img, a.g, a.c, a.vb, a.c);
        });
        k.clear();
    }

    /** Scalar twin of {@link #maxForward}, one image after another. */
    public static void maxForwardScalar(float[] x, float[] y, int[] argmax, WindowGeometry g, int n, int c) {
        for (int img = 0; img < n; img++) {
            maxForwardImageScalar(x, y, argmax, img, g, c, 0, c);
        }
    }

    private static void maxForwardImage(float[] x, float[] y, int[] argmax, int img, WindowGeometry g, int c,
                                        int vb) {
        int h = g.h();
        int w = g.w();
        int kh = g.kh();
        int kw = g.kw();
        int oh = g.oh();
        int ow = g.ow();
        int xb = img * h * w * c;
        int vl = S.length();
        Scratch s = SCRATCH.get();
        int cnt = kh * kw;
        s.prepare(cnt, kw, w, vl);
        for (int oy = 0; oy < oh; oy++) {
            int y0 = g.rowStart(oy);
            int ky0 = g.kyBegin(oy);
            int ky1 = g.kyEnd(oy);
            for (int ox = 0; ox < ow; ox++) {
                int x0 = g.colStart(ox);
                int kx0 = g.kxBegin(ox);
                int kx1 = g.kxEnd(ox);
                int first = (y0 + ky0) * w + x0 + kx0;
                int yo = ((img * oh + oy) * ow + ox) * c;
                if (ky1 - ky0 == kh && kx1 - kx0 == kw) {
                    maxWindow(x, y, argmax, xb + first * c, yo, first, c, vb, cnt, s);
                } else {
                    maxWindowScalar(x, y, argmax, xb, yo, first, y0, x0, ky0, ky1, kx0, kx1, w, c, 0, vb);
                }
            }
        }
    }

    /** Per thread: window offsets of the current pool shape, and a vector's lanes. */
    private static final class Scratch {
        int[] rel = new int[0];
        float[] relVec = new float[0];
        final float[] lanes = new float[S.length()];
        int cnt = -1;
        int kw = -1;
        int w = -1;

        /* rel[k] = offset of window element k (row-major) from the window's first position;
           relVec holds each repeated over a vector's lanes, so it can be blended in as a loaded vector. */
        void prepare(int cnt, int kw, int w, int vl) {
            if (cnt == this.cnt && kw == this.kw && w == this.w) {
                return;
            }
            // Grown, never shrunk: layers of different windows take turns without reallocating.
            if (rel.length < cnt) {
                rel = new int[cnt];
            }
            if (relVec.length < cnt * vl) {
                relVec = new float[cnt * vl];
            }
            for (int k = 0; k < cnt; k++) {
                rel[k] = k / kw * w + k % kw;
                Arrays.fill(relVec, k * vl, (k + 1) * vl, rel[k]);
            }
            this.cnt = cnt;
            this.kw = kw;
            this.w = w;
        }
    }
    /* A full window's channels [0, vb). One flat loop with the index in a float vector (exact
       below 2^24): on JDK 17, C2 boxed every vector of the natural form (nested ky/kx loops, an
       IntVector blended under a cast float mask), about 8 ms instead of 2 for 128×32×32×32. */
    private static void maxWindow(float[] x, float[] y, int[] argmax, int xo, int yo, int first, int c, int vb,
                                  int cnt, Scratch s) {
        int vl = S.length();
        int[] rel = s.rel;
        float[] relVec = s.relVec;
        float[] lanes = s.lanes;
        for (int ch = 0; ch < vb; ch += vl) {
            FloatVector best = FloatVector.fromArray(S, x, xo + ch);
            FloatVector idx = FloatVector.zero(S);
            for (int k = 1; k < cnt; k++) {
                FloatVector v = FloatVector.fromArray(S, x, xo + rel[k] * c + ch);
                VectorMask<Float> gt = v.compare(VectorOperators.GT, best);
                best = best.blend(v, gt);
                idx = idx.blend(FloatVector.fromArray(S, relVec, k * vl), gt);
            }
            best.intoArray(y, yo + ch);
            idx.intoArray(lanes, 0);
            for (int l = 0; l < vl; l++) {
                argmax[yo + ch + l] = first + (int) lanes[l];
            }
        }
    }

    private static void maxWindowScalar(float[] x, float[] y, int[] argmax, int xb, int yo, int first,
                                        int y0, int x0, int ky0, int ky1, int kx0, int kx1, int w, int c,
                                        int c0, int c1) {
        for (int ch = c0; ch < c1; ch++) {
            float best = x[xb + first * c + ch];
            int arg = first;
            for (int ky = ky0; ky < ky1; ky++) {
                for (int kx = kx0; kx < kx1; kx++) {
                    int pos = (y0 + ky) * w + x0 + kx;
                    float v = x[xb + pos * c + ch];
                    if (v > best) {
                        best = v;
                        arg = pos;
                    }
                }
            }
            y[yo + ch] = best;
            argmax[yo + ch] = arg;
        }
    }

    private static void maxForwardImageScalar(float[] x, float[] y, int[] argmax, int img, WindowGeometry g,
                                              int c, int c0, int c1) {
        int w = g.w();
        int oh = g.oh();
        int ow = g.ow();
        int xb = img * g.h() * w * c;
        for (int oy = 0; oy < oh; oy++) {
            int y0 = g.rowStart(oy);
            int ky0 = g.kyBegin(oy);
            int ky1 = g.kyEnd(oy);
            for (int ox = 0; ox < ow; ox++) {
                int x0 = g.colStart(ox);
                int kx0 = g.kxBegin(ox);
                int kx1 = g.kxEnd(ox);
                int first = (y0 + ky0) * w + x0 + kx0;
                int yo = ((img * oh + oy) * ow + ox) * c;
                maxWindowScalar(x, y, argmax, xb, yo, first, y0, x0, ky0, ky1, kx0, kx1, w, c, c0, c1);
            }
        }
    }

    /**
     * Max pooling backward: dy (N,OH,OW,C) and argmax (N,OH,OW,C) from {@link #maxForward} read;
     * dx (N,H,W,C) written (cleared, then each dy added at its argmax).
     */
    public static void maxBackward(float[] dy, int[] argmax, float[] dx, WindowGeometry g, int n, int c) {
        Call k = CALLS.get().set(dy, dx, argmax, g, c);
        Parallel.forEach(n, k, (a, img) -> {
            Arrays.fill(a.out, img * a.image, (img + 1) * a.image, 0f);
            maxBackwardImage(a.in, a.argmax, a.out, img, a.g, a.c, a.vb);
            maxBackwardImageScalar(a.in, a.argmax, a.out, img, a.g, a.c, a.vb, a.c);
        });
        k.clear();
    }

    /** Scalar twin of {@link #maxBackward}. */
    public static void maxBackwardScalar(float[] dy, int[] argmax, float[] dx, WindowGeometry g, int n, int c) {
        Arrays.fill(dx, 0, n * g.h() * g.w() * c, 0f);
        for (int img = 0; img < n; img++) {
            maxBackwardImageScalar(dy, argmax, dx, img, g, c, 0, c);
        }
    }

    /* Lanes scatter to different positions, so each window position is visited and only the lanes
       whose argmax is that position add: per lane the additions happen in output order, as in the
       scalar scatter. */
    private static void maxBackwardImage(float[] dy, int[] argmax, float[] dx, int img, WindowGeometry g, int c,
                                         int vb) {
        int w = g.w();
        int oh = g.oh();
        int ow = g.ow();
        int xb = img * g.h() * w * c;
        for (int oy = 0; oy < oh; oy++) {
            int y0 = g.rowStart(oy);
            int ky0 = g.kyBegin(oy);
            int ky1 = g.kyEnd(oy);
            for (int ox = 0; ox < ow; ox++) {
                int x0 = g.colStart(ox);
                int kx0 = g.kxBegin(ox);
                int kx1 = g.kxEnd(ox);
                int yo = ((img * oh + oy) * ow + ox) * c;
                for (int ch = 0; ch < vb; ch += S.length()) {
                    FloatVector gv = FloatVector.fromArray(S, dy, yo + ch);
                    IntVector idx = IntVector.fromArray(IS, argmax, yo + ch);
                    for (int ky = ky0; ky < ky1; ky++) {
                        for (int kx = kx0; kx < kx1; kx++) {
                            int pos = (y0 + ky) * w + x0 + kx;
                            VectorMask<Float> hit = idx.compare(VectorOperators.EQ, pos).cast(S);
                            int o = xb + pos * c + ch;
                            FloatVector.fromArray(S, dx, o).add(gv, hit).intoArray(dx, o);
                        }
                    }
                }
            }
        }
    }

    private static void maxBackwardImageScalar(float[] dy, int[] argmax, float[] dx, int img, WindowGeometry g,
                                               int c, int c0, int c1) {
        int xb = img * g.h() * g.w() * c;
        int pixels = g.oh() * g.ow();
        for (int o = 0; o < pixels; o++) {
            int yo = (img * pixels + o) * c;
            for (int ch = c0; ch < c1; ch++) {
                dx[xb + argmax[yo + ch] * c + ch] += dy[yo + ch];
            }
        }
    }

    /**
     * Average pooling over the valid elements of each window. x (N,H,W,C) read; y (N,OH,OW,C)
     * written.
     */
    public static void avgForward(float[] x, float[] y, WindowGeometry g, int n, int c) {
        Call k = CALLS.get().set(x, y, null, g, c);
        Parallel.forEach(n, k, (a, img) -> {
            avgForwardImage(a.in, a.out, img, a.g, a.c, a.vb);
            avgForwardImageScalar(a.in, a.out, img, a.g, a.c, a.vb, a.c);
        });
        k.clear();
    }

    /** Scalar twin of {@link #avgForward}. */
    public static void avgForwardScalar(float[] x, float[] y, WindowGeometry g, int n, int c) {
        for (int img = 0; img < n; img++) {
            avgForwardImageScalar(x, y, img, g, c, 0, c);
        }
    }

    private static void avgForwardImage(float[] x, float[] y, int img, WindowGeometry g, int c, int vb) {
        int w = g.w();
        int oh = g.oh();
        int ow = g.ow();
        int xb = img * g.h() * w * c;
        for (int oy = 0; oy < oh; oy++) {
            int y0 = g.rowStart(oy);
            int ky0 = g.kyBegin(oy);
            int ky1 = g.kyEnd(oy);
            for (int ox = 0; ox < ow; ox++) {
                int x0 = g.colStart(ox);
                int kx0 = g.kxBegin(ox);
                int kx1 = g.kxEnd(ox);
                float count = (ky1 - ky0) * (kx1 - kx0);
                int yo = ((img * oh + oy) * ow + ox) * c;
                for (int ch = 0; ch < vb; ch += S.length()) {
                    FloatVector s = FloatVector.zero(S);
                    for (int ky = ky0; ky < ky1; ky++) {
                        for (int kx = kx0; kx < kx1; kx++) {
                            int pos = (y0 + ky) * w + x0 + kx;
                            s = s.add(FloatVector.fromArray(S, x, xb + pos * c + ch));
                        }
                    }
                    s.div(count).intoArray(y, yo + ch);
                }
            }
        }
    }

    private static void avgForwardImageScalar(float[] x, float[] y, int img, WindowGeometry g, int c,
                                              int c0, int c1) {
        int w = g.w();
        int oh = g.oh();
        int ow = g.ow();
        int xb = img * g.h() * w * c;
        for (int oy = 0; oy < oh; oy++) {
            int y0 = g.rowStart(oy);
            int ky0 = g.kyBegin(oy);
            int ky1 = g.kyEnd(oy);
            for (int ox = 0; ox < ow; ox++) {
                int x0 = g.colStart(ox);
                int kx0 = g.kxBegin(ox);
                int kx1 = g.kxEnd(ox);
                float count = (ky1 - ky0) * (kx1 - kx0);
                int yo = ((img * oh + oy) * ow + ox) * c;
                for (int ch = c0; ch < c1; ch++) {
                    float s = 0f;
                    for (int ky = ky0; ky < ky1; ky++) {
                        for (int kx = kx0; kx < kx1; kx++) {
                            s += x[xb + ((y0 + ky) * w + x0 + kx) * c + ch];
                        }
                    }
                    y[yo + ch] = s / count;
                }
            }
        }
    }

    /**
     * Average pooling backward: dy (N,OH,OW,C) read; dx (N,H,W,C) written (cleared, then each
     * dy/count added to the valid elements of its window).
     */
    public static void avgBackward(float[] dy, float[] dx, WindowGeometry g, int n, int c) {
        Call k = CALLS.get().set(dy, dx, null, g, c);
        Parallel.forEach(n, k, (a, img) -> {
            Arrays.fill(a.out, img * a.image, (img + 1) * a.image, 0f);
            avgBackwardImage(a.in, a.out, img, a.g, a.c, a.vb);
            avgBackwardImageScalar(a.in, a.out, img, a.g, a.c, a.vb, a.c);
        });
        k.clear();
    }

    /** Scalar twin of {@link #avgBackward}. */
    public static void avgBackwardScalar(float[] dy, float[] dx, WindowGeometry g, int n, int c) {
        Arrays.fill(dx, 0, n * g.h() * g.w() * c, 0f);
        for (int img = 0; img < n; img++) {
            avgBackwardImageScalar(dy, dx, img, g, c, 0, c);
        }
    }

    private static void avgBackwardImage(float[] dy, float[] dx, int img, WindowGeometry g, int c, int vb) {
        int w = g.w();
        int oh = g.oh();
        int ow = g.ow();
        int xb = img * g.h() * w * c;
        for (int oy = 0; oy < oh; oy++) {
            int y0 = g.rowStart(oy);
            int ky0 = g.kyBegin(oy);
            int ky1 = g.kyEnd(oy);
            for (int ox = 0; ox < ow; ox++) {
                int x0 = g.colStart(ox);
                int kx0 = g.kxBegin(ox);
                int kx1 = g.kxEnd(ox);
                float count = (ky1 - ky0) * (kx1 - kx0);
                int yo = ((img * oh + oy) * ow + ox) * c;
                for (int ch = 0; ch < vb; ch += S.length()) {
                    FloatVector gv = FloatVector.fromArray(S, dy, yo + ch).div(count);
                    for (int ky = ky0; ky < ky1; ky++) {
                        for (int kx = kx0; kx < kx1; kx++) {
                            int o = xb + ((y0 + ky) * w + x0 + kx) * c + ch;
                            FloatVector.fromArray(S, dx, o).add(gv).intoArray(dx, o);
                        }
                    }
                }
            }
        }
    }

    private static void avgBackwardImageScalar(float[] dy, float[] dx, int img, WindowGeometry g, int c,
                                               int c0, int c1) {
        int w = g.w();
        int oh = g.oh();
        int ow = g.ow();
        int xb = img * g.h() * w * c;
        for (int oy = 0; oy < oh; oy++) {
            int y0 = g.rowStart(oy);
            int ky0 = g.kyBegin(oy);
            int ky1 = g.kyEnd(oy);
            for (int ox = 0; ox < ow; ox++) {
                int x0 = g.colStart(ox);
                int kx0 = g.kxBegin(ox);
                int kx1 = g.kxEnd(ox);
                float count = (ky1 - ky0) * (kx1 - kx0);
                int yo = ((img * oh + oy) * ow + ox) * c;
                for (int ch = c0; ch < c1; ch++) {
                    float gs = dy[yo + ch] / count;
                    for (int ky = ky0; ky < ky1; ky++) {
                        for (int kx = kx0; kx < kx1; kx++) {
                            dx[xb + ((y0 + ky) * w + x0 + kx) * c + ch] += gs;
                        }
                    }
                }
            }
        }
    }
}
