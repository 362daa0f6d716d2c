/**
 * Fovea: train and use convolutional image classifiers in pure Java. This root package holds
 * only {@link dev.fovea.FoveaException}, the one exception type for failures a user can fix
 * (a shape that does not fit, a bad configuration value, a malformed file, missing data); every
 * package may throw it. {@code IllegalArgumentException} and {@code IllegalStateException} are
 * kept for programming errors, which the command line reports as internal errors.
 *
 * <p>The packages of {@code fovea-core}, lowest first; imports only point down:
 * {@code tensor} → {@code kernel} → {@code nn} → {@code io}, {@code optim}, {@code loss},
 * {@code metric} → {@code train} → {@code check}; {@code data} needs only {@code tensor} and
 * {@code eval} nothing, both work on plain arrays.
 */
package dev.fovea;
