package io.shardwise.core.internal;

import io.shardwise.core.NonRetryableException;

/** A retryable failure that used up the record's attempt budget; the record is parked. */
public final class RetriesExhaustedException extends NonRetryableException {
    private static final long serialVersionUID = 1L;

    public RetriesExhaustedException(String message, Throwable cause) {
        super(message, cause);
    }
}
