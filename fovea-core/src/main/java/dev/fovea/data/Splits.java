package dev.fovea.data;

import dev.fovea.FoveaException;

/**
 * A training set and the held-out set that came with it ({@code testName} says what the
 * source called it: "test" for CIFAR-10's test batch, "validation" for a {@code val/} folder
 * or a split made by {@link Dataset#splitValidation}). {@code test} is null when the source
 * has no held-out part.
 */
public record Splits(Dataset train, Dataset test, String testName) {
    public Splits {
        if (train == null) {
            throw new IllegalArgumentException("a training set is required");
        }
        if (test != null && !test.classNames().equals(train.classNames())) {
            throw new FoveaException("training classes " + train.classNames()
                    + " differ from " + testName + " classes " + test.classNames()
                    + "; give both parts the same class sub-folders");
        }
    }
}
