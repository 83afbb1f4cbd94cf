package io.shardwise.core;

/**
 * Turns a raw record into the processor's payload type. Adapters supply one (JSON, UTF-8, DynamoDB images…).
 *
 * <p>Called by the engine just before the record is processed, in order. A thrown exception fails that record
 * with a non-retryable decode error (the record is parked with its raw bytes); it never fails the batch.
 * Implementations must be thread-safe.
 *
 * @param <R> raw payload type
 * @param <T> decoded payload type
 */
@FunctionalInterface
public interface RecordDecoder<R, T> {
    /**
     * Decodes one record's payload.
     *
     * @param raw the record as it arrived
     * @return the decoded payload
     * @throws Exception if the payload cannot be decoded: the record fails with it (a
     *                   {@link NonRetryableException} parks it at once)
     */
    T decode(StreamRecord<R> raw) throws Exception;
}
