package io.shardwise.core.sink;

import io.shardwise.core.StreamProcessingException;

/**
 * A built-in {@link FailureSink} did not accept a record: the destination refused it or could not be reached,
 * or the record cannot be stored there as configured (too large, no S3 spill configured). The message names
 * the record (shard, sequence number), the destination, and what to change.
 *
 * <p>The engine then leaves the record {@code FAILED}, so Lambda redelivers it and nothing is lost; parking is
 * attempted again on the next delivery. It is retryable for that reason: even when the cause is a
 * configuration (an oversized record without spill), fixing the configuration is what lets the shard move on.
 * The AWS SDK exception, if any, is the cause.
 *
 * <p>Immutable, like every exception.
 */
public class ParkingException extends StreamProcessingException {
    private static final long serialVersionUID = 1L;

    /** @param message what was not accepted, where, and what to do */
    public ParkingException(String message) {
        super(message);
    }

    /**
     * @param message what was not accepted, where, and what to do
     * @param cause   the AWS SDK exception, if any
     */
    public ParkingException(String message, Throwable cause) {
        super(message, cause);
    }
}
