/**
 * The training loop, Keras's {@code compile}/{@code fit}: {@link dev.fovea.train.Trainer}
 * (fit, evaluate, predict; fitting again continues), {@link dev.fovea.train.FitOptions}, the
 * batch sources ({@link dev.fovea.train.Feed}, {@link dev.fovea.train.DataFeed}),
 * {@link dev.fovea.train.History}, the progress bar, callbacks and
 * {@link dev.fovea.train.Checkpoint} (resume bit for bit).
 *
 * <p>The top of the core: it imports {@code nn}, {@code optim}, {@code loss}, {@code metric},
 * {@code data} and {@code io}, and nothing below imports it. Not a command line: it reports
 * through return values, callbacks and exceptions, and prints only the progress line.
 */
package dev.fovea.train;
