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
 * The synthetic Kinesis event the handlers prime with: one record of shard {@value Priming#SHARD_ID}, read from
 * the JSON Lambda sends through the runtime's own deserializer when it is on the class path (so that it is loaded
 * too), built field by field otherwise.
 */
public final class PrimingEvents {
    /** The data of the synthetic record when the user gave no sample: an empty JSON object. */
    public static final byte[] DEFAULT_DATA = "{}".getBytes(StandardCharsets.UTF_8);

    private static final String SEQUENCE_NUMBER = "49590338271490256608559692538361571095921575989136588898";
    private static final String PARTITION_KEY = "shardwise-priming";
    private static final String EVENT_ID = Priming.SHARD_ID + ":" + SEQUENCE_NUMBER;
    private static final String STREAM_ARN = "arn:aws:kinesis:us-east-1:000000000000:stream/shardwise-priming";

    private PrimingEvents() {
    }

    /** A one-record Kinesis event whose record's data is {@code data}. */
    public static KinesisEvent kinesisEvent(byte[] data) {
        KinesisEvent fromRuntime = RuntimeSerialization.eventFromJson(KinesisEvent.class, json(data));
        return fromRuntime != null && fromRuntime.getRecords() != null ? fromRuntime : built(data);
    }

    /** The record as Lambda serializes it (see the Kinesis event example in the Lambda developer guide). */
    static String json(byte[] data) {
        double arrival = System.currentTimeMillis() / 1000.0;
        return "{\"Records\":[{\"kinesis\":{\"kinesisSchemaVersion\":\"1.0\",\"partitionKey\":\"" + PARTITION_KEY
                + "\",\"sequenceNumber\":\"" + SEQUENCE_NUMBER + "\",\"data\":\""
                + Base64.getEncoder().encodeToString(data) + "\",\"approximateArrivalTimestamp\":" + arrival
                + "},\"eventSource\":\"aws:kinesis\",\"eventVersion\":\"1.0\",\"eventID\":\"" + EVENT_ID
                + "\",\"eventName\":\"aws:kinesis:record\",\"invokeIdentityArn\":"
                + "\"arn:aws:iam::000000000000:role/shardwise-priming\",\"awsRegion\":\"us-east-1\","
                + "\"eventSourceARN\":\"" + STREAM_ARN + "\"}]}";
    }

    /** The records of {@link #kinesisEvent}, for events (tumbling windows) whose records have the same shape. */
    public static List<KinesisEvent.KinesisEventRecord> records(byte[] data) {
        return kinesisEvent(data).getRecords();
    }

    private static KinesisEvent built(byte[] data) {
        KinesisEvent.Record kinesis = new KinesisEvent.Record();
        kinesis.setKinesisSchemaVersion("1.0");
        kinesis.setPartitionKey(PARTITION_KEY);
        kinesis.setSequenceNumber(SEQUENCE_NUMBER);
        kinesis.setData(ByteBuffer.wrap(data.clone()));
        kinesis.setApproximateArrivalTimestamp(new Date());
        KinesisEvent.KinesisEventRecord record = new KinesisEvent.KinesisEventRecord();
        record.setKinesis(kinesis);
        record.setEventSource("aws:kinesis");
        record.setEventVersion("1.0");
        record.setEventID(EVENT_ID);
        record.setEventName("aws:kinesis:record");
        record.setAwsRegion("us-east-1");
        record.setEventSourceARN(STREAM_ARN);
        KinesisEvent event = new KinesisEvent();
        event.setRecords(List.of(record));
        return event;
    }
}
