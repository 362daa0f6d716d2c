package dev.fovea.optim;

/** Keras's decoupled weight decay, shared by the optimizers; not part of the API. */
final class Decay {
    private Decay() {
    }

    /** {@code w ← w − w·wd·lr}, evaluated in Keras's order ({@code variable - variable * wd * lr}). */
    static void apply(float[] w, float wd, float lr) {
        for (int j = 0; j < w.length; j++) {
            w[j] -= w[j] * wd * lr;
        }
    }
}
