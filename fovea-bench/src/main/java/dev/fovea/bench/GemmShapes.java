package dev.fovea.bench;

/**
 * The GEMM shapes worth measuring: a square-ish reference (576×1024×288) and the im2col
 * forward products of the tutorial CNN's six 3×3 convolutions at batch 128
 * (M = 128·H·W, N = filters, K = 9·C).
 */
final class GemmShapes {
    /** {m, n, k, label} rows; labels name the conv layer. */
    static final Object[][] SHAPES = {
        {576, 1024, 288, "576x1024x288"},
        {128 * 32 * 32, 32, 9 * 3, "conv 32x32x3->32"},
        {128 * 32 * 32, 32, 9 * 32, "conv 32x32x32->32"},
        {128 * 16 * 16, 64, 9 * 32, "conv 16x16x32->64"},
        {128 * 16 * 16, 64, 9 * 64, "conv 16x16x64->64"},
        {128 * 8 * 8, 128, 9 * 64, "conv 8x8x64->128"},
        {128 * 8 * 8, 128, 9 * 128, "conv 8x8x128->128"},
    };

    private GemmShapes() {
    }
}
