package io.shardwise.core;

/**
 * Root of every exception shardwise throws or classifies. Unchecked.
 *
 * <p>Thrown out of the library only for problems that make the whole batch unsafe (an unreachable dedup table,
 * a misconfiguration); a problem with one record never escapes a batch, it becomes that record's
 * {@link Outcome}. Processors may throw it (or {@link NonRetryableException}) to say how a failure should be
 * treated: this type is retryable unless {@link #isRetryable()} says otherwise.
 */
public class StreamProcessingException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** @param message what went wrong, and how to fix it */
    public StreamProcessingException(String message) {
        super(message);
    }

    /**
     * @param message what went wrong, and how to fix it
     * @param cause   the underlying error
     */
    public StreamProcessingException(String message, Throwable cause) {
        super(message, cause);
    }

    /** Whether the failed record should be retried (redelivered) rather than parked at once. */
    public boolean isRetryable() {
        return true;
    }
}
