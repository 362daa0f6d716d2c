/**
 * Fovea on Apache Spark: batch inference over a {@code Dataset<Row>} of images
 * ({@link dev.fovea.spark.SparkPredictor}), the readers that make such datasets from image
 * files, Parquet or CIFAR-10 records ({@link dev.fovea.spark.ImageSources}), accuracy and the
 * confusion matrix of labelled predictions ({@link dev.fovea.spark.PredictionMetrics}),
 * synchronous data-parallel training ({@link dev.fovea.spark.SparkTrainer}: K barrier tasks, each a
 * {@link dev.fovea.spark.TrainWorker} replica, exchanging gradients over a
 * {@link dev.fovea.spark.RingAllReduce}), and the {@code fovea spark} command
 * ({@link dev.fovea.spark.Main}: {@code predict}, {@code train}).
 *
 * <p>A model travels as its file's bytes in one broadcast ({@link dev.fovea.spark.ModelBroadcast});
 * each executor JVM parses it once and keeps one {@code Model} instance per concurrently running
 * task ({@link dev.fovea.spark.ExecutorModels}), since a model's forward pass is not thread-safe.
 * Training takes its run as {@code fovea train} prepares it (fovea-run's
 * {@code dev.fovea.run.TrainingRun}: the same options, defaults, run folder, run.json and resume)
 * and adds only the workers and the batch-norm mode ({@link dev.fovea.spark.ParallelSettings}).
 */
package dev.fovea.spark;
