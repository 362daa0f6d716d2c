/**
 * Measurements, never assertions: JMH benchmarks of the GEMM kernel
 * ({@link dev.fovea.bench.GemmBench}) and of the three convolution passes
 * ({@link dev.fovea.bench.ConvBench} over {@link dev.fovea.bench.ConvShapes}), the report that runs
 * them and sets their GFLOPS against the FMA peak ({@link dev.fovea.bench.GflopsReport}), and plain
 * mains for GEMM GFLOPS and augmentation throughput, packaged as
 * {@code fovea-bench/target/fovea-benchmarks.jar} (the per-layer time of a training step is
 * {@code fovea bench --profile}). Depends on {@code fovea-core} only; nothing depends on it, and no
 * test reads a timing: the tests check the shape table and that each benchmark computes what it
 * claims to time.
 */
package dev.fovea.bench;
