/**
 * The {@code fovea} command (picocli): one class per subcommand (check, summary, data, train,
 * lr-find, bench, explain, evaluate, predict, serve, and spark, which hands its arguments to the
 * fovea-spark jar) and {@link dev.fovea.cli.Main}, which reports failures:
 * {@link dev.fovea.cli.UserError}, {@link dev.fovea.FoveaException} and I/O errors as one
 * message with exit code 2, anything else as an internal error with exit code 1.
 *
 * <p>The only module that prints to the terminal and reads options; it adapts the core and the
 * report module and holds no training or file-format logic of its own (a run's options, checks
 * and folder are fovea-run's). Depends on {@code fovea-core}, {@code fovea-run},
 * {@code fovea-report} and {@code fovea-serve}; no main code depends on it (fovea-spark's parity
 * test has it on its test class path).
 */
package dev.fovea.cli;
