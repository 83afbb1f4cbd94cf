package io.shardwise.core.dedup;

import io.shardwise.core.StreamProcessingException;

/**
 * A dedup-store call did not finish within the time the invocation had left for it (see
 * {@link DedupStore#withCallTimeout}), or there was no time left to start it. Whether a write was applied is
 * unknown. The engine does not fail the batch for it: it stops, and returns a partial response before Lambda's
 * timeout would replay the whole batch.
 */
public class CallDeadlineException extends StreamProcessingException {
    private static final long serialVersionUID = 1L;

    public CallDeadlineException(String message, Throwable cause) {
        super(message, cause);
    }
}
