/**
 * Datasets kept as uint8 NHWC images in memory ({@link dev.fovea.data.Dataset}), their sources
 * (the CIFAR-10 binary archive and its download cache, image folders), Keras-style augmentation
 * on uint8 ({@link dev.fovea.data.Augment}) and the batch feeder that shuffles, augments and
 * converts to float on a background thread ({@link dev.fovea.data.Batches}).
 * Nothing here knows about layers or training.
 */
package dev.fovea.data;
