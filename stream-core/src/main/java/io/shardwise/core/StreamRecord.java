package io.shardwise.core;

import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.Objects;

/**
 * One record of a shard, as handed to a {@link RecordProcessor}: the decoded payload plus where it came from.
 *
 * <p>Immutable. {@link #data()} is a read-only view of the bytes as delivered (the Kinesis data blob, or the
 * JSON of a DynamoDB stream record); it is what gets parked when the record cannot be processed. Each call to
 * {@code data()} returns an independent buffer positioned at zero, so reading it never disturbs another reader.
 *
 * @param payload                the decoded payload (for raw records before decoding, the raw form itself)
 * @param partitionKey           the record's own key: Kinesis partition key (the user record's key after KPL
 *                               de-aggregation) or the DynamoDB item's canonical primary key
 * @param shardId                the shard the record was read from
 * @param sourceArn              the stream ARN ({@code eventSourceARN})
 * @param sequenceNumber         the record's sequence number; for KPL sub-records, the outer record's
 * @param subSequenceNumber      the KPL sub-record index, or {@link #NO_SUB_SEQUENCE} for a plain record
 * @param approximateArrivalTime when the stream accepted the record (may be {@code null} if unknown)
 * @param eventId                Lambda's {@code eventID} ({@code shardId:sequenceNumber} for Kinesis)
 * @param orderingKey            the key Lambda keeps order by when a shard has several batches in flight
 *                               (ParallelizationFactor &gt; 1): the <b>outer</b> Kinesis record's partition key,
 *                               which for a KPL sub-record differs from {@code partitionKey}; equal to
 *                               {@code partitionKey} for plain Kinesis records and DynamoDB records. {@code null}
 *                               is taken as {@code partitionKey}
 * @param explicitHashKey        a KPL user record's explicit hash key (a decimal 128-bit number) as the aggregate
 *                               carries it, or {@code null} when it has none or the record is not a sub-record
 *                               (Lambda's Kinesis event does not carry a plain record's explicit hash key)
 * @param <T>                    payload type
 * @see <a href="https://docs.aws.amazon.com/lambda/latest/dg/with-kinesis-parallelization.html">Lambda:
 *      ParallelizationFactor keeps order per partition key</a>
 */
public record StreamRecord<T>(
        T payload,
        ByteBuffer data,
        String partitionKey,
        String shardId,
        String sourceArn,
        String sequenceNumber,
        long subSequenceNumber,
        Instant approximateArrivalTime,
        String eventId,
        String orderingKey,
        String explicitHashKey) {

    /** Marks a record that is not a KPL sub-record. */
    public static final long NO_SUB_SEQUENCE = -1;

    private static final ByteBuffer EMPTY = ByteBuffer.allocate(0).asReadOnlyBuffer();

    /**
     * @throws NullPointerException if {@code sequenceNumber} or {@code shardId} is null: the engine cannot
     *                              place such a record in a batch response
     */
    public StreamRecord {
        Objects.requireNonNull(sequenceNumber, "sequenceNumber");
        orderingKey = orderingKey == null ? partitionKey : orderingKey;
        Objects.requireNonNull(shardId, "shardId");
        data = data == null ? EMPTY : ownView(data);
        if (subSequenceNumber < NO_SUB_SEQUENCE) {
            throw new IllegalArgumentException("subSequenceNumber must be >= 0, or NO_SUB_SEQUENCE (-1), was "
                    + subSequenceNumber);
        }
    }

    /**
     * A record whose ordering key is its partition key and which has no explicit hash key: a plain Kinesis record
     * or a DynamoDB record. The signature every release before the ordering key had; kept so callers compile.
     *
     * @throws NullPointerException if {@code sequenceNumber} or {@code shardId} is null
     */
    public StreamRecord(T payload, ByteBuffer data, String partitionKey, String shardId, String sourceArn,
                        String sequenceNumber, long subSequenceNumber, Instant approximateArrivalTime,
                        String eventId) {
        this(payload, data, partitionKey, shardId, sourceArn, sequenceNumber, subSequenceNumber,
                approximateArrivalTime, eventId, partitionKey, null);
    }

    /**
     * The record's own read-only view: exactly the bytes between the given buffer's position and limit, at
     * index 0 to capacity. A buffer already in that shape (the adapters make one, and {@link #withPayload} passes
     * a fresh view of this record's) is kept as is: whoever else holds it may move its position and limit, but
     * {@link #data()} ignores both, so nothing can shrink what gets parked.
     */
    private static ByteBuffer ownView(ByteBuffer given) {
        if (given.isReadOnly() && given.position() == 0 && given.limit() == given.capacity()) {
            return given;
        }
        return given.asReadOnlyBuffer().slice();
    }

    /** A read-only view of the raw bytes, positioned at zero; independent of other calls. */
    @Override
    public ByteBuffer data() {
        // clear(): the whole view, whatever another holder of the same buffer object did to its position/limit.
        return data.duplicate().clear();
    }

    /** The raw bytes as a fresh array (a copy). */
    public byte[] dataBytes() {
        ByteBuffer copy = data();
        byte[] bytes = new byte[copy.remaining()];
        copy.get(bytes);
        return bytes;
    }

    /** Whether this is a user record unpacked from a KPL aggregate. */
    public boolean isSubRecord() {
        return subSequenceNumber != NO_SUB_SEQUENCE;
    }

    /**
     * The default dedup key: {@code sourceArn/shardId/sequenceNumber[/subSequenceNumber]}. Unique per stream
     * position, so it absorbs Lambda's redeliveries but not producer-side duplicates (those carry different
     * sequence numbers; derive the key from the payload for them, see {@link RecordProcessor#dedupKey}).
     */
    public String positionKey() {
        String base = (sourceArn == null ? "" : sourceArn) + "/" + shardId + "/" + sequenceNumber;
        return isSubRecord() ? base + "/" + subSequenceNumber : base;
    }

    /** A copy of this record carrying another payload (used when decoding). */
    public <U> StreamRecord<U> withPayload(U newPayload) {
        // The field itself while it is still in shape (the common case: no copy per record); else data(), since
        // another holder of the same buffer object (the raw payload, for adapters) may have moved its position
        // and limit, and the constructor would read a moved buffer as a shorter range.
        ByteBuffer view = data.position() == 0 && data.limit() == data.capacity() ? data : data();
        return new StreamRecord<>(newPayload, view, partitionKey, shardId, sourceArn, sequenceNumber,
                subSequenceNumber, approximateArrivalTime, eventId, orderingKey, explicitHashKey);
    }

    /** Short description for logs and error messages: shard, sequence number, sub-sequence. Never the payload. */
    public String describe() {
        return "shard " + shardId + ", sequence number " + sequenceNumber
                + (isSubRecord() ? ", sub-sequence " + subSequenceNumber : "");
    }

    @Override
    public String toString() {
        // Never print the payload: records can carry personal data and logs are widely readable.
        return "StreamRecord[" + describe() + ", partitionKey=" + partitionKey + ", bytes=" + data.capacity() + "]";
    }
}
