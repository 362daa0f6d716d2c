package dev.fovea.nn;

/**
 * A layer that draws random numbers during training (Dropout). Checkpoints save and restore
 * this state so a resumed run draws exactly what an uninterrupted one would.
 */
public interface RandomState {
    long rngState();

    void setRngState(long state);
}
