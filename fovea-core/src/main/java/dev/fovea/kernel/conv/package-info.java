/**
 * 2-D convolution over NHWC batches. {@link dev.fovea.kernel.conv.Convolution} is the entry and
 * the one router: its route functions list every route of every pass with its threshold. The
 * routes: {@link dev.fovea.kernel.conv.Winograd} and {@link dev.fovea.kernel.conv.WinogradWeights}
 * (minimal filtering, with the per-tile transforms of {@code WinogradTiles} and
 * {@code WinogradTiles4}), {@code ConvGemm} (implicit GEMM and direct convolution, and the stride-1
 * adjoint that backward-data runs), {@link dev.fovea.kernel.conv.Im2col} (the fallback). For
 * inference, {@link dev.fovea.kernel.conv.PreparedConv} runs a fixed kernel packed once, with an
 * {@link dev.fovea.kernel.conv.Epilogue}.
 */
package dev.fovea.kernel.conv;
