package dev.fovea.train;

import dev.fovea.FoveaException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

/**
 * Options of {@link Trainer#fit}, with Keras's defaults: batch size 32, verbose 1, shuffling on.
 * Set fields with the chained methods: {@code new FitOptions().epochs(50).validation(test)}.
 */
public final class FitOptions {
    double epochs = 1;
    int batchSize = 32;
    Feed.Source validation;
    final List<Callback> callbacks = new ArrayList<>();
    double validationSplit;
    boolean shuffle = true;
    boolean dropLast;
    int verbose = 1;
    PrintStream out = System.err;
    Boolean terminal;

    public FitOptions epochs(int n) {
        if (n < 0) {
            throw new FoveaException("epochs must be >= 0, received " + n);
        }
        epochs = n;
        return this;
    }

    /**
     * A fractional number of epochs, as airbench's 9.9: the whole epochs, then a last epoch cut
     * after {@code ceil(fraction × its steps)} steps (so the run has {@code ceil(n × steps)}
     * steps when every epoch has the same count). The cut epoch is validated and counts as done.
     */
    public FitOptions epochs(double n) {
        if (!(n >= 0) || Double.isInfinite(n)) {
            throw new FoveaException("epochs must be a finite number >= 0, received " + n);
        }
        epochs = n;
        return this;
    }

    public FitOptions batchSize(int n) {
        if (n < 1) {
            throw new FoveaException("batch size must be >= 1, received " + n);
        }
        batchSize = n;
        return this;
    }

    /** Data evaluated after every epoch for the {@code val_} metrics. */
    public FitOptions validation(Feed.Source data) {
        validation = data;
        return this;
    }

    /** Keras's {@code validation_split}: hold out this seeded fraction of the training data. */
    public FitOptions validationSplit(double fraction) {
        if (!(fraction >= 0 && fraction < 1)) {
            throw new FoveaException("validation split must be in [0, 1), received " + fraction);
        }
        validationSplit = fraction;
        return this;
    }

    /** Shuffle the training data every epoch (default true, as Keras). */
    public FitOptions shuffle(boolean on) {
        shuffle = on;
        return this;
    }

    /**
     * Drop each epoch's last partial batch, so an epoch has ⌊N/B⌋ steps of exactly B samples
     * (PyTorch's {@code drop_last}; off by default, as Keras). Sources that cannot drop it say so.
     */
    public FitOptions dropLast(boolean on) {
        dropLast = on;
        return this;
    }

    public FitOptions callbacks(Callback... cs) {
        callbacks.addAll(List.of(cs));
        return this;
    }

    /** 0 silent, 1 progress bar, 2 one line per epoch. */
    public FitOptions verbose(int v) {
        verbose = v;
        return this;
    }

    /** Where progress goes (stderr by default) and whether it is a terminal (auto-detected if null). */
    public FitOptions progressTo(PrintStream stream, Boolean isTerminal) {
        out = stream;
        terminal = isTerminal;
        return this;
    }
}
