package dev.fovea.cli;

import java.util.List;
import picocli.CommandLine.Option;

/**
 * The training-recipe flags of {@code fovea train} beyond Keras's {@code compile}/{@code fit}:
 * the building blocks of fast recipes such as airbench94 (learning-rate shape, weight-decay
 * form, parameter groups, loss reduction, drop-last, lookahead/EMA, data-dependent and identity
 * initialization, frozen tensors, test-time augmentation). Each works with any model. A null or
 * empty field means "not given": the resumed run's value, else the preset's recipe
 * ({@link Recipes}), else the plain default applies.
 */
final class RecipeOptions {
    @Option(names = "--lr-schedule", paramLabel = "NAME",
            description = "constant, or warmup-linear: the rate rises linearly from --lr-start-factor to 1 over"
                    + " --warmup of the steps, then falls linearly to --lr-end-factor (default: constant).")
    String lrSchedule;

    @Option(names = "--warmup", paramLabel = "FRACTION", description = "Share of the steps spent warming up (default: 0.23).")
    Double warmup;

    @Option(names = "--lr-start-factor", paramLabel = "F", description = "Rate multiplier at step 0 (default: 0.2).")
    Double lrStartFactor;

    @Option(names = "--lr-end-factor", paramLabel = "F", description = "Rate multiplier at the last step (default: 0.07).")
    Double lrEndFactor;

    @Option(names = "--weight-decay-mode", paramLabel = "MODE",
            description = "decoupled (Keras: w -= w*wd*lr) or absolute (sgd only: PyTorch momentum, wd/lr_group*w added"
                    + " to the gradient, so every group decays by the same wd per step) (default: decoupled).")
    String weightDecayMode;

    @Option(names = "--lr-multiplier", paramLabel = "GLOB=X",
            description = "Learning-rate multiplier for the parameters whose names match GLOB, e.g."
                    + " '*/beta=64' for BatchNormalization shifts; repeatable.")
    List<String> lrMultipliers;

    @Option(names = "--loss-reduction", paramLabel = "mean|sum", description = "Average or sum the loss over a batch (default: mean).")
    String lossReduction;

    @Option(names = "--drop-last", negatable = true, description = "Drop the last partial batch of every epoch.")
    Boolean dropLast;

    @Option(names = "--lookahead", paramLabel = "STEPS",
            description = "Every STEPS steps pull the weights and BN statistics into an EMA and back (0 = off; default 0).")
    Integer lookahead;

    @Option(names = "--whiten", paramLabel = "LAYER",
            description = "Initialize this 2*k*k*C-filter conv from the training images' patch covariance (whitening).")
    String whiten;

    @Option(names = "--dirac", negatable = true,
            description = "Set the first C filters of every stride-1 odd-kernel conv with F >= C inputs to the identity.")
    Boolean dirac;

    @Option(names = "--freeze", paramLabel = "GLOB",
            description = "Never train the parameters whose names match GLOB, e.g. 'whiten/kernel'; repeatable.")
    List<String> freeze;

    @Option(names = "--freeze-after", paramLabel = "GLOB=N",
            description = "Train the matching parameters for the first N epochs only, e.g. 'whiten/bias=3'; repeatable.")
    List<String> freezeAfter;

    @Option(names = "--tta", paramLabel = "none|flip|6view",
            description = "Also report the final accuracy with test-time augmentation (default: none).")
    String tta;

    /** Checks the numbers before anything is read or written. */
    void check() {
        Check.range("--warmup", warmup, 0, 1, true, "a share of the steps");
        Check.range("--lr-start-factor", lrStartFactor, 0, Double.POSITIVE_INFINITY, false, "a multiplier of the rate");
        Check.range("--lr-end-factor", lrEndFactor, 0, Double.POSITIVE_INFINITY, false, "a multiplier of the rate");
        Check.atLeast("--lookahead", lookahead, 0, "steps between EMA updates, 0 = off");
    }
}
