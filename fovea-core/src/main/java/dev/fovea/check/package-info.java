/**
 * Runs the PyTorch reference cases ({@code ../shared/reference}, or ones made by
 * {@code tools/reference_cases.py}) through Fovea's own layers, loss and a small model, and
 * compares every output and gradient with the tolerance rule of {@link dev.fovea.io.Compare}:
 * what {@code fovea check} prints. Not part of training. Imports {@code nn}, {@code loss},
 * {@code io} and {@code tensor}.
 */
package dev.fovea.check;
