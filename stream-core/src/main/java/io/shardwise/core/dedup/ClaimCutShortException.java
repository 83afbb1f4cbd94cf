package io.shardwise.core.dedup;

/**
 * A claim the invocation's deadline cut short ({@link CallDeadlineException}: the engine stops with a partial
 * response), after which it is unknown whether it was applied: a first attempt may have taken the lease and lost its
 * answer. The caller may hold the lease {@link #leaseToken()} names, and releases it with the time that is left, so
 * that the redelivery runs the record at once and no takeover counts an attempt that never ran. A release of a
 * lease that was never taken changes nothing (its condition fails).
 */
public class ClaimCutShortException extends CallDeadlineException {
    private static final long serialVersionUID = 1L;

    private final String leaseToken;

    public ClaimCutShortException(CallDeadlineException cause, String leaseToken) {
        super(cause.getMessage(), cause);
        this.leaseToken = leaseToken;
    }

    /** The token of the lease the claim would have taken. */
    public String leaseToken() {
        return leaseToken;
    }
}
