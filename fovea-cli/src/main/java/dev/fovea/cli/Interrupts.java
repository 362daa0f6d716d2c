package dev.fovea.cli;

import sun.misc.Signal;

/**
 * Ctrl-C during training: the first press asks the trainer to stop after its batch (so it can
 * save a checkpoint and print how to resume); a second press exits at once. Uses
 * {@code sun.misc.Signal} (module jdk.unsupported), the only way to handle SIGINT without the
 * JVM starting its shutdown first.
 */
final class Interrupts {
    private static volatile boolean pressed;

    private Interrupts() {
    }

    static void onCtrlC(Runnable action) {
        onCtrlC("\nCtrl-C: stopping after this batch to save a checkpoint (press again to quit now)", action);
    }

    /** As {@link #onCtrlC(Runnable)}, printing {@code message} at the first press. */
    static void onCtrlC(String message, Runnable action) {
        pressed = false;
        try {
            Signal.handle(new Signal("INT"), sig -> {
                if (pressed) {
                    System.err.println("\ninterrupted again: exiting without a checkpoint");
                    Runtime.getRuntime().halt(130);
                }
                pressed = true;
                System.err.println(message);
                action.run();
            });
        } catch (IllegalArgumentException unsupported) {
            // No SIGINT on this platform: the default handling (exit) stays.
        }
    }

    static void clear() {
        try {
            Signal.handle(new Signal("INT"), sun.misc.SignalHandler.SIG_DFL);
        } catch (IllegalArgumentException ignored) {
            // as above
        }
    }
}
