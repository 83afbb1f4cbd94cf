package io.shardwise.testkit.dynamodb.internal;

import java.math.BigInteger;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.Identity;
import software.amazon.awssdk.services.dynamodb.model.OperationType;
import software.amazon.awssdk.services.dynamodb.model.Record;
import software.amazon.awssdk.services.dynamodb.model.StreamRecord;
import software.amazon.awssdk.services.dynamodb.model.StreamViewType;

/**
 * One table's DynamoDB stream: a single shard holding the table's change records in write order, kept for 24 hours
 * (older records are trimmed). Guarded by the owning table's lock for appends and by its own monitor for reads.
 *
 * @see <a href="https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Streams.html">Change data capture for
 *     DynamoDB Streams: records appear once per modification, in order per item, retained 24 hours; a write that
 *     does not change the item writes no record</a>
 */
final class StreamLog {

    static final Duration RETENTION = Duration.ofHours(24);

    /** What a TTL deletion carries as its {@code userIdentity}. */
    static final Identity TTL_IDENTITY =
            Identity.builder().type("Service").principalId("dynamodb.amazonaws.com").build();

    private final String arn;
    private final String label;
    private final String tableName;
    private final StreamViewType viewType;
    private final KeySchema keySchema;
    private final String shardId;
    private final Instant created;
    private final String region;
    private final SequenceNumbers sequences;
    private final Random eventIds;
    private final List<Stored> records = new ArrayList<>();
    private final BigInteger startingSequence;
    private BigInteger trimmedUpTo = BigInteger.ZERO;
    private BigInteger endingSequence;

    /** One record and its sequence number. */
    record Stored(BigInteger sequence, Instant created, Record record) {}

    StreamLog(
            String tableArn,
            String tableName,
            StreamViewType viewType,
            KeySchema keySchema,
            Instant created,
            String region,
            SequenceNumbers sequences,
            Random eventIds) {
        this.label = Labels.streamLabel(created);
        this.arn = tableArn + "/stream/" + label;
        this.tableName = tableName;
        this.viewType = viewType;
        this.keySchema = keySchema;
        this.created = created;
        this.region = region;
        this.sequences = sequences;
        this.eventIds = eventIds;
        this.startingSequence = sequences.peek();
        this.shardId = "shardId-" + String.format("%020d", created.toEpochMilli()) + "-"
                + HexFormat.of().toHexDigits(eventIds.nextInt());
    }

    String arn() {
        return arn;
    }

    String label() {
        return label;
    }

    String tableName() {
        return tableName;
    }

    StreamViewType viewType() {
        return viewType;
    }

    KeySchema keySchema() {
        return keySchema;
    }

    String shardId() {
        return shardId;
    }

    Instant created() {
        return created;
    }

    synchronized boolean enabled() {
        return endingSequence == null;
    }

    synchronized BigInteger startingSequence() {
        return startingSequence;
    }

    /** The shard's last sequence number once the stream is disabled (table deleted, stream turned off), else null. */
    synchronized BigInteger endingSequence() {
        return endingSequence;
    }

    /** Closes the shard: no more records; readers reach its end. */
    synchronized void disable() {
        if (endingSequence == null) {
            endingSequence = records.isEmpty() ? startingSequence : records.get(records.size() - 1).sequence();
        }
    }

    /**
     * Appends the record for one item change, or nothing when the item did not change. {@code oldItem} / {@code
     * newItem} are null for an insert / a delete.
     */
    synchronized void append(
            Map<String, AttributeValue> oldItem, Map<String, AttributeValue> newItem, Instant now, Identity identity) {
        if (endingSequence != null || (oldItem == null && newItem == null)) {
            return;
        }
        if (oldItem != null && oldItem.equals(newItem)) {
            return; // an unchanged item writes no stream record (see the class comment)
        }
        OperationType type = oldItem == null
                ? OperationType.INSERT
                : newItem == null ? OperationType.REMOVE : OperationType.MODIFY;
        Map<String, AttributeValue> keys = keySchema.keyAttributes(newItem != null ? newItem : oldItem);
        StreamRecord.Builder change = StreamRecord.builder()
                .approximateCreationDateTime(Instant.ofEpochSecond(now.getEpochSecond()))
                .keys(keys)
                .streamViewType(viewType);
        long size = Items.size(keys);
        boolean newImage = viewType == StreamViewType.NEW_IMAGE || viewType == StreamViewType.NEW_AND_OLD_IMAGES;
        boolean oldImage = viewType == StreamViewType.OLD_IMAGE || viewType == StreamViewType.NEW_AND_OLD_IMAGES;
        if (newImage && newItem != null) {
            change.newImage(newItem);
            size += Items.size(newItem);
        }
        if (oldImage && oldItem != null) {
            change.oldImage(oldItem);
            size += Items.size(oldItem);
        }
        BigInteger sequence = sequences.next();
        change.sequenceNumber(sequence.toString()).sizeBytes(size);
        byte[] id = new byte[16];
        eventIds.nextBytes(id);
        Record.Builder record = Record.builder()
                .eventID(HexFormat.of().formatHex(id))
                .eventName(type)
                .eventVersion("1.1")
                .eventSource("aws:dynamodb")
                .awsRegion(region)
                .dynamodb(change.build());
        if (identity != null) {
            record.userIdentity(identity);
        }
        records.add(new Stored(sequence, now, record.build()));
    }

    /** Drops records older than 24 hours at {@code now}. */
    synchronized void trim(Instant now) {
        Instant horizon = now.minus(RETENTION);
        int drop = 0;
        while (drop < records.size() && records.get(drop).created().isBefore(horizon)) {
            trimmedUpTo = records.get(drop).sequence();
            drop++;
        }
        if (drop > 0) {
            records.subList(0, drop).clear();
        }
    }

    /** The highest sequence number trimmed so far (0 if none). */
    synchronized BigInteger trimmedUpTo() {
        return trimmedUpTo;
    }

    /** The last record's sequence number, or one below the starting sequence when there is none. */
    synchronized BigInteger lastSequence() {
        if (!records.isEmpty()) {
            return records.get(records.size() - 1).sequence();
        }
        return trimmedUpTo.signum() > 0 ? trimmedUpTo : startingSequence.subtract(BigInteger.ONE);
    }

    /** Up to {@code limit} records with a sequence number above {@code after}, in order. */
    synchronized List<Stored> after(BigInteger after, int limit) {
        List<Stored> out = new ArrayList<>();
        for (Stored s : records) {
            if (s.sequence().compareTo(after) > 0) {
                out.add(s);
                if (out.size() == limit) {
                    break;
                }
            }
        }
        return out;
    }

    /** Whether a record with exactly this sequence number is (or was) in this shard. */
    synchronized boolean contains(BigInteger sequence) {
        if (sequence.compareTo(trimmedUpTo) <= 0 && sequence.compareTo(startingSequence) >= 0) {
            return true;
        }
        for (Stored s : records) {
            if (s.sequence().equals(sequence)) {
                return true;
            }
        }
        return false;
    }
}
