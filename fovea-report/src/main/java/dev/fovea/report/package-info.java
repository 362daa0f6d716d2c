/**
 * What a user looks at after a run: PNG charts drawn with XChart ({@link dev.fovea.report.Charts}),
 * and the self-contained {@code report.html} ({@link dev.fovea.report.HtmlReport}) that embeds
 * them as data URIs together with the evaluation tables, the misclassified-images grid, the
 * model summary and the run's provenance.
 *
 * <p>Inputs are plain values: {@link dev.fovea.report.TrainingCurves} (metric name to one value
 * per epoch), {@link dev.fovea.eval.ConfusionMatrix} and a ready-made grid image, so the trainer
 * and the CLI adapt to this package rather than the other way round. Rendering runs headless
 * ({@code java.awt.headless=true}); nothing here needs a display or a network.
 */
package dev.fovea.report;
