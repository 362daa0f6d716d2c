/**
 * The arithmetic: final classes of static, allocation-free methods over {@code float[]} with
 * explicit dimensions, one file per op family ({@link dev.fovea.kernel.Gemm},
 * {@link dev.fovea.kernel.Conv2d}, {@link dev.fovea.kernel.Pool2d},
 * {@link dev.fovea.kernel.BatchNorm}, {@link dev.fovea.kernel.Activations},
 * {@link dev.fovea.kernel.SoftmaxCrossEntropy}), block sizes in
 * {@link dev.fovea.kernel.Tunables}. Every Vector API method has a plain scalar twin in the same
 * file that tests hold it equal to.
 *
 * <p>Not a place for validation or layers: kernels trust their dimensions (layers check shapes
 * when they are built) and know nothing of parameters or models. Imports only
 * {@code dev.fovea.tensor}; {@code nn} and {@code loss} call into it.
 */
package dev.fovea.kernel;
