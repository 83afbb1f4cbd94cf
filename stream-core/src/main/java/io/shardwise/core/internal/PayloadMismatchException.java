package io.shardwise.core.internal;

import io.shardwise.core.NonRetryableException;

/** A record's dedup key is already done with a different payload hash: reported (parked), not skipped. */
public final class PayloadMismatchException extends NonRetryableException {
    private static final long serialVersionUID = 1L;

    public PayloadMismatchException(String message) {
        super(message);
    }
}
