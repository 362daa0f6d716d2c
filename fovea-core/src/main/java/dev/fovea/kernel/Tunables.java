package dev.fovea.kernel;

/**
 * Every block size of the kernels in one place, so tuning touches one file. Values are fixed
 * constants, never derived from the thread count: blocking decides the floating-point reduction
 * order, and that order must not change with the machine's load or {@code FOVEA_THREADS}.
 * Not a configuration API for users.
 */
public final class Tunables {
    /** Rows of the GEMM register tile (fixed: the kernels in GemmKernels are written out for 8). */
    public static final int GEMM_MR = 8;
    /**
     * Vectors per row of the widest GEMM register tile, MR × NV = 24 accumulators (VECTOR-API.md);
     * fixed like MR: kernels exist for 3, 2 and 1 vectors.
     */
    public static final int GEMM_NV = 3;
    /**
     * K block: a packed B micro-panel (KC × NV vectors) stays in L1 across the MC/MR tiles that
     * reuse it; 256 × 48 floats is 48 KiB at 512-bit vectors.
     */
    public static final int GEMM_KC = 256;
    /** M block: one thread's packed A block (MC × KC floats, 128 KiB) stays in its L2. */
    public static final int GEMM_MC = 128;
    /** N block: the shared packed B block (KC × NC floats, about 1.5 MiB) stays in L2/L3. */
    public static final int GEMM_NC = 1536;
    /**
     * A task whose C block spans at most this many B panels (n ≤ 144 at 512-bit vectors: every
     * conv of the tutorial CNN) reads A in place: packing would cost about as much as the few
     * FMAs each A value feeds.
     */
    public static final int GEMM_DIRECT_A_PANELS = 3;
    /** Products with m·n·k below this go to the plain loop: packing would cost more than it saves. */
    public static final long GEMM_SMALL = 8192;
    /**
     * Floats of im2col buffer per convolution chunk (4 MiB): bounds memory whatever the batch
     * and keeps the buffer's round trip (written by im2col, read by the GEMM's packing) near cache.
     */
    public static final int CONV_CHUNK_FLOATS = 1 << 20;

    private Tunables() {
    }
}
