package io.shardwise.kinesis.internal;

import com.amazonaws.services.lambda.runtime.events.KinesisEvent;
import io.shardwise.core.StreamProcessingException;
import io.shardwise.core.StreamRecord;

import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns the records of a Lambda Kinesis event into the engine's {@link StreamRecord}s, unpacking KPL aggregates.
 *
 * <p>Each event record's fields map as: {@code kinesis.data} → data and raw payload, {@code kinesis.partitionKey}
 * → partition key, the part of {@code eventID} ({@code shardId:sequenceNumber}) before the colon → shard id,
 * {@code eventSourceARN} → source ARN, {@code kinesis.sequenceNumber} → sequence number,
 * {@code kinesis.approximateArrivalTimestamp} → arrival time, {@code eventID} → event id.
 *
 * <p>A KPL aggregate becomes one record per user record, each with its own partition key, explicit hash key (null
 * when the user record has none) and data, {@code subSequenceNumber} = its index, the outer sequence number (the
 * only one Lambda can checkpoint) and the outer partition key as {@link StreamRecord#orderingKey()} (the only key
 * Lambda keeps order by). A plain record's ordering key is its partition key and it has no explicit hash key
 * (Lambda's event does not carry one). An
 * aggregate that does not parse stays one record with {@link StreamRecord#NO_SUB_SEQUENCE}: {@link KplAwareDecoder}
 * then fails its decoding with the precise reason, so the engine parks it whole. Nothing is dropped here.
 *
 * @see <a href="https://docs.aws.amazon.com/lambda/latest/dg/with-kinesis.html">Lambda: Kinesis event shape</a>
 */
public final class KinesisRecords {

    private KinesisRecords() {
    }

    /**
     * Maps an event's records, in order.
     *
     * @param records         the event's {@code Records} (null or empty: no records)
     * @param deaggregate     whether to unpack KPL aggregates
     * @param expectedShardId the shard the event says it is for (tumbling-window events carry it), or null
     * @throws StreamProcessingException naming the record and field when the event is malformed (a null record or
     *                                   a missing field Lambda always sends, records of several shards): the batch
     *                                   cannot be reported on record by record, so it fails as a whole
     */
    public static List<StreamRecord<ByteBuffer>> toStreamRecords(List<KinesisEvent.KinesisEventRecord> records,
                                                                 boolean deaggregate, String expectedShardId) {
        if (records == null || records.isEmpty()) {
            return List.of();
        }
        List<StreamRecord<ByteBuffer>> out = new ArrayList<>(records.size());
        String shardOfBatch = expectedShardId;
        for (int i = 0; i < records.size(); i++) {
            KinesisEvent.KinesisEventRecord r = records.get(i);
            if (r == null) {
                throw malformed(where(i) + " is null");
            }
            KinesisEvent.Record k = r.getKinesis();
            if (k == null) {
                throw malformed(where(i) + ".kinesis is null (eventID " + r.getEventID() + ")");
            }
            String sequenceNumber = required(k.getSequenceNumber(), i, ".kinesis.sequenceNumber");
            String partitionKey = required(k.getPartitionKey(), i, ".kinesis.partitionKey");
            String eventId = required(r.getEventID(), i, ".eventID");
            String sourceArn = required(r.getEventSourceARN(), i, ".eventSourceARN");
            String shardId;
            if (shardOfBatch != null && !shardOfBatch.isEmpty() && isOfShard(eventId, shardOfBatch)) {
                shardId = shardOfBatch; // the common case: no substring per record
            } else {
                shardId = shardIdOf(eventId, where(i));
                if (shardOfBatch == null) {
                    shardOfBatch = shardId;
                } else {
                    throw malformed(where(i) + " is from shard " + shardId + " but the batch is for shard "
                            + shardOfBatch + ": Lambda delivers one shard per event, so the batch cannot be ordered");
                }
            }
            ByteBuffer data = k.getData();
            if (data == null) {
                throw malformed(where(i) + ".kinesis.data is null (sequence number " + sequenceNumber + ")");
            }
            // slice(): StreamRecord hands out views positioned at zero, so the bytes must start at index zero.
            ByteBuffer bytes = Buffers.readOnlySlice(data);
            Instant arrival = k.getApproximateArrivalTimestamp() == null ? null
                    : k.getApproximateArrivalTimestamp().toInstant();
            if (deaggregate && KplAggregate.looksAggregated(bytes)) {
                List<KplAggregate.UserRecord> users = tryParse(bytes);
                if (users != null) {
                    for (int sub = 0; sub < users.size(); sub++) {
                        KplAggregate.UserRecord u = users.get(sub);
                        // The outer key is what Lambda orders by under ParallelizationFactor > 1.
                        out.add(new StreamRecord<>(u.data(), u.data(), u.partitionKey(), shardId, sourceArn,
                                sequenceNumber, sub, arrival, eventId, partitionKey, u.explicitHashKey()));
                    }
                    continue;
                }
                // Corrupt: kept whole; its decoding fails (KplAwareDecoder) and the engine parks it.
            }
            out.add(new StreamRecord<>(bytes, bytes, partitionKey, shardId, sourceArn, sequenceNumber,
                    StreamRecord.NO_SUB_SEQUENCE, arrival, eventId));
        }
        return out;
    }

    /** The shard id: the part of {@code eventID} before the first colon. */
    static String shardIdOf(String eventId, String where) {
        int colon = eventId.indexOf(':');
        if (colon <= 0) {
            throw malformed(where + ".eventID is '" + eventId + "', expected 'shardId:sequenceNumber' "
                    + "(e.g. shardId-000000000000:4954...)");
        }
        return eventId.substring(0, colon);
    }

    private static List<KplAggregate.UserRecord> tryParse(ByteBuffer bytes) {
        try {
            return KplAggregate.parse(bytes);
        } catch (KplFormatException e) {
            return null;
        }
    }

    /** Whether {@code eventId} is {@code shardId + ":" + ...}. */
    private static boolean isOfShard(String eventId, String shardId) {
        return eventId.length() > shardId.length() && eventId.charAt(shardId.length()) == ':'
                && eventId.startsWith(shardId);
    }

    /** Where a record is in the event, for messages; built only when there is something to say. */
    private static String where(int index) {
        return "Records[" + index + "]";
    }

    private static String required(String value, int index, String field) {
        if (value == null || value.isEmpty()) {
            throw malformed(where(index) + field + " is " + (value == null ? "null" : "empty"));
        }
        return value;
    }

    private static StreamProcessingException malformed(String detail) {
        return new StreamProcessingException("Malformed Kinesis event: " + detail + ". Lambda never sends such an event; check what "
                + "built it. The whole batch fails, so nothing is skipped.");
    }
}
