package io.shardwise.core;

/**
 * A record-level failure that retrying cannot fix: bad data (decode errors, validation errors, a payload that
 * does not match its dedup key's stored hash) or anything the processor declares hopeless. A record failing
 * with it is parked at once, without using its retry budget.
 */
public class NonRetryableException extends StreamProcessingException {
    private static final long serialVersionUID = 1L;

    /** @param message what is wrong with the record, and how to fix it */
    public NonRetryableException(String message) {
        super(message);
    }

    /**
     * @param message what is wrong with the record, and how to fix it
     * @param cause   the underlying error
     */
    public NonRetryableException(String message, Throwable cause) {
        super(message, cause);
    }

    @Override
    public final boolean isRetryable() {
        return false;
    }
}
