/**
 * Measurements, never assertions: JMH benchmarks of the GEMM kernel
 * ({@link dev.fovea.bench.GemmBench}) and plain mains for GEMM GFLOPS and augmentation
 * throughput, packaged as {@code fovea-bench/target/fovea-benchmarks.jar} (the per-layer time of a
 * training step is {@code fovea bench --profile}). Depends on {@code fovea-core} only; nothing
 * depends on it, and no test reads a timing.
 */
package dev.fovea.bench;
