/**
 * Fovea on Apache Spark: batch inference over a {@code Dataset<Row>} of images
 * ({@link dev.fovea.spark.SparkPredictor}), the readers that make such datasets from image
 * files, Parquet or CIFAR-10 records ({@link dev.fovea.spark.ImageSources}), accuracy and the
 * confusion matrix of labelled predictions ({@link dev.fovea.spark.PredictionMetrics}), and the
 * {@code fovea spark} command ({@link dev.fovea.spark.Main}).
 *
 * <p>A model travels as its file's bytes in one broadcast ({@link dev.fovea.spark.ModelBroadcast});
 * each executor JVM parses it once and keeps one {@code Model} instance per concurrently running
 * task ({@link dev.fovea.spark.ExecutorModels}), since a model's forward pass is not thread-safe.
 * Training on Spark is meant to reuse the same broadcast and cache.
 */
package dev.fovea.spark;
