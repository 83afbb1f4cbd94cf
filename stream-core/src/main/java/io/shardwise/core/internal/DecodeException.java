package io.shardwise.core.internal;

import io.shardwise.core.NonRetryableException;

/** A record's payload could not be decoded (or its dedup key derived): bad data, parked at once. */
public final class DecodeException extends NonRetryableException {
    private static final long serialVersionUID = 1L;

    public DecodeException(String message, Throwable cause) {
        super(message, cause);
    }
}
