/**
 * Models from other frameworks' files. {@link dev.fovea.interop.ModelFiles} is the one place a
 * model file's path becomes a {@link dev.fovea.nn.Model}, by extension (Fovea's
 * {@code .safetensors}, Keras's {@code .keras} and {@code .h5}, ONNX's {@code .onnx});
 * {@link dev.fovea.interop.Preprocessing} is how raw pixels become inputs for files that do not
 * say ({@code --rescale}, {@code --normalize}). Above fovea-core; the CLI calls it.
 */
package dev.fovea.interop;
