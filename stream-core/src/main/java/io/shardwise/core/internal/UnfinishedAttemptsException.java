package io.shardwise.core.internal;

import io.shardwise.core.StreamProcessingException;

/** A record's earlier attempts never finished (Lambda timeout, crash) and used up its retry budget. */
public final class UnfinishedAttemptsException extends StreamProcessingException {
    private static final long serialVersionUID = 1L;

    public UnfinishedAttemptsException(String message) {
        super(message);
    }
}
