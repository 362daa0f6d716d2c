/**
 * Measurements, never assertions: JMH benchmarks of the GEMM kernel
 * ({@link dev.fovea.bench.GemmBench}) and plain mains for GEMM GFLOPS, the per-layer time of a
 * training step ({@link dev.fovea.bench.StepProfile}) and augmentation throughput, packaged as
 * {@code fovea-bench/target/fovea-benchmarks.jar}. Depends on {@code fovea-core} only; nothing
 * depends on it, and no test reads a timing.
 */
package dev.fovea.bench;
