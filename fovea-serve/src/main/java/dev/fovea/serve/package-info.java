/**
 * The inference server behind {@code fovea serve}: models loaded once from the files the server
 * was started with ({@link dev.fovea.serve.ServedModel}), one inference thread per model that
 * gathers concurrent requests into batches ({@link dev.fovea.serve.Batcher}), the Open Inference
 * Protocol (KServe v2) and convenience routes over Javalin ({@link dev.fovea.serve.InferenceServer}),
 * Grad-CAM explanations ({@link dev.fovea.serve.ExplainRoute}), the web page
 * ({@link dev.fovea.serve.WebPage}),
 * safe image decoding ({@link dev.fovea.serve.ImageInput}) and Prometheus metrics
 * ({@link dev.fovea.serve.ServerMetrics}). It imports core and report, never the CLI.
 */
package dev.fovea.serve;
