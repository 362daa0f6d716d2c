/**
 * Keras model files read in pure Java: {@link dev.fovea.interop.keras.KerasImport} (the entry:
 * a {@code .keras} zip or a legacy HDF5 {@code .h5}), {@code KerasGraph} (the model config built
 * into Fovea's graph, each layer's own config read by {@link dev.fovea.nn.LayerRegistry}) and
 * {@code KerasWeights} (the weights of either HDF5 layout copied by layer name). HDF5 through
 * jHDF. Nothing here writes a file.
 */
package dev.fovea.interop.keras;
