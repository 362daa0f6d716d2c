/**
 * Evaluation of a classifier's predictions: {@link dev.fovea.eval.ConfusionMatrix},
 * per-class precision, recall and F1 ({@link dev.fovea.eval.ClassMetrics}), the most-confused
 * class pairs, the most confident mistakes ({@link dev.fovea.eval.Misclassified}) and plain-text
 * tables for the command line ({@link dev.fovea.eval.TextTables}).
 *
 * <p>Inputs are plain arrays (true labels, predicted labels, probabilities {@code (N,K)} as one
 * row-major {@code float[]}), so this package knows nothing of models or datasets; the trainer
 * and the CLI produce the arrays, the report module draws the results.
 */
package dev.fovea.eval;
