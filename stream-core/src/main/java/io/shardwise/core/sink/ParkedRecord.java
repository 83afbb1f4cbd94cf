package io.shardwise.core.sink;

import io.shardwise.core.StreamRecord;
import io.shardwise.core.internal.Hashing;

import java.time.Instant;
import java.util.Base64;
import java.util.Objects;

/**
 * A record handed to a {@link FailureSink}: the full payload plus everything needed to understand and replay
 * it. Serialized as JSON by the built-in sinks (field names as below).
 *
 * @param consumerName           the consumer (handler) that parked it
 * @param sourceArn              the stream ARN
 * @param shardId                the shard
 * @param sequenceNumber         the record's (outer) sequence number
 * @param subSequenceNumber      the KPL sub-record index, or -1
 * @param partitionKey           the record's partition (ordering) key
 * @param approximateArrivalTime when the stream accepted the record, or null
 * @param eventId                Lambda's {@code eventID}, or null
 * @param payloadBase64          the raw payload bytes, base64 (standard alphabet, padded)
 * @param errorClass             the failure's exception class
 * @param errorMessage           the failure's message (may be null)
 * @param attempts               attempts made, including the last
 * @param parkedAt               when it was parked
 * @param dedupId                the record's dedup marker id in the consumer's dedup store
 *                               ({@code consumer#sha256(dedup key)}: never the key itself), or null when the
 *                               consumer has no dedup store. The replay tool releases that marker before putting
 *                               the record back, so that a record parked under a payload-derived key runs when
 *                               replayed instead of being skipped as a duplicate
 * @param explicitHashKey        the KPL user record's explicit hash key ({@link StreamRecord#explicitHashKey()}),
 *                               or null when it had none: a replay puts the record back with it, so it lands on
 *                               the hash range it was produced for
 */
public record ParkedRecord(
        String consumerName,
        String sourceArn,
        String shardId,
        String sequenceNumber,
        long subSequenceNumber,
        String partitionKey,
        Instant approximateArrivalTime,
        String eventId,
        String payloadBase64,
        String errorClass,
        String errorMessage,
        int attempts,
        Instant parkedAt,
        String dedupId,
        String explicitHashKey) {

    /** Checks that the position and the payload are there: a parked record without them could not be replayed. */
    public ParkedRecord {
        Objects.requireNonNull(shardId, "shardId");
        Objects.requireNonNull(sequenceNumber, "sequenceNumber");
        Objects.requireNonNull(payloadBase64, "payloadBase64");
    }

    /**
     * A record without an explicit hash key: the signature before {@code explicitHashKey} existed, kept so callers
     * compile.
     */
    public ParkedRecord(String consumerName, String sourceArn, String shardId, String sequenceNumber,
                        long subSequenceNumber, String partitionKey, Instant approximateArrivalTime, String eventId,
                        String payloadBase64, String errorClass, String errorMessage, int attempts,
                        Instant parkedAt, String dedupId) {
        this(consumerName, sourceArn, shardId, sequenceNumber, subSequenceNumber, partitionKey,
                approximateArrivalTime, eventId, payloadBase64, errorClass, errorMessage, attempts, parkedAt, dedupId,
                null);
    }

    /** A record without a dedup id: the signature before {@code dedupId} existed, kept so callers compile. */
    public ParkedRecord(String consumerName, String sourceArn, String shardId, String sequenceNumber,
                        long subSequenceNumber, String partitionKey, Instant approximateArrivalTime, String eventId,
                        String payloadBase64, String errorClass, String errorMessage, int attempts,
                        Instant parkedAt) {
        this(consumerName, sourceArn, shardId, sequenceNumber, subSequenceNumber, partitionKey,
                approximateArrivalTime, eventId, payloadBase64, errorClass, errorMessage, attempts, parkedAt, null, null);
    }

    /**
     * Whether the record was parked under its consumer's default dedup key, its stream position
     * ({@link StreamRecord#positionKey()}). Put back onto a stream, such a record gets a new
     * position and so a new key: it runs again without its {@code PARKED} marker being released. False when the
     * record has no dedup id or no consumer name, or its key was derived from the payload (an event id).
     */
    public boolean parkedUnderPositionKey() {
        if (dedupId == null || consumerName == null || subSequenceNumber < StreamRecord.NO_SUB_SEQUENCE) {
            return false;
        }
        StreamRecord<Void> position = new StreamRecord<>(null, null, partitionKey, shardId,
                sourceArn, sequenceNumber, subSequenceNumber, null, null);
        return dedupId.equals(Hashing.dedupId(consumerName, position.positionKey()));
    }

    /** The payload bytes (decoded from base64; a fresh array). */
    public byte[] payload() {
        return Base64.getDecoder().decode(payloadBase64);
    }

    /** Shard, sequence number and sub-sequence, for messages. Never the payload. */
    public String describe() {
        return "shard " + shardId + ", sequence number " + sequenceNumber
                + (subSequenceNumber >= 0 ? ", sub-sequence " + subSequenceNumber : "");
    }

    @Override
    public String toString() {
        return "ParkedRecord[" + describe() + ", consumer=" + consumerName + ", error=" + errorClass + "]";
    }
}
