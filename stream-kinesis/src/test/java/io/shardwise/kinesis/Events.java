package io.shardwise.kinesis;

import com.amazonaws.services.lambda.runtime.events.KinesisEvent;
import com.amazonaws.services.lambda.runtime.events.KinesisTimeWindowEvent;
import com.amazonaws.services.lambda.runtime.events.models.TimeWindow;
import com.amazonaws.services.lambda.runtime.serialization.PojoSerializer;
import com.amazonaws.services.lambda.runtime.serialization.events.LambdaEventSerializers;
import com.amazonaws.services.lambda.runtime.serialization.factories.JacksonFactory;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;

/** Hand-made Kinesis events, and (de)serialization the way the Lambda Java runtime does it. */
final class Events {
    static final String SHARD = "shardId-000000000000";
    static final String ARN = "arn:aws:kinesis:us-east-1:123456789012:stream/orders";
    /** A realistic 56-digit sequence number prefix; records get {@code BASE_SEQ + index}. */
    static final java.math.BigInteger BASE_SEQ =
            new java.math.BigInteger("49590338271490256608559692538361571095921575989136588800");

    private Events() {
    }

    static String seq(int i) {
        return BASE_SEQ.add(java.math.BigInteger.valueOf(i)).toString();
    }

    static KinesisEvent.KinesisEventRecord record(int i, String partitionKey, byte[] data) {
        KinesisEvent.Record k = new KinesisEvent.Record();
        k.setKinesisSchemaVersion("1.0");
        k.setPartitionKey(partitionKey);
        k.setSequenceNumber(seq(i));
        k.setData(ByteBuffer.wrap(data));
        k.setApproximateArrivalTimestamp(new Date(1_545_084_650_987L + i));
        KinesisEvent.KinesisEventRecord r = new KinesisEvent.KinesisEventRecord();
        r.setKinesis(k);
        r.setEventSource("aws:kinesis");
        r.setEventVersion("1.0");
        r.setEventID(SHARD + ":" + seq(i));
        r.setEventName("aws:kinesis:record");
        r.setInvokeIdentityArn("arn:aws:iam::123456789012:role/lambda-role");
        r.setAwsRegion("us-east-1");
        r.setEventSourceARN(ARN);
        return r;
    }

    static KinesisEvent.KinesisEventRecord record(int i, String partitionKey, String data) {
        return record(i, partitionKey, data.getBytes(StandardCharsets.UTF_8));
    }

    static KinesisEvent event(List<KinesisEvent.KinesisEventRecord> records) {
        KinesisEvent e = new KinesisEvent();
        e.setRecords(new ArrayList<>(records));
        return e;
    }

    static KinesisTimeWindowEvent windowEvent(List<KinesisEvent.KinesisEventRecord> records, Map<String, String> state,
                                              boolean finalInvoke) {
        KinesisTimeWindowEvent e = new KinesisTimeWindowEvent();
        e.setRecords(new ArrayList<>(records));
        e.setWindow(new TimeWindow("2020-12-09T07:04:00Z", "2020-12-09T07:06:00Z"));
        e.setState(state);
        e.setShardId(SHARD);
        e.setEventSourceArn(ARN);
        e.setIsFinalInvokeForWindow(finalInvoke);
        e.setIsWindowTerminatedEarly(false);
        return e;
    }

    /** Deserializes an event JSON as the Lambda Java runtime does (aws-lambda-java-serialization). */
    static <E> E fromJson(String json, Class<E> type) {
        PojoSerializer<E> s = LambdaEventSerializers.serializerFor(type, Events.class.getClassLoader());
        return s.fromJson(json);
    }

    /** Serializes a response as the Lambda Java runtime does for a POJO (Jackson, nulls left out). */
    static <R> String toJson(R response, Class<R> type) {
        PojoSerializer<R> s = JacksonFactory.getInstance().getSerializer(type);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        s.toJson(response, out);
        return out.toString(StandardCharsets.UTF_8);
    }

    static String resource(String path) {
        try (InputStream in = Events.class.getClassLoader().getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalArgumentException("no test resource " + path);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
