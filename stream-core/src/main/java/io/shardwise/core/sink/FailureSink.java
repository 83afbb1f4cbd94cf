package io.shardwise.core.sink;

/**
 * Where poison records go: an SQS queue, an S3 bucket, a Kinesis stream, or user code.
 *
 * <p>Contract: {@link #park} returns normally only once the record is durably accepted. The engine marks the
 * record {@code PARKED} (done) only then; if {@code park} throws, the record stays {@code FAILED} and Lambda
 * redelivers it, so nothing is dropped. Implementations must be thread-safe and must not truncate the payload.
 */
@FunctionalInterface
public interface FailureSink {

    /**
     * Stores one parked record durably.
     *
     * @throws Exception if it was not accepted (the record is then retried, not lost)
     */
    void park(ParkedRecord record) throws Exception;
}
