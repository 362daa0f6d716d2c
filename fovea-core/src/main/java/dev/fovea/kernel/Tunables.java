package dev.fovea.kernel;

/**
 * Every block size of the kernels in one place, so tuning touches one file. Values are fixed
 * constants, never derived from the thread count: blocking decides the floating-point reduction
 * order, and that order must not change with the machine's load or {@code FOVEA_THREADS}.
 * Not a configuration API for users.
 */
public final class Tunables {
    /*
     * Not here: the register tile (GemmKernels.MR rows × NV vectors: 8 × 3 or 6 × 2). It is a
     * property of the register file, chosen by Vectors, and of the generated kernels, not a knob.
     */
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
     * Winograd F(2×2, 3×3) forward ({@code Winograd}) only from this many input channels and
     * {@link #WINOGRAD_MIN_FILTERS} filters: with fewer, the 16 products are too short to pay for
     * the transforms' memory traffic. Measured with {@code WinogradAB} (fovea-bench test scope: A and
     * B alternating in one process; median, over rounds, of ConvGemm time / Winograd time, so above
     * 1 is a Winograd win) on an AVX2 AMD EPYC (8-float vectors) shared with other processes (load
     * 1.4 to 1.8 on 2 cores); 3×3 same, bias, fused ReLU; batches 128 / 32 / 1.
     * 2 threads, 7 rounds: tutorial 32×32 3→32 0.92 / 0.76 / 0.65, 32×32 32→32 1.32 / 1.44 / 1.25,
     * 16×16 32→64 1.39 / 1.44 / 1.30, 16×16 64→64 1.64 / 1.61 / 1.37, 8×8 64→128 1.74 / 1.66 / 1.38,
     * 8×8 128→128 1.83 / 1.81 / 1.55; probes at 32×32: 8→32 1.11 / 1.41 / 0.96, 16→16
     * 1.12 / 1.13 / 1.14, 16→32 1.23 / 1.28 / 1.14, 32→16 1.22 / 1.12 / 1.20, 32→8 1.01 / 1.04 / 0.92.
     * 1 thread, 5 rounds, same order: 0.64 / 0.64 / 0.64, 1.28 / 1.33 / 1.42, 1.62 / 1.45 / 1.22,
     * 1.80 / 1.69 / 1.31, 1.97 / 1.73 / 1.05, 1.88 / 1.86 / 1.04; 1.04 / 0.94 / 0.99,
     * 1.02 / 1.07 / 1.04, 1.23 / 1.15 / 1.14, 1.11 / 1.09 / 1.12, 0.87 / 0.83 / 0.82.
     * So from 16 channels and 16 filters Winograd won every measured case (least: 16→16 at one
     * thread, 1.02); 8 channels or 8 filters lost somewhere, and 3 channels everywhere.
     */
    public static final int WINOGRAD_MIN_CHANNELS = 16;
    /** See {@link #WINOGRAD_MIN_CHANNELS}. */
    public static final int WINOGRAD_MIN_FILTERS = 16;
    /**
     * Output pixels a side of a Winograd tile: 4, F(4×4, 3×3), or 2, F(2×2, 3×3). See
     * {@code Winograd.tile}, which applies it, for what was measured.
     */
    public static final int WINOGRAD_TILE = Integer.getInteger("fovea.winograd.tile", 4);
    /**
     * Fewest 4×4 tiles a batch must make for F(4×4, 3×3): below it F(2×2, 3×3). Batch-1 inference
     * of the tutorial CNN (AMD EPYC Zen 4, 2 threads, median µs per layer, 2×2 / 4×4 tiles):
     * 32×32 32→32 113 / 69, 16×16 64→64 78 / 50 (16 tiles), 8×8 64→128 36 / 78 and 8×8 128→128
     * 59 / 129 (4 tiles: a single task).
     */
    public static final int WINOGRAD_MIN_TILES4 = 16;
    /**
     * Output tiles (2×2 pixels) per Winograd task at most: its transformed input (16 × 32 × C
     * floats) and products (16 × 32 × F) stay in L2 (256 KiB each at 128 channels). In one noisy
     * 5-round A/B run of each at batch 128, 32 was no slower than 64, with half the buffers.
     */
    public static final int WINOGRAD_TILE_BLOCK = 32;
    /**
     * Floats of transformed input and dy per block of the Winograd weight gradient
     * ({@code WinogradWeights}: 16 · tiles · (C + F)), 1 MiB: written by the block's transform and
     * read back by its 16 products while still in the core's L2. The block's tiles are also the K
     * each register tile sums in registers before adding into its segment's partial.
     */
    public static final int WINOGRAD_GRAD_BLOCK_FLOATS = 1 << 18;
    /**
     * Output tiles per segment of the Winograd weight gradient: each segment owns a partial of the
     * 16 · C · F sums, so segments are few and long; at most {@link #CONV_MAX_SEGMENTS}.
     */
    public static final int WINOGRAD_GRAD_SEGMENT_TILES = 1024;
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

    /**
     * Products of at most this many rows with an untransposed B (a dense layer at batch 1 to 4)
     * stream B once, row by row, into C instead of packing it: packing copies all of B to
     * multiply it by a handful of rows. Batch-1 inference of the tutorial CNN's 2048 × 1024 dense
     * layer took 2.7 ms through packing here (AMD EPYC, AVX2), more than all its convolutions.
     */
    public static final int GEMM_THIN_ROWS = 4;
    /** Columns of C per task when a thin product's segments are added up. */
    public static final int GEMM_THIN_COLS = 512;
    /**
     * Rows of B per segment of a thin product (at least; {@link #GEMM_THIN_MAX_SEGMENTS} at most):
     * each task streams its segment's rows of B whole into a partial of C, so a 2048 × 1024 dense
     * layer at batch 1 splits into 8 contiguous 1 MiB reads.
     */
    public static final int GEMM_THIN_SEGMENT_ROWS = 256;
    /** See {@link #GEMM_THIN_SEGMENT_ROWS}; the partials (segments × rows × N floats) stay small. */
    public static final int GEMM_THIN_MAX_SEGMENTS = 8;

    private Tunables() {
    }
}
