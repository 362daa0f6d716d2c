package dev.fovea.nn;

import dev.fovea.FoveaException;
import java.util.List;

/**
 * Name handling and the input count check shared by the layers of several inputs ({@link Add},
 * {@link Concatenate}); they implement {@link Layer}'s list methods directly.
 */
abstract class BaseMerge implements Layer {
    private String name;

    @Override
    public String name() {
        return name == null ? Names.snake(typeName()) : name;
    }

    @Override
    public void setName(String name) {
        this.name = name;
    }

    boolean hasName() {
        return name != null;
    }

    /** Fails unless there are at least two inputs: merging one tensor is a wiring mistake. */
    void requireSeveral(List<?> inputs) {
        if (inputs.size() < 2) {
            throw new FoveaException(name() + ": expects at least 2 inputs, received " + inputs.size()
                    + "; pass the tensors to merge, e.g. new " + typeName() + "().apply(a, b)");
        }
    }
}
