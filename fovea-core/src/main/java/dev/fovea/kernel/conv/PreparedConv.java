package dev.fovea.kernel.conv;

import dev.fovea.kernel.Tunables;
import dev.fovea.kernel.window.WindowGeometry;

import dev.fovea.tensor.Parallel;

/**
 * A convolution with a fixed kernel, prepared once for repeated inference: the route is chosen
 * once (as {@link Convolution#forward} would choose it), the kernel is packed once, or
 * Winograd-transformed once for each tile size the batches ask for ({@link Winograd#tile}), and
 * an {@link Epilogue} (activation, then a per-channel affine map)
 * runs on each block of the output while it is in cache. {@link #forward} then allocates nothing
 * once its workspace has grown. Not thread-safe: one caller at a time, as a model.
 *
 * <p>Results equal {@link Convolution#forward} followed by the epilogue's separate passes bit
 * for bit: the same kernels run the same arithmetic on the same packed values (a packed kernel
 * is a copy, a Winograd transform is deterministic), only earlier.
 */
public final class PreparedConv {
    private final WindowGeometry g;
    private final int c;
    private final int f;
    private final float[] kernel;
    private final float[] bias;
    private final Epilogue epilogue;
    private final Convolution.Route route;
    /** The Winograd transforms, by tile size (index 2 or 4), made when a batch first needs one. */
    private final Winograd.Packed[] wino;
    private final ConvGemm.Packed gemm;
    private float[] work = new float[0];
    /* The output the epilogue pass works on, read by its non-capturing body. */
    private float[] out;
    private int pixels;

    /**
     * @param kernel (KH,KW,C,F), copied
     * @param bias   (F) or null, copied
     * @param epilogue applied after the bias, or null for none
     */
    public PreparedConv(float[] kernel, float[] bias, WindowGeometry g, int c, int f, Epilogue epilogue) {
        this.g = g;
        this.c = c;
        this.f = f;
        this.kernel = kernel.clone();
        this.bias = bias == null ? null : bias.clone();
        this.epilogue = epilogue == null ? Epilogue.NONE : epilogue;
        this.route = Convolution.forwardRoute(g, c, f);
        int win = g.kh() * g.kw() * c;
        wino = new Winograd.Packed[5];
        gemm = route == Convolution.Route.DIRECT || route == Convolution.Route.IMPLICIT_GEMM
                ? ConvGemm.pack(this.kernel, win, f, route == Convolution.Route.DIRECT, new ConvGemm.Packed()) : null;
    }

    public Convolution.Route route() {
        return route;
    }

    public Epilogue epilogue() {
        return epilogue;
    }

    /**
     * y = epilogue(conv(x, kernel) + bias).
     *
     * @param x read, x (N,H,W,C)
     * @param y written, y (N,OH,OW,F)
     */
    public void forward(float[] x, float[] y, int n) {
        switch (route) {
            case WINOGRAD -> {
                int m = Winograd.tile(g, n, c, f);
                if (wino[m] == null) {
                    wino[m] = Winograd.pack(kernel, c, f, m, new Winograd.Packed());
                }
                Winograd.forwardPacked(x, wino[m], bias, y, null, epilogue, g, n);
            }
            case DIRECT -> ConvGemm.forwardDirectPacked(x, gemm, bias, y, null, epilogue, g, n, c);
            case IMPLICIT_GEMM -> ConvGemm.forwardPacked(x, gemm, bias, y, null, epilogue, g, n, c);
            default -> {
                int size = Convolution.workspaceSize(g, n, c);
                if (work.length < size) {
                    work = new float[size];
                }
                Convolution.forward(route, x, kernel, bias, y, null, work, g, n, c, f);
                applyEpilogue(y, n * g.oh() * g.ow());
            }
        }
    }

    /* The epilogue over `pixels` whole pixels of y, in parallel blocks of the convolutions' row block. */
    private void applyEpilogue(float[] y, int pixels) {
        if (epilogue.isIdentity()) {
            return;
        }
        int block = Tunables.CONV_ROW_BLOCK;
        this.out = y;
        this.pixels = pixels;
        Parallel.forEach((pixels + block - 1) / block, this, (p, b) -> {
            int p0 = b * block;
            int p1 = Math.min(p.pixels, p0 + block);
            p.epilogue.apply(p.out, p0 * p.f, p1 * p.f, p.f);
        });
        this.out = null;
    }
}
