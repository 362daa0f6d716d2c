package dev.fovea.serve;

/**
 * A request the server refuses: the HTTP status and a message that says what was wrong, what
 * was expected and what was received. Answered as {@code {"error": message}}; never a stack trace.
 */
public final class ApiError extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final int status;
    private final int retryAfterSeconds;

    public ApiError(int status, String message) {
        this(status, message, 0);
    }

    /** @param retryAfterSeconds sent as {@code Retry-After} when positive (503: come back later) */
    public ApiError(int status, String message, int retryAfterSeconds) {
        super(message, null, false, false);
        this.status = status;
        this.retryAfterSeconds = retryAfterSeconds;
    }

    public int retryAfterSeconds() {
        return retryAfterSeconds;
    }

    public int status() {
        return status;
    }
}
