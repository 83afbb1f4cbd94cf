package io.shardwise.ddb;

import com.amazonaws.services.lambda.runtime.events.DynamodbEvent;
import com.amazonaws.services.lambda.runtime.serialization.PojoSerializer;
import com.amazonaws.services.lambda.runtime.serialization.events.LambdaEventSerializers;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.Record;
import software.amazon.awssdk.services.dynamodb.model.StreamRecord;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * What Lambda's event source mapping does with DynamoDB Streams {@code GetRecords} output: one shard's records
 * become the JSON of a {@code DynamodbEvent} (Lambda's field names, {@code eventSourceARN} added,
 * {@code ApproximateCreationDateTime} in epoch seconds), which the Java runtime's own deserializer then reads.
 * Test-only stand-in until the testkit's event-source-mapping runner exists.
 */
final class StreamsToLambdaEvent {
    private static final ObjectMapper JSON = new ObjectMapper();

    private StreamsToLambdaEvent() {
    }

    static DynamodbEvent toEvent(List<Record> records, String streamArn) throws Exception {
        return deserialize(toJson(records, streamArn));
    }

    static String toJson(List<Record> records, String streamArn) {
        ObjectNode root = JSON.createObjectNode();
        ArrayNode array = root.putArray("Records");
        for (Record r : records) {
            ObjectNode o = array.addObject();
            o.put("eventID", r.eventID());
            o.put("eventName", r.eventNameAsString());
            o.put("eventVersion", r.eventVersion());
            o.put("eventSource", r.eventSource());
            o.put("awsRegion", r.awsRegion());
            StreamRecord d = r.dynamodb();
            ObjectNode dynamodb = o.putObject("dynamodb");
            if (d.approximateCreationDateTime() != null) {
                dynamodb.put("ApproximateCreationDateTime", d.approximateCreationDateTime().getEpochSecond());
            }
            if (d.hasKeys()) {
                dynamodb.set("Keys", attributes(d.keys()));
            }
            if (d.hasNewImage()) {
                dynamodb.set("NewImage", attributes(d.newImage()));
            }
            if (d.hasOldImage()) {
                dynamodb.set("OldImage", attributes(d.oldImage()));
            }
            dynamodb.put("SequenceNumber", d.sequenceNumber());
            if (d.sizeBytes() != null) {
                dynamodb.put("SizeBytes", d.sizeBytes());
            }
            dynamodb.put("StreamViewType", d.streamViewTypeAsString());
            o.put("eventSourceARN", streamArn);
            if (r.userIdentity() != null) {
                ObjectNode id = o.putObject("userIdentity");
                id.put("type", r.userIdentity().type());
                id.put("principalId", r.userIdentity().principalId());
            }
        }
        return root.toString();
    }

    static DynamodbEvent deserialize(String json) {
        PojoSerializer<DynamodbEvent> runtime =
                LambdaEventSerializers.serializerFor(DynamodbEvent.class, StreamsToLambdaEvent.class.getClassLoader());
        return runtime.fromJson(new ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8)));
    }

    private static ObjectNode attributes(Map<String, AttributeValue> map) {
        ObjectNode o = JSON.createObjectNode();
        map.forEach((k, v) -> o.set(k, value(v)));
        return o;
    }

    private static ObjectNode value(AttributeValue v) {
        ObjectNode o = JSON.createObjectNode();
        switch (v.type()) {
            case S -> o.put("S", v.s());
            case N -> o.put("N", v.n());
            case B -> o.put("B", base64(v.b()));
            case BOOL -> o.put("BOOL", v.bool());
            case NUL -> o.put("NULL", true);
            case SS -> v.ss().forEach(o.putArray("SS")::add);
            case NS -> v.ns().forEach(o.putArray("NS")::add);
            case BS -> {
                ArrayNode bs = o.putArray("BS");
                v.bs().forEach(b -> bs.add(base64(b)));
            }
            case L -> {
                ArrayNode l = o.putArray("L");
                v.l().forEach(item -> l.add(value(item)));
            }
            case M -> o.set("M", attributes(v.m()));
            default -> throw new IllegalArgumentException("unknown attribute type " + v);
        }
        return o;
    }

    private static String base64(SdkBytes bytes) {
        return Base64.getEncoder().encodeToString(bytes.asByteArray());
    }
}
