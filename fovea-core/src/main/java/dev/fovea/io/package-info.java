/**
 * Files: the safetensors format ({@link dev.fovea.io.SafeTensors}, validated against the file's
 * real size on read), crash-safe writes ({@link dev.fovea.io.AtomicFiles}), and the harness for
 * the PyTorch reference cases ({@link dev.fovea.io.ReferenceCase} to load one,
 * {@link dev.fovea.io.Compare} for the tolerance rule). The model file format builds on these.
 */
package dev.fovea.io;
