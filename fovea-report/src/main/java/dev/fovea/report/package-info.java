/**
 * What a user looks at after a run: PNG charts drawn with XChart ({@link dev.fovea.report.Charts}),
 * and the self-contained {@code report.html} ({@link dev.fovea.report.HtmlReport}) that embeds
 * them as data URIs together with the evaluation tables, the misclassified-images grid, the
 * model summary and the run's provenance.
 *
 * <p>Charts and the HTML page take plain values ({@link dev.fovea.report.TrainingCurves}: metric
 * name to one value per epoch, {@link dev.fovea.eval.ConfusionMatrix}, a ready-made grid image);
 * {@link dev.fovea.report.RunReport}, the end of every training command, takes the trained model
 * and the data and evaluates them itself, so both front ends share it. Rendering runs headless
 * ({@code java.awt.headless=true}); nothing here needs a display or a network.
 */
package dev.fovea.report;
