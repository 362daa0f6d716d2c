/**
 * Windows over images: {@link dev.fovea.kernel.window.WindowGeometry}, the one description of a
 * 2-D window (sizes, strides, pads, output) that convolution and pooling share, and
 * {@link dev.fovea.kernel.window.Pool2d}, max and average pooling over any window.
 */
package dev.fovea.kernel.window;
