/**
 * Training losses: a {@link dev.fovea.loss.Loss} turns a batch of predictions and integer
 * labels into the batch-mean loss and its gradient wrt the predictions. The arithmetic lives
 * in {@code dev.fovea.kernel}; this package validates user data and owns scratch buffers.
 */
package dev.fovea.loss;
