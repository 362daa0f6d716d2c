/**
 * The register micro-kernels, generated: every file here is written by
 * {@code dev.fovea.kernel.gemm.gen.MicroKernelGenerator} (test scope) from its lists of tile shapes,
 * and {@code GeneratedKernelsTest} fails when a file and the generator disagree. Do not edit them;
 * change the generator and rerun it from the repository root
 * ({@code java fovea-core/src/test/java/dev/fovea/kernel/gemm/gen/MicroKernelGenerator.java}).
 * Public only so that the GEMM ({@code dev.fovea.kernel.gemm}) and convolution
 * ({@code dev.fovea.kernel.conv}) packages can call them; not an API.
 */
package dev.fovea.kernel.gemm.generated;
