package io.shardwise.ddb.internal;

import com.amazonaws.services.lambda.runtime.events.DynamodbEvent;
import com.amazonaws.services.lambda.runtime.events.models.dynamodb.Identity;
import io.shardwise.core.StreamProcessingException;
import io.shardwise.core.StreamRecord;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Lambda DynamoDB Streams records as the engine's {@link StreamRecord}s, and back out as {@link RawChange}s for
 * decoding.
 *
 * <h2>Shard id</h2>
 * Lambda's DynamoDB event names no shard (unlike Kinesis, whose {@code eventID} is {@code shardId:sequence}).
 * Each invocation holds records of one shard, but which one is not said. The engine needs a non-null shard id
 * for log lines, parked records and the position key, so it gets {@link #shardIdFor(String)}: the stream's label
 * ({@code stream/2024-01-01T00:00:00.000} from the {@code eventSourceARN}). That is stable and unique per stream,
 * not per shard; nothing here relies on more: the dedup key is the globally unique {@code eventID}, the ordering
 * key is the item key, and shard-scoped watermarks are refused (see {@code DynamoDbStreamHandler}).
 */
public final class LambdaRecords {

    /** Used when the event has no parseable {@code eventSourceARN} (hand-made events). */
    public static final String UNKNOWN_SHARD = "stream/unknown";

    private LambdaRecords() {
    }

    /**
     * The engine records for an event, in event order.
     *
     * @throws StreamProcessingException if a record has no {@code dynamodb.SequenceNumber} (it cannot be named in a
     *                                   batch response), or the records come from different streams: no safe
     *                                   per-record answer exists
     */
    public static List<StreamRecord<DynamodbEvent.DynamodbStreamRecord>> toStreamRecords(DynamodbEvent event) {
        List<DynamodbEvent.DynamodbStreamRecord> records = event == null || event.getRecords() == null
                ? List.of() : event.getRecords();
        List<StreamRecord<DynamodbEvent.DynamodbStreamRecord>> out = new ArrayList<>(records.size());
        for (int i = 0; i < records.size(); i++) {
            StreamRecord<DynamodbEvent.DynamodbStreamRecord> record = toStreamRecord(records.get(i), i);
            // Lambda sends one stream's shard per event; the response's sequence numbers mean nothing across
            // streams, so a mixed event has no safe per-record answer (as in the Kinesis adapter).
            if (!out.isEmpty() && !java.util.Objects.equals(out.get(0).sourceArn(), record.sourceArn())) {
                throw new StreamProcessingException("Records #0 and #" + i + " of the DynamoDB event come from "
                        + "different streams (" + out.get(0).sourceArn() + ", " + record.sourceArn() + "): Lambda "
                        + "sends one stream's shard per event, so this event was not built by an event source "
                        + "mapping. Send each stream's records in an event of its own.");
            }
            out.add(record);
        }
        return out;
    }

    static StreamRecord<DynamodbEvent.DynamodbStreamRecord> toStreamRecord(DynamodbEvent.DynamodbStreamRecord r,
                                                                          int index) {
        if (r == null || r.getDynamodb() == null || r.getDynamodb().getSequenceNumber() == null
                || r.getDynamodb().getSequenceNumber().isBlank()) {
            throw new StreamProcessingException("Record #" + index + " of the DynamoDB event has no "
                    + "dynamodb.SequenceNumber" + (r == null ? "" : " (eventID " + r.getEventID() + ")") + ", so it "
                    + "cannot be reported in a partial batch response. Lambda always sends one: check that the "
                    + "event really comes from a DynamoDB Streams event source mapping.");
        }
        String sequenceNumber = r.getDynamodb().getSequenceNumber();
        Instant created = r.getDynamodb().getApproximateCreationDateTime() == null ? null
                : r.getDynamodb().getApproximateCreationDateTime().toInstant();
        return new StreamRecord<>(r, ByteBuffer.wrap(json(r)), partitionKey(r, sequenceNumber),
                shardIdFor(r.getEventSourceARN()), r.getEventSourceARN(), sequenceNumber,
                StreamRecord.NO_SUB_SEQUENCE, created, r.getEventID());
    }

    /** The decoder's input: the record's fields, unvalidated. */
    public static RawChange rawChange(StreamRecord<DynamodbEvent.DynamodbStreamRecord> record) {
        DynamodbEvent.DynamodbStreamRecord r = record.payload();
        var d = r.getDynamodb();
        Identity id = r.getUserIdentity();
        return new RawChange(r.getEventName(), r.getEventID(), tableName(r.getEventSourceARN()), r.getAwsRegion(),
                d.getKeys(), d.getNewImage(), d.getOldImage(), d.getStreamViewType(),
                record.approximateArrivalTime(), record.sequenceNumber(), d.getSizeBytes(),
                id == null ? null : id.getType(), id == null ? null : id.getPrincipalId());
    }

    // A record whose keys cannot be read still needs an ordering key: it gets one of its own (it fails to decode,
    // non-retryably, so it never holds up an item's other changes for long). Keys beyond DynamoDB's limits are not
    // read at all: normalising a huge number costs minutes or all memory (ImageLimits).
    private static String partitionKey(DynamodbEvent.DynamodbStreamRecord r, String sequenceNumber) {
        try {
            if (r.getDynamodb().getKeys() != null && !r.getDynamodb().getKeys().isEmpty()
                    && ImageLimits.violation(r.getDynamodb().getKeys(), "Keys") == null) {
                return AttributeValues.canonicalKey(AttributeValues.toSdkV2(r.getDynamodb().getKeys(), "Keys"));
            }
        } catch (RuntimeException e) {
            // falls through: the decoder reports the problem with the record
        }
        return "unreadable-keys/" + sequenceNumber;
    }

    private static byte[] json(DynamodbEvent.DynamodbStreamRecord r) {
        try {
            return DynamoDbJson.lambdaRecordJson(r);
        } catch (RuntimeException | StackOverflowError e) {
            // Never lose the record: the event model's own rendering still holds every field. (A stack overflow
            // needs images nested thousands deep, which no Lambda runtime deserializes: a hand-made event.)
            try {
                return r.toString().getBytes(StandardCharsets.UTF_8);
            } catch (RuntimeException | StackOverflowError again) {
                throw new StreamProcessingException("Record " + r.getEventID() + " of the DynamoDB event cannot be "
                        + "written out (its images are nested too deep to render); the batch fails so that it is "
                        + "not lost. No DynamoDB stream delivers such a record: check what built the event.", again);
            }
        }
    }

    /**
     * {@code stream/<label>} from {@code arn:aws:dynamodb:<region>:<account>:table/<table>/stream/<label>}, or
     * {@link #UNKNOWN_SHARD}.
     */
    public static String shardIdFor(String streamArn) {
        if (streamArn != null) {
            int at = streamArn.indexOf("/stream/");
            if (at >= 0 && at + 8 < streamArn.length()) {
                return streamArn.substring(at + 1);
            }
        }
        return UNKNOWN_SHARD;
    }

    /** The table name from a DynamoDB stream (or table) ARN, or null. */
    public static String tableName(String arn) {
        if (arn == null) {
            return null;
        }
        int at = arn.indexOf(":table/");
        if (at < 0) {
            return null;
        }
        int start = at + 7;
        int end = arn.indexOf('/', start);
        return end < 0 ? arn.substring(start) : arn.substring(start, end);
    }
}
