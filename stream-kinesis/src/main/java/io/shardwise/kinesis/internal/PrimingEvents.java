package io.shardwise.kinesis.internal;

import com.amazonaws.services.lambda.runtime.events.KinesisEvent;
import io.shardwise.core.Priming;
import io.shardwise.core.internal.priming.RuntimeSerialization;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Date;
import java.util.List;

/**
 * The synthetic Kinesis event the handlers prime with: records of shard {@value Priming#SHARD_ID}, read from
 * the JSON Lambda sends through the runtime's own deserializer when it is on the class path (so that it is loaded
 * too), built field by field otherwise.
 */
public final class PrimingEvents {
    /** The data of the synthetic record when the user gave no sample: an empty JSON object. */
    public static final byte[] DEFAULT_DATA = "{}".getBytes(StandardCharsets.UTF_8);

    /** Sequence numbers of the synthetic records, ascending. */
    private static final String SEQUENCE_PREFIX = "4959033827149025660855969253836157109592157598913658889";
    private static final String PARTITION_KEY = "shardwise-priming";
    private static final String STREAM_ARN = "arn:aws:kinesis:us-east-1:000000000000:stream/shardwise-priming";

    private PrimingEvents() {
    }

    /**
     * A Kinesis event of {@code count} records (1 to 9) of shard {@value Priming#SHARD_ID}, each with {@code data}.
     */
    public static KinesisEvent kinesisEvent(byte[] data, int count) {
        KinesisEvent fromRuntime = RuntimeSerialization.eventFromJson(KinesisEvent.class, json(data, count));
        return fromRuntime != null && fromRuntime.getRecords() != null ? fromRuntime : built(data, count);
    }

    /** The records as Lambda serializes them (see the Kinesis event example in the Lambda developer guide). */
    static String json(byte[] data, int count) {
        double arrival = System.currentTimeMillis() / 1000.0;
        StringBuilder json = new StringBuilder("{\"Records\":[");
        for (int i = 0; i < count; i++) {
            json.append(i == 0 ? "" : ",").append("{\"kinesis\":{\"kinesisSchemaVersion\":\"1.0\",")
                    .append("\"partitionKey\":\"").append(PARTITION_KEY).append("\",\"sequenceNumber\":\"")
                    .append(SEQUENCE_PREFIX).append(i).append("\",\"data\":\"")
                    .append(Base64.getEncoder().encodeToString(data)).append("\",\"approximateArrivalTimestamp\":")
                    .append(arrival).append("},\"eventSource\":\"aws:kinesis\",\"eventVersion\":\"1.0\",")
                    .append("\"eventID\":\"").append(Priming.SHARD_ID).append(':').append(SEQUENCE_PREFIX).append(i)
                    .append("\",\"eventName\":\"aws:kinesis:record\",\"invokeIdentityArn\":")
                    .append("\"arn:aws:iam::000000000000:role/shardwise-priming\",\"awsRegion\":\"us-east-1\",")
                    .append("\"eventSourceARN\":\"").append(STREAM_ARN).append("\"}");
        }
        return json.append("]}").toString();
    }

    /** The records of {@link #kinesisEvent}, for events (tumbling windows) whose records have the same shape. */
    public static List<KinesisEvent.KinesisEventRecord> records(byte[] data, int count) {
        return kinesisEvent(data, count).getRecords();
    }

    private static KinesisEvent built(byte[] data, int count) {
        List<KinesisEvent.KinesisEventRecord> records = new java.util.ArrayList<>();
        for (int i = 0; i < count; i++) {
            KinesisEvent.Record kinesis = new KinesisEvent.Record();
            kinesis.setKinesisSchemaVersion("1.0");
            kinesis.setPartitionKey(PARTITION_KEY);
            kinesis.setSequenceNumber(SEQUENCE_PREFIX + i);
            kinesis.setData(ByteBuffer.wrap(data.clone()));
            kinesis.setApproximateArrivalTimestamp(new Date());
            KinesisEvent.KinesisEventRecord record = new KinesisEvent.KinesisEventRecord();
            record.setKinesis(kinesis);
            record.setEventSource("aws:kinesis");
            record.setEventVersion("1.0");
            record.setEventID(Priming.SHARD_ID + ":" + SEQUENCE_PREFIX + i);
            record.setEventName("aws:kinesis:record");
            record.setAwsRegion("us-east-1");
            record.setEventSourceARN(STREAM_ARN);
            records.add(record);
        }
        KinesisEvent event = new KinesisEvent();
        event.setRecords(records);
        return event;
    }
}
