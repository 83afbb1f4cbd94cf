package io.shardwise.ddb.internal;

import com.amazonaws.services.lambda.runtime.events.DynamodbEvent;
import com.amazonaws.services.lambda.runtime.events.models.dynamodb.StreamRecord;
import io.shardwise.core.internal.priming.RuntimeSerialization;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.enhanced.dynamodb.TableSchema;
import software.amazon.awssdk.enhanced.dynamodb.AttributeValueType;
import software.amazon.awssdk.enhanced.dynamodb.KeyAttributeMetadata;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The synthetic DynamoDB Streams event the handler primes with: one {@code INSERT} of table
 * {@value #TABLE}, its {@code NewImage} either the user's sample item or just a key of the table schema's key
 * attributes; read from the JSON Lambda sends through the runtime's own deserializer when it is on the class path
 * (so that it is loaded too), built field by field otherwise.
 */
public final class PrimingEvents {
    /** The table the synthetic record's {@code eventSourceARN} names. */
    public static final String TABLE = "shardwise-priming";

    /** Sequence numbers of the synthetic records, ascending; event ids are {@code shardwise-priming-<i>}. */
    private static final String SEQUENCE_PREFIX = "11110000000000000000000";
    private static final String STREAM_ARN =
            "arn:aws:dynamodb:us-east-1:000000000000:table/" + TABLE + "/stream/2026-01-01T00:00:00.000";

    private PrimingEvents() {
    }

    /**
     * An event of {@code count} records (1 to 9), each inserting {@code sample} (or, when null, an item holding only
     * made-up key values).
     */
    public static <T> DynamodbEvent insertEvent(TableSchema<T> schema, T sample, int count) {
        Map<String, AttributeValue> image = sample != null ? schema.itemToMap(sample, true) : syntheticKey(schema);
        Map<String, AttributeValue> keys = new LinkedHashMap<>();
        for (String name : schema.tableMetadata().primaryKeys()) {
            if (image.containsKey(name)) {
                keys.put(name, image.get(name));
            }
        }
        DynamodbEvent fromRuntime = RuntimeSerialization.eventFromJson(DynamodbEvent.class,
                json(keys, image, count));
        return fromRuntime != null && fromRuntime.getRecords() != null ? fromRuntime : built(keys, image, count);
    }

    private static Map<String, AttributeValue> syntheticKey(TableSchema<?> schema) {
        Map<String, AttributeValue> key = new LinkedHashMap<>();
        for (String name : schema.tableMetadata().primaryKeys()) {
            AttributeValueType type = schema.tableMetadata().keyAttributes().stream()
                    .filter(k -> k.name().equals(name)).map(KeyAttributeMetadata::attributeValueType)
                    .findFirst().orElse(AttributeValueType.S);
            key.put(name, switch (type) {
                case N -> AttributeValue.fromN("0");
                case B -> AttributeValue.fromB(SdkBytes.fromUtf8String(TABLE));
                default -> AttributeValue.fromS(TABLE);
            });
        }
        return key;
    }

    /** As Lambda serializes it (see the DynamoDB Streams event example in the Lambda developer guide). */
    static String json(Map<String, AttributeValue> keys, Map<String, AttributeValue> image, int count) {
        StringBuilder json = new StringBuilder("{\"Records\":[");
        for (int i = 0; i < count; i++) {
            json.append(i == 0 ? "" : ",").append("{\"eventID\":\"shardwise-priming-").append(i)
                    .append("\",\"eventName\":\"INSERT\",\"eventVersion\":\"1.1\",\"eventSource\":\"aws:dynamodb\",")
                    .append("\"awsRegion\":\"us-east-1\",\"dynamodb\":{\"ApproximateCreationDateTime\":")
                    .append(System.currentTimeMillis() / 1000)
                    .append(",\"Keys\":").append(AttributeValues.canonicalKey(keys))
                    .append(",\"NewImage\":").append(AttributeValues.canonicalKey(image))
                    .append(",\"SequenceNumber\":\"").append(SEQUENCE_PREFIX).append(i).append("\",\"SizeBytes\":64,")
                    .append("\"StreamViewType\":\"NEW_AND_OLD_IMAGES\"},\"eventSourceARN\":\"").append(STREAM_ARN)
                    .append("\"}");
        }
        return json.append("]}").toString();
    }

    private static DynamodbEvent built(Map<String, AttributeValue> keys, Map<String, AttributeValue> image,
                                       int count) {
        List<DynamodbEvent.DynamodbStreamRecord> records = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            records.add(builtRecord(keys, image, i));
        }
        DynamodbEvent event = new DynamodbEvent();
        event.setRecords(records);
        return event;
    }

    private static DynamodbEvent.DynamodbStreamRecord builtRecord(Map<String, AttributeValue> keys,
                                                                  Map<String, AttributeValue> image, int i) {
        StreamRecord change = new StreamRecord();
        change.setApproximateCreationDateTime(new Date());
        change.setKeys(toEvents(keys));
        change.setNewImage(toEvents(image));
        change.setSequenceNumber(SEQUENCE_PREFIX + i);
        change.setSizeBytes(64L);
        change.setStreamViewType(
                com.amazonaws.services.lambda.runtime.events.models.dynamodb.StreamViewType.NEW_AND_OLD_IMAGES);
        DynamodbEvent.DynamodbStreamRecord record = new DynamodbEvent.DynamodbStreamRecord();
        record.setEventID("shardwise-priming-" + i);
        record.setEventName("INSERT");
        record.setEventVersion("1.1");
        record.setEventSource("aws:dynamodb");
        record.setAwsRegion("us-east-1");
        record.setEventSourceARN(STREAM_ARN);
        record.setDynamodb(change);
        return record;
    }

    private static Map<String, com.amazonaws.services.lambda.runtime.events.models.dynamodb.AttributeValue> toEvents(
            Map<String, AttributeValue> map) {
        Map<String, com.amazonaws.services.lambda.runtime.events.models.dynamodb.AttributeValue> out =
                new LinkedHashMap<>();
        map.forEach((name, value) -> out.put(name, toEvents(value)));
        return out;
    }

    private static com.amazonaws.services.lambda.runtime.events.models.dynamodb.AttributeValue toEvents(
            AttributeValue v) {
        var out = new com.amazonaws.services.lambda.runtime.events.models.dynamodb.AttributeValue();
        switch (v.type()) {
            case S -> out.setS(v.s());
            case N -> out.setN(v.n());
            case B -> out.setB(ByteBuffer.wrap(v.b().asByteArray()));
            case BOOL -> out.setBOOL(v.bool());
            case NUL -> out.setNULL(true);
            case SS -> out.setSS(v.ss());
            case NS -> out.setNS(v.ns());
            case BS -> out.setBS(v.bs().stream().map(b -> ByteBuffer.wrap(b.asByteArray())).toList());
            case L -> {
                List<com.amazonaws.services.lambda.runtime.events.models.dynamodb.AttributeValue> l =
                        new ArrayList<>();
                v.l().forEach(e -> l.add(toEvents(e)));
                out.setL(l);
            }
            case M -> out.setM(toEvents(v.m()));
            default -> out.setNULL(true);
        }
        return out;
    }
}
