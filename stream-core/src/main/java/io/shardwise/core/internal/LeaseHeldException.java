package io.shardwise.core.internal;

import io.shardwise.core.StreamProcessingException;

/**
 * Another invocation holds a live lease on the record (ParallelizationFactor &gt; 1, or a retry racing a
 * timed-out invocation). Retryable, and not counted against the record's attempt budget.
 */
public final class LeaseHeldException extends StreamProcessingException {
    private static final long serialVersionUID = 1L;

    public LeaseHeldException(String message) {
        super(message);
    }
}
