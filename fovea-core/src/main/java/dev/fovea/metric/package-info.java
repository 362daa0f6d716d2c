/**
 * Streaming classification metrics: each {@link dev.fovea.metric.Metric} accumulates over the
 * batches of an epoch ({@code update}) and reports one number ({@code result}) under Keras's
 * display name. Per-class and confusion-matrix evaluation lives in {@code dev.fovea.eval}.
 */
package dev.fovea.metric;
