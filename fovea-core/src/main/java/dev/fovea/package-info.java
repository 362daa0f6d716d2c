/**
 * Fovea: train and use convolutional image classifiers in pure Java. This root package holds
 * only {@link dev.fovea.FoveaException}, the one exception type for failures a user can fix
 * (a shape that does not fit, a bad configuration value, a malformed file, missing data); every
 * package may throw it. {@code IllegalArgumentException} and {@code IllegalStateException} are
 * kept for programming errors, which the command line reports as internal errors.
 *
 * <p>The packages of {@code fovea-core}, lowest first; imports only point down:
 * {@code tensor} → {@code kernel} → {@code nn} → {@code io}, {@code optim}, {@code loss},
 * {@code metric} → {@code data} (images and labels as plain arrays; it imports only
 * {@code tensor} and {@code io}, never a layer) → {@code train} → {@code eval} (test-time
 * augmentation and Grad-CAM over a trained model) and {@code check} (the reference cases).
 */
package dev.fovea;
