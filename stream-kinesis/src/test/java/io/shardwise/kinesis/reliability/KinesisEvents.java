package io.shardwise.kinesis.reliability;

import com.amazonaws.services.lambda.runtime.events.KinesisEvent;
import com.amazonaws.services.lambda.runtime.serialization.PojoSerializer;
import com.amazonaws.services.lambda.runtime.serialization.events.LambdaEventSerializers;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.math.BigDecimal;
import java.util.Base64;
import java.util.List;

/** Kinesis events as Lambda's JSON, read with the Java runtime's own serializer. */
final class KinesisEvents {
    static final String ARN = "arn:aws:kinesis:us-east-1:123456789012:stream/reliability";

    private static final PojoSerializer<KinesisEvent> SERIALIZER =
            LambdaEventSerializers.serializerFor(KinesisEvent.class, KinesisEvents.class.getClassLoader());

    /** One record: shard, sequence number, partition key, data. */
    record Rec(String shardId, String sequenceNumber, String partitionKey, byte[] data) {
    }

    private KinesisEvents() {
    }

    static String json(List<Rec> records) {
        ObjectNode event = Scenario.JSON.createObjectNode();
        ArrayNode array = event.putArray("Records");
        for (Rec r : records) {
            ObjectNode node = array.addObject();
            ObjectNode k = node.putObject("kinesis");
            k.put("kinesisSchemaVersion", "1.0");
            k.put("partitionKey", r.partitionKey());
            k.put("sequenceNumber", r.sequenceNumber());
            k.put("data", Base64.getEncoder().encodeToString(r.data()));
            k.put("approximateArrivalTimestamp", BigDecimal.valueOf(1_700_000_000_000L, 3));
            node.put("eventSource", "aws:kinesis");
            node.put("eventVersion", "1.0");
            node.put("eventID", r.shardId() + ":" + r.sequenceNumber());
            node.put("eventName", "aws:kinesis:record");
            node.put("invokeIdentityArn", "arn:aws:iam::123456789012:role/reliability");
            node.put("awsRegion", "us-east-1");
            node.put("eventSourceARN", ARN);
        }
        return event.toString();
    }

    static KinesisEvent event(List<Rec> records) {
        return read(json(records));
    }

    /** Deserializes event JSON as the Lambda Java runtime does. */
    static KinesisEvent read(String json) {
        return SERIALIZER.fromJson(json);
    }
}
