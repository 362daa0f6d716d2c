package dev.fovea;

/**
 * A failure caused by input the user can fix (a malformed file, a shape that does not fit, a
 * missing dataset). Its message says what is wrong, where, what was expected and received, and
 * what to do; the CLI prints it without a stack trace.
 */
public class FoveaException extends RuntimeException {
    public FoveaException(String message) {
        super(message);
    }

    public FoveaException(String message, Throwable cause) {
        super(message, cause);
    }
}
