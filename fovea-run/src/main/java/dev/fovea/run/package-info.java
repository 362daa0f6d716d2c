/**
 * One training run for every front end: {@code fovea train} (fovea-cli) and {@code fovea spark
 * train} (fovea-spark) are thin picocli commands over this package, which neither may reinvent.
 *
 * <p>{@link dev.fovea.run.TrainSettings} is the run's settings: each option's flag and help
 * (its {@link dev.fovea.run.TrainSettings.Options} mixin), default, check, {@code run.json} key
 * and what it builds (optimizer, schedule, loss, parameter groups, recipe callbacks,
 * initialization); {@link dev.fovea.run.AugmentationOptions} holds the augmentation flags and
 * {@link dev.fovea.run.Recipes} the fast presets' defaults. {@link dev.fovea.run.TrainingRun}
 * takes a run from its options to its first step (folder, resume checks, data and its hashes,
 * model, provenance, {@code run.json}); {@link dev.fovea.run.RunFolder} is the folder's files and
 * rules, reading {@code run.json} of earlier versions too. {@link dev.fovea.run.Check} and
 * {@link dev.fovea.run.OutputFolder} word option and folder problems for every command.
 *
 * <p>Depends on fovea-core and picocli only; user errors are {@link dev.fovea.FoveaException}s,
 * which both front ends print as one line (exit 2).
 */
package dev.fovea.run;
