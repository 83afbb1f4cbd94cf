package io.shardwise.kinesis;

import io.shardwise.core.NonRetryableException;
import io.shardwise.core.StreamRecord;

import java.util.Objects;

/**
 * A Kinesis record's bytes could not be turned into the processor's payload type: malformed or wrongly shaped
 * JSON, invalid UTF-8, a {@link KinesisDecoders.Deserializer} that threw, or a corrupt KPL aggregate (bad MD5,
 * truncated protobuf, a partition key index out of range…).
 *
 * <p>Non-retryable: decoding the same bytes again gives the same answer, so the engine parks the record at once
 * with its raw bytes (a corrupt aggregate is parked whole) and the shard moves on. The message names the record
 * (shard, sequence number, sub-sequence) and what was wrong; the decoders of {@link KinesisDecoders} keep payload
 * values out of it. The cause is the underlying error (for JSON, Jackson's {@code JsonProcessingException}) when
 * there is one.
 *
 * <p>Immutable; safe to share between threads.
 */
public class KinesisDecodeException extends NonRetryableException {
    private static final long serialVersionUID = 1L;

    /** The failed record's shard. */
    private final String shardId;
    /** The failed record's sequence number. */
    private final String sequenceNumber;
    /** The failed record's KPL sub-record index, or {@link StreamRecord#NO_SUB_SEQUENCE}. */
    private final long subSequenceNumber;

    /**
     * @param record  the record that could not be decoded (its position is put in the message)
     * @param problem what was wrong, without the payload
     * @param cause   the underlying error, or null
     */
    public KinesisDecodeException(StreamRecord<?> record, String problem, Throwable cause) {
        super(problem + " [" + Objects.requireNonNull(record, "record").describe() + "]", cause);
        this.shardId = record.shardId();
        this.sequenceNumber = record.sequenceNumber();
        this.subSequenceNumber = record.subSequenceNumber();
    }

    /** The shard of the record that could not be decoded. */
    public String shardId() {
        return shardId;
    }

    /** Its sequence number (the outer record's for a KPL sub-record). */
    public String sequenceNumber() {
        return sequenceNumber;
    }

    /** Its KPL sub-record index, or {@link StreamRecord#NO_SUB_SEQUENCE}. */
    public long subSequenceNumber() {
        return subSequenceNumber;
    }
}
