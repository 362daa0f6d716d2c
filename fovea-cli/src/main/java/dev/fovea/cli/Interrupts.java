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

    /**
     * Training's handler: the first press runs {@code action}; the second exits at once, saying
     * that {@code resumeCommand} still continues from the last checkpoint (or starts the run
     * again when there is none yet).
     */
    static void onCtrlC(Runnable action, String resumeCommand) {
        onCtrlC("\nCtrl-C: stopping after this batch to save a checkpoint (press again to quit now)", action,
                "interrupted again: exiting without saving this epoch; " + resumeCommand + " continues from the"
                        + " last epoch's checkpoint, or starts the run again if it has none");
    }

    /** As {@link #onCtrlC(Runnable, String)}, printing {@code message} at the first press. */
    static void onCtrlC(String message, Runnable action) {
        onCtrlC(message, action, "interrupted again: exiting at once");
    }

    private static void onCtrlC(String message, Runnable action, String again) {
        pressed = false;
        try {
            Signal.handle(new Signal("INT"), sig -> {
                if (pressed) {
                    System.err.println();
                    Console.err(again);
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
