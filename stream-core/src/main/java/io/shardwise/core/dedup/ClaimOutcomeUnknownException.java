package io.shardwise.core.dedup;

import io.shardwise.core.StreamProcessingException;

/**
 * A claim failed in a way that leaves unknown whether it was applied (a response lost, then the SDK's retries
 * failed too): the caller may hold the lease {@link #leaseToken()} names. The engine fails the batch, as for any
 * store failure, and releases that lease with the others it holds, so that the redelivery can run the record at
 * once; a release of a lease that was never taken changes nothing (its condition fails).
 */
public class ClaimOutcomeUnknownException extends StreamProcessingException {
    private static final long serialVersionUID = 1L;

    private final String leaseToken;

    public ClaimOutcomeUnknownException(String message, Throwable cause, String leaseToken) {
        super(message, cause);
        this.leaseToken = leaseToken;
    }

    /** The token of the lease the claim would have taken. */
    public String leaseToken() {
        return leaseToken;
    }
}
