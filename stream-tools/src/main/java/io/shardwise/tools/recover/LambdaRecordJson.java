package io.shardwise.tools.recover;

import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.math.BigDecimal;
import java.util.Base64;
import java.util.Map;

import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.StreamRecord;
import software.amazon.awssdk.services.kinesis.model.Record;

/**
 * Records as Lambda puts them in a stream event ({@code {"Records":[…]}}), so a file of recovered records can be
 * fed to the same handler: one JSON object per record, the field names and value formats of Lambda's Kinesis and
 * DynamoDB events. Not known from GetRecords, so absent: a Kinesis record's {@code invokeIdentityArn} (the
 * function's role).
 *
 * @see <a href="https://docs.aws.amazon.com/lambda/latest/dg/with-kinesis.html">Kinesis event</a>
 * @see <a href="https://docs.aws.amazon.com/lambda/latest/dg/with-ddb.html">DynamoDB event</a>
 */
public final class LambdaRecordJson {

    /** Writes the nodes this class builds (one line each). */
    public static final JsonMapper MAPPER = new JsonMapper();

    private LambdaRecordJson() {
    }

    /** A Kinesis record of a {@code KinesisEvent}. */
    public static ObjectNode kinesis(Record r, OnFailureMessage from) {
        ObjectNode node = MAPPER.createObjectNode();
        ObjectNode kinesis = node.putObject("kinesis");
        kinesis.put("kinesisSchemaVersion", "1.0");
        kinesis.put("partitionKey", r.partitionKey());
        kinesis.put("sequenceNumber", r.sequenceNumber());
        kinesis.put("data", base64(r.data()));
        if (r.approximateArrivalTimestamp() != null) {
            // epoch seconds with a millisecond fraction, as Lambda sends it
            kinesis.put("approximateArrivalTimestamp",
                    BigDecimal.valueOf(r.approximateArrivalTimestamp().toEpochMilli(), 3));
        }
        node.put("eventSource", "aws:kinesis");
        node.put("eventVersion", "1.0");
        node.put("eventID", from.shardId() + ":" + r.sequenceNumber());
        node.put("eventName", "aws:kinesis:record");
        node.put("awsRegion", from.region());
        node.put("eventSourceARN", from.streamArn());
        return node;
    }

    /** A record of a {@code DynamodbEvent}. */
    public static ObjectNode dynamoDb(software.amazon.awssdk.services.dynamodb.model.Record r, OnFailureMessage from) {
        ObjectNode node = MAPPER.createObjectNode();
        node.put("eventID", r.eventID());
        node.put("eventName", r.eventNameAsString());
        node.put("eventVersion", r.eventVersion());
        node.put("eventSource", r.eventSource() != null ? r.eventSource() : "aws:dynamodb");
        node.put("awsRegion", r.awsRegion() != null ? r.awsRegion() : from.region());
        StreamRecord change = r.dynamodb();
        ObjectNode ddb = node.putObject("dynamodb");
        if (change.approximateCreationDateTime() != null) {
            ddb.put("ApproximateCreationDateTime", change.approximateCreationDateTime().getEpochSecond());
        }
        if (change.hasKeys()) {
            ddb.set("Keys", item(change.keys()));
        }
        if (change.hasNewImage()) {
            ddb.set("NewImage", item(change.newImage()));
        }
        if (change.hasOldImage()) {
            ddb.set("OldImage", item(change.oldImage()));
        }
        ddb.put("SequenceNumber", change.sequenceNumber());
        if (change.sizeBytes() != null) {
            ddb.put("SizeBytes", change.sizeBytes());
        }
        ddb.put("StreamViewType", change.streamViewTypeAsString());
        if (r.userIdentity() != null) {
            ObjectNode identity = node.putObject("userIdentity");
            identity.put("type", r.userIdentity().type());
            identity.put("principalId", r.userIdentity().principalId());
        }
        node.put("eventSourceARN", from.streamArn());
        return node;
    }

    /** An item in DynamoDB's JSON: {@code {"name":{"S":"…"}}}. */
    static ObjectNode item(Map<String, AttributeValue> item) {
        ObjectNode node = MAPPER.createObjectNode();
        item.forEach((name, value) -> node.set(name, value(value)));
        return node;
    }

    private static ObjectNode value(AttributeValue v) {
        ObjectNode node = MAPPER.createObjectNode();
        switch (v.type()) {
            case S -> node.put("S", v.s());
            case N -> node.put("N", v.n());
            case B -> node.put("B", base64(v.b()));
            case SS -> v.ss().forEach(node.putArray("SS")::add);
            case NS -> v.ns().forEach(node.putArray("NS")::add);
            case BS -> {
                ArrayNode bs = node.putArray("BS");
                v.bs().forEach(b -> bs.add(base64(b)));
            }
            case M -> node.set("M", item(v.m()));
            case L -> {
                ArrayNode list = node.putArray("L");
                v.l().forEach(e -> list.add(value(e)));
            }
            case BOOL -> node.put("BOOL", v.bool());
            case NUL -> node.put("NULL", true);
            default -> throw new IllegalArgumentException("an attribute value of a type this tool does not know: "
                    + v);
        }
        return node;
    }

    private static String base64(SdkBytes bytes) {
        return Base64.getEncoder().encodeToString(bytes.asByteArrayUnsafe());
    }
}
