/**
 * The bottom layer: {@link dev.fovea.tensor.Shape} (immutable dimensions),
 * {@link dev.fovea.tensor.Tensor} (a row-major {@code float[]} with a shape, NHWC for images),
 * {@link dev.fovea.tensor.Rng} (SplitMix64: one {@code long} of state, split into independent
 * streams) and {@link dev.fovea.tensor.Parallel} (the one shared thread pool, split by fixed
 * blocks so results do not depend on the thread count).
 *
 * <p>Not an array library: tensors have no arithmetic methods (kernels compute on their
 * {@code float[]}) and no autograd. Imports nothing else of Fovea.
 */
package dev.fovea.tensor;
