package io.shardwise.testkit.esm.internal;

import com.amazonaws.services.lambda.runtime.serialization.PojoSerializer;
import com.amazonaws.services.lambda.runtime.serialization.events.LambdaEventSerializers;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.shardwise.testkit.esm.DynamoDbStreamRecord;
import io.shardwise.testkit.esm.KinesisStreamRecord;
import io.shardwise.testkit.esm.SourceRecord;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * Lambda's stream events as JSON, with the field names and value formats Lambda sends, and their
 * deserialization through {@code aws-lambda-java-serialization} exactly as the Java runtime does it.
 *
 * <p>Kinesis records: {@code kinesis.{kinesisSchemaVersion, partitionKey, sequenceNumber, data (base64),
 * approximateArrivalTimestamp (epoch seconds, millisecond fraction)}}, {@code eventSource aws:kinesis},
 * {@code eventVersion 1.0}, {@code eventID shardId:sequenceNumber}, {@code eventName aws:kinesis:record},
 * {@code invokeIdentityArn}, {@code awsRegion}, {@code eventSourceARN}. DynamoDB records: {@code eventID,
 * eventName, eventVersion, eventSource aws:dynamodb, awsRegion, dynamodb.{ApproximateCreationDateTime (epoch
 * seconds), Keys, NewImage, OldImage, SequenceNumber, SizeBytes, StreamViewType}, eventSourceARN}, and
 * {@code userIdentity} when the change has one.
 *
 * @see <a href="https://docs.aws.amazon.com/lambda/latest/dg/with-kinesis.html">Kinesis event</a>
 * @see <a href="https://docs.aws.amazon.com/lambda/latest/dg/with-ddb.html">DynamoDB event</a>
 * @see <a href="https://docs.aws.amazon.com/lambda/latest/dg/services-kinesis-windows.html">Tumbling windows</a>
 */
public final class LambdaEventJson {

    /** Plain Jackson for writing; reading goes through the runtime's serializers. */
    public static final ObjectMapper MAPPER = new ObjectMapper();

    private static final Map<Class<?>, Map<ClassLoader, PojoSerializer<?>>> SERIALIZERS = new ConcurrentHashMap<>();

    private LambdaEventJson() {}

    /**
     * Where the records of an event come from.
     *
     * @param shardId the shard
     * @param streamArn the stream's ARN ({@code eventSourceARN})
     * @param region {@code awsRegion}
     * @param invokeIdentityArn the Kinesis records' {@code invokeIdentityArn}
     */
    public record Origin(String shardId, String streamArn, String region, String invokeIdentityArn) {}

    /**
     * The tumbling-window fields of an event.
     *
     * @param start the window's start
     * @param end the window's end
     * @param state the state returned by the previous invocation of the window (empty at first)
     * @param finalInvoke {@code isFinalInvokeForWindow}
     * @param terminatedEarly {@code isWindowTerminatedEarly}
     */
    public record WindowFields(
            Instant start, Instant end, Map<String, String> state, boolean finalInvoke, boolean terminatedEarly) {}

    /** The event JSON for {@code records} (all of one kind), with the window fields when {@code window} is set. */
    public static String event(List<? extends SourceRecord> records, Origin origin, WindowFields window) {
        ObjectNode event = MAPPER.createObjectNode();
        ArrayNode array = event.putArray("Records");
        for (SourceRecord record : records) {
            array.add(
                    record instanceof KinesisStreamRecord k
                            ? kinesisRecord(k, origin)
                            : dynamoDbRecord((DynamoDbStreamRecord) record, origin));
        }
        if (window != null) {
            ObjectNode w = event.putObject("window");
            w.put("start", window.start().truncatedTo(ChronoUnit.SECONDS).toString());
            w.put("end", window.end().truncatedTo(ChronoUnit.SECONDS).toString());
            ObjectNode state = event.putObject("state");
            window.state().forEach(state::put);
            event.put("shardId", origin.shardId());
            event.put("eventSourceARN", origin.streamArn());
            event.put("isFinalInvokeForWindow", window.finalInvoke());
            event.put("isWindowTerminatedEarly", window.terminatedEarly());
        }
        return write(event);
    }

    /** One Kinesis record of a {@code KinesisEvent}. */
    public static ObjectNode kinesisRecord(KinesisStreamRecord record, Origin origin) {
        ObjectNode node = MAPPER.createObjectNode();
        ObjectNode kinesis = node.putObject("kinesis");
        kinesis.put("kinesisSchemaVersion", "1.0");
        kinesis.put("partitionKey", record.partitionKey());
        kinesis.put("sequenceNumber", record.sequenceNumber());
        kinesis.put("data", Base64.getEncoder().encodeToString(record.data().asByteArrayUnsafe()));
        kinesis.put("approximateArrivalTimestamp", epochSecondsWithMillis(record.approximateArrivalTimestamp()));
        node.put("eventSource", "aws:kinesis");
        node.put("eventVersion", "1.0");
        node.put("eventID", origin.shardId() + ":" + record.sequenceNumber());
        node.put("eventName", "aws:kinesis:record");
        node.put("invokeIdentityArn", origin.invokeIdentityArn());
        node.put("awsRegion", origin.region());
        node.put("eventSourceARN", origin.streamArn());
        return node;
    }

    /** One record of a {@code DynamodbEvent}. */
    public static ObjectNode dynamoDbRecord(DynamoDbStreamRecord record, Origin origin) {
        ObjectNode node = MAPPER.createObjectNode();
        node.put("eventID", record.eventId());
        node.put("eventName", record.eventName());
        node.put("eventVersion", record.eventVersion());
        node.put("eventSource", "aws:dynamodb");
        node.put("awsRegion", origin.region());
        ObjectNode ddb = node.putObject("dynamodb");
        ddb.put("ApproximateCreationDateTime", record.approximateCreationDateTime().getEpochSecond());
        ddb.set("Keys", item(record.keys()));
        if (record.newImage() != null) {
            ddb.set("NewImage", item(record.newImage()));
        }
        if (record.oldImage() != null) {
            ddb.set("OldImage", item(record.oldImage()));
        }
        ddb.put("SequenceNumber", record.sequenceNumber());
        ddb.put("SizeBytes", record.sizeBytes());
        ddb.put("StreamViewType", record.streamViewType());
        if (record.userIdentity() != null) {
            ObjectNode identity = node.putObject("userIdentity");
            identity.put("type", record.userIdentity().type());
            identity.put("principalId", record.userIdentity().principalId());
        }
        node.put("eventSourceARN", origin.streamArn());
        return node;
    }

    /** An item in DynamoDB's JSON ({@code {"name":{"S":"…"}}}). */
    public static ObjectNode item(Map<String, AttributeValue> item) {
        ObjectNode node = MAPPER.createObjectNode();
        item.forEach((name, value) -> node.set(name, attributeValue(value)));
        return node;
    }

    private static ObjectNode attributeValue(AttributeValue value) {
        ObjectNode node = MAPPER.createObjectNode();
        switch (value.type()) {
            case S -> node.put("S", value.s());
            case N -> node.put("N", value.n());
            case B -> node.put("B", base64(value.b()));
            case SS -> value.ss().forEach(node.putArray("SS")::add);
            case NS -> value.ns().forEach(node.putArray("NS")::add);
            case BS -> value.bs().forEach(b -> node.withArray("BS").add(base64(b)));
            case M -> node.set("M", item(value.m()));
            case L -> {
                ArrayNode list = node.putArray("L");
                value.l().forEach(v -> list.add(attributeValue(v)));
            }
            case BOOL -> node.put("BOOL", value.bool());
            case NUL -> node.put("NULL", true);
            default -> throw new IllegalArgumentException("unsupported attribute value " + value);
        }
        return node;
    }

    private static String base64(SdkBytes bytes) {
        return Base64.getEncoder().encodeToString(bytes.asByteArrayUnsafe());
    }

    /** Epoch seconds with a millisecond fraction, as Kinesis events carry {@code approximateArrivalTimestamp}. */
    public static BigDecimal epochSecondsWithMillis(Instant instant) {
        return BigDecimal.valueOf(instant.toEpochMilli(), 3);
    }

    /**
     * Reads event JSON into {@code type} with the serializer the Lambda Java runtime uses for it.
     *
     * @throws IllegalArgumentException if {@code type} is not an event class the runtime knows
     */
    @SuppressWarnings("unchecked")
    public static <T> T read(String json, Class<T> type, ClassLoader loader) {
        if (!LambdaEventSerializers.isLambdaSupportedEvent(type.getName())) {
            throw new IllegalArgumentException(type.getName() + " is not an event class the Lambda runtime knows");
        }
        PojoSerializer<T> serializer =
                (PojoSerializer<T>)
                        SERIALIZERS
                                .computeIfAbsent(type, t -> new ConcurrentHashMap<>())
                                .computeIfAbsent(loader, l -> LambdaEventSerializers.serializerFor(type, l));
        return serializer.fromJson(json);
    }

    /** Pretty JSON (for messages). */
    public static String write(Object node) {
        try {
            return MAPPER.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }
}
