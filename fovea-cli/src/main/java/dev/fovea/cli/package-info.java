/**
 * The {@code fovea} command (picocli): one class per subcommand (check, summary, data, train,
 * evaluate, predict, explain, bench, serve, export) and {@link dev.fovea.cli.Main}, which reports failures:
 * {@link dev.fovea.cli.UserError}, {@link dev.fovea.FoveaException} and I/O errors as one
 * message with exit code 2, anything else as an internal error with exit code 1.
 *
 * <p>The only module that prints to the terminal and reads options; it adapts the core and the
 * report module and holds no training or file-format logic of its own. Depends on
 * {@code fovea-core} and {@code fovea-report}; nothing depends on it.
 */
package dev.fovea.cli;
