/**
 * Layers and models, Keras's semantics in Java idioms. {@link dev.fovea.nn.Layer} is the one
 * layer type: build(input shapes) → output shape and parameters, forward keeping what backward
 * needs, backward returning input gradients and adding into {@link dev.fovea.nn.Param}
 * gradients. Single-input layers extend {@link dev.fovea.nn.BaseLayer}; {@link dev.fovea.nn.Add}
 * and {@link dev.fovea.nn.Concatenate} take several inputs; a {@link dev.fovea.nn.Model} (a
 * functional DAG of {@link dev.fovea.nn.SymbolicTensor} calls, ordered once) is itself a layer.
 * Layer options are records with Keras's names and defaults ({@code Conv2D.Config},
 * {@link dev.fovea.nn.PoolWindow}); each layer writes its config and reads it back (a static
 * {@code fromConfig} beside {@code config()}, Keras-tolerant through {@code LayerConfig});
 * {@link dev.fovea.nn.ModelConfig} and {@link dev.fovea.nn.LayerRegistry} turn a model into
 * JSON-ready maps and back. {@link dev.fovea.nn.Model#namedLayers()} is the one walk into
 * nested models.
 *
 * <p>Not training: no losses, optimizers or loops here (see {@code dev.fovea.train}), and no
 * arithmetic beyond glue (see {@code dev.fovea.kernel}). Imports {@code tensor} and
 * {@code kernel} only. Shapes that do not fit and bad options are
 * {@link dev.fovea.FoveaException}s naming the layer, what it expects and what it received.
 */
package dev.fovea.nn;
