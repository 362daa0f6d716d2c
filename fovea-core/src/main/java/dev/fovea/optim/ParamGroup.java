package dev.fovea.optim;

import dev.fovea.FoveaException;
import dev.fovea.nn.Param;
import java.util.List;
import java.util.OptionalDouble;

/**
 * Parameters updated with one learning-rate multiplier and, optionally, their own weight decay
 * (otherwise the optimizer's). The effective learning rate of the group is
 * {@code optimizer lr × lrMultiplier}; decoupled weight decay also uses that effective rate
 * ({@code w −= w·wd·lr·lrMultiplier}). Example: BatchNormalization shifts at 64× the rate and no
 * decay, {@code new ParamGroup(shifts, 64, OptionalDouble.of(0))}.
 *
 * <p>A parameter must appear in at most one group: the optimizer does not check, and a
 * parameter listed twice is updated twice. Non-trainable parameters may be listed; they are
 * skipped.
 */
public record ParamGroup(List<Param> params, double lrMultiplier, OptionalDouble weightDecay) {
    public ParamGroup {
        params = List.copyOf(params);
        if (!(lrMultiplier >= 0) || Double.isInfinite(lrMultiplier)) {
            throw new FoveaException("parameter group: lrMultiplier must be finite and >= 0, received " + lrMultiplier);
        }
        if (weightDecay.isPresent() && !(weightDecay.getAsDouble() >= 0)) {
            throw new FoveaException("parameter group: weight decay must be >= 0, received " + weightDecay.getAsDouble());
        }
    }

    /** A group at the optimizer's learning rate and weight decay. */
    public ParamGroup(List<Param> params) {
        this(params, 1.0, OptionalDouble.empty());
    }

    /** A group with a learning-rate multiplier and the optimizer's weight decay. */
    public ParamGroup(List<Param> params, double lrMultiplier) {
        this(params, lrMultiplier, OptionalDouble.empty());
    }
}
