/**
 * The arithmetic: final classes of static, allocation-free methods over {@code float[]} with
 * explicit dimensions. This package holds what every kernel shares and the element-wise and
 * per-channel families; the rest is in three sub-packages, one per family of loops:
 * <ul>
 * <li>{@code kernel} — {@link dev.fovea.kernel.Vectors} (the vector species and register tile
 * set, chosen once per JVM), {@link dev.fovea.kernel.Tunables} (every block size, with why),
 * {@link dev.fovea.kernel.Activations}, {@link dev.fovea.kernel.BatchNorm},
 * {@link dev.fovea.kernel.SoftmaxCrossEntropy};</li>
 * <li>{@code kernel.gemm} — the matrix product ({@link dev.fovea.kernel.gemm.Gemm}), the one B
 * panel layout ({@link dev.fovea.kernel.gemm.Panels}), the register kernels' common store, and
 * in {@code kernel.gemm.generated} the generated register kernels themselves;</li>
 * <li>{@code kernel.conv} — convolution: {@link dev.fovea.kernel.conv.Convolution}, the one
 * class that routes every pass (Winograd, direct, implicit GEMM, pointwise GEMM, im2col), and
 * the routes;</li>
 * <li>{@code kernel.window} — {@link dev.fovea.kernel.window.WindowGeometry}, the window that
 * convolution and pooling share, and pooling ({@link dev.fovea.kernel.window.Pool2d}).</li>
 * </ul>
 * Every Vector API method has a plain scalar twin that tests hold it equal to.
 *
 * <p>Not a place for validation or layers: kernels trust their dimensions (layers check shapes
 * when they are built) and know nothing of parameters or models. Imports only
 * {@code dev.fovea.tensor}; {@code nn} and {@code loss} call into it.
 */
package dev.fovea.kernel;
