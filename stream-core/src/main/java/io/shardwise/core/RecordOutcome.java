package io.shardwise.core;

/**
 * The outcome of one record of a batch.
 *
 * @param sequenceNumber    the record's (outer) sequence number
 * @param subSequenceNumber the KPL sub-record index, or {@link StreamRecord#NO_SUB_SEQUENCE}
 * @param partitionKey      the record's ordering key
 * @param outcome           what happened
 * @param error             the failure, for {@code FAILED} and {@code PARKED}; otherwise {@code null}
 * @param attempts          attempts made so far including this one (0 when not attempted in this invocation)
 */
public record RecordOutcome(
        String sequenceNumber,
        long subSequenceNumber,
        String partitionKey,
        Outcome outcome,
        Throwable error,
        int attempts) {
}
