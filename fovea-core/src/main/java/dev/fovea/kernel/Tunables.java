package dev.fovea.kernel;

/**
 * Every block size of the kernels in one place, so tuning touches one file. Values are fixed
 * constants, never derived from the thread count: blocking decides the floating-point reduction
 * order, and that order must not change with the machine's load or {@code FOVEA_THREADS}.
 * Not a configuration API for users.
 */
public final class Tunables {
    /*
     * Not here: the 8 rows of the register tile (GemmKernels.MR). The micro-kernels are written
     * out for exactly 8 rows, so it is a property of their code, not a knob.
     */
    /**
     * Vectors per row of the widest GEMM register tile, 8 × NV = 24 accumulators (VECTOR-API.md);
     * fixed in practice: kernels exist for 3, 2 and 1 vectors.
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
     * Packing a B block forks over the pool only from this many floats (128 KiB) up: below it the
     * fork and join cost more than the copy.
     */
    public static final int GEMM_PARALLEL_PACK_FLOATS = 1 << 15;
    /**
     * Floats of im2col buffer per convolution chunk (4 MiB): bounds memory whatever the batch
     * and keeps the buffer's round trip (written by im2col, read by the GEMM's packing) near cache.
     */
    public static final int CONV_CHUNK_FLOATS = 1 << 20;
    /**
     * Output rows per task of the implicit-GEMM convolution forward: 128 rows × KH·KW·C floats of
     * im2col (288 KiB for a 3×3×64 window) stay in L2 while every panel of the kernel passes over them.
     */
    public static final int CONV_ROW_BLOCK = 128;
    /**
     * Rows of x's im2col (the K of the weight-gradient product) per buffer fill: the same L2 budget
     * as {@link #CONV_ROW_BLOCK}, and the K-order unit of dkernel's sums.
     */
    public static final int CONV_SUB_ROWS = 128;
    /**
     * Rows per weight-gradient segment at least: each segment owns a KH·KW·C·F partial, so fewer,
     * longer segments keep the partials (and their final sum) small.
     */
    public static final int CONV_SEGMENT_MIN_ROWS = 1024;
    /**
     * At most this many weight-gradient segments, so the partials (segments × KH·KW·C·F floats)
     * stay bounded however large the batch.
     */
    public static final int CONV_MAX_SEGMENTS = 16;
    /**
     * Floats of dkernel per task when the weight-gradient partials are summed (16 KiB): small
     * tasks spread the sum over the threads, while each element still adds its partials in
     * segment order, whatever the split.
     */
    public static final int CONV_REDUCE_FLOATS = 4096;
    /**
     * Longest window (KH·KW·C) for the direct padded-input forward: its whole packed kernel panel
     * (window × 32 floats, 48 KiB) must stay in L1 with K unblocked (measured: see ConvGemm.directPays).
     */
    public static final int CONV_DIRECT_MAX_WINDOW = 384;
    /**
     * A packed kernel panel up to this many floats (40 KiB) stays in a 48 KiB L1 beside its A rows,
     * so the direct forward keeps K whole; larger panels are cut at kernel rows.
     */
    public static final int CONV_L1_PANEL_FLOATS = 10 * 1024;
    /**
     * Winograd F(2×2, 3×3) forward ({@link Winograd}) only from this many input channels, this
     * many filters ({@link #WINOGRAD_MIN_FILTERS}) and this many 2×2 output tiles per call
     * ({@link #WINOGRAD_MIN_TILES}). Measured with {@code WinogradAB} (fovea-bench test scope: A/B
     * alternating in one process; median over rounds of the ratio ConvGemm time / Winograd time,
     * so above 1 is a Winograd win) on an AVX2 AMD EPYC (8-float vectors) shared with other
     * processes (load 4 on 2 cores), tutorial 3×3 same convolutions with bias and fused ReLU.
     * 2 threads, 9 rounds, batch 128: 32×32 3→32 0.48, 32×32 32→32 1.03 (range 0.75–1.31),
     * 16×16 32→64 1.24, 16×16 64→64 1.65, 8×8 64→128 1.79, 8×8 128→128 2.02; batch 32: 0.48, 1.02,
     * 1.20, 1.42, 1.53, 1.60; batch 1: 0.49, 0.98, 1.00, 1.13, 0.74, 0.86. 1 thread, 5 rounds,
     * batch 128: 0.52, 1.07, 1.08, 1.19, 1.33, 1.44; batch 32: 0.50, 1.03, 1.14, 1.26, 1.27, 1.47;
     * batch 1: 0.43, 0.87, 1.13, 1.29, 0.74, 0.83. So: 3 channels lose (too short a K for the
     * transforms' memory traffic), 32→32 is a tie and stays on ConvGemm, and from 32 channels and
     * 64 filters Winograd wins once a call has enough tiles to amortize the transformed kernel
     * (rebuilt per call, 16/9 the kernel's size).
     */
    public static final int WINOGRAD_MIN_CHANNELS = 32;
    /** See {@link #WINOGRAD_MIN_CHANNELS}: 32 filters at 32 channels was a tie, so not routed. */
    public static final int WINOGRAD_MIN_FILTERS = 64;
    /**
     * See {@link #WINOGRAD_MIN_CHANNELS}: 512 tiles (batch 32 at 8×8, 1.53 and 1.60 at 2 threads)
     * and up always won; from 16 to 256 tiles (batch 1 to 8) the same shapes gave 0.74–1.52 at
     * 2 threads, losses at 16 tiles and ties or small wins above, so they stay on ConvGemm.
     */
    public static final int WINOGRAD_MIN_TILES = 512;
    /**
     * Output tiles (2×2 pixels) per Winograd task at most: its transformed input (16 × 32 × C
     * floats) and products (16 × 32 × F) stay in L2 (256 KiB each at 128 channels). In one noisy
     * 5-round A/B run of each at batch 128, 32 was no slower than 64, with half the buffers.
     */
    public static final int WINOGRAD_TILE_BLOCK = 32;
    /**
     * Rows per BatchNorm block: the fixed unit of both its parallel work and its reduction order
     * (one double partial per channel per block); 128 rows of 64 channels are 32 KiB, an L1's worth.
     */
    public static final int BATCHNORM_BLOCK_ROWS = 128;
    /**
     * Elements per parallel task of the element-wise activation kernels (256 KiB of floats): large
     * enough that a fork pays, small enough to spread a 128×32×32×32 batch over several threads.
     */
    public static final int ACTIVATION_CHUNK = 1 << 16;

    private Tunables() {
    }
}
