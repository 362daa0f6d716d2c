/**
 * Evaluation of a classifier's predictions: {@link dev.fovea.eval.ConfusionMatrix},
 * per-class precision, recall and F1 ({@link dev.fovea.eval.ClassMetrics}), the most-confused
 * class pairs, the most confident mistakes ({@link dev.fovea.eval.Misclassified}), plain-text
 * tables for the command line ({@link dev.fovea.eval.TextTables}), test-time augmentation
 * ({@link dev.fovea.eval.TestTimeAugmentation}) and Grad-CAM heatmaps
 * ({@link dev.fovea.eval.GradCam}).
 *
 * <p>Inputs are plain arrays (true labels, predicted labels, probabilities {@code (N,K)} as one
 * row-major {@code float[]}), so the metrics know nothing of models or datasets; the trainer
 * and the CLI produce the arrays, the report module draws the results. The one exception is
 * {@code TestTimeAugmentation}, which runs a model ({@code nn}) over a feed ({@code train}) to
 * produce such arrays, and {@code GradCam}, which runs a model forward and backward to a layer;
 * both packages sit below this one.
 */
package dev.fovea.eval;
