/**
 * Matrix products: {@link dev.fovea.kernel.gemm.Gemm} (C = op(A)·op(B), Goto/BLIS blocking, a
 * streaming path for a few rows), {@link dev.fovea.kernel.gemm.Panels} (the one layout of packed B
 * panels that the GEMM and every convolution route pack into) and
 * {@link dev.fovea.kernel.gemm.TileStore} (the store every register kernel ends with). The
 * register kernels are generated into {@code dev.fovea.kernel.gemm.generated}.
 */
package dev.fovea.kernel.gemm;
