package io.shardwise.core.internal;

import io.shardwise.core.NonRetryableException;

/**
 * A record that cannot be part of a valid batch (its stream position or event id repeats an earlier record's with
 * other data): bad input, parked at once with its payload, never run.
 */
public final class InvalidRecordException extends NonRetryableException {
    private static final long serialVersionUID = 1L;

    public InvalidRecordException(String message) {
        super(message);
    }
}
