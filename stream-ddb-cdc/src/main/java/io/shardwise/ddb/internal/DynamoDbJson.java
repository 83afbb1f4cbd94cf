package io.shardwise.ddb.internal;

import com.amazonaws.services.lambda.runtime.events.DynamodbEvent;
import com.amazonaws.services.lambda.runtime.events.models.dynamodb.AttributeValue;
import com.amazonaws.services.lambda.runtime.events.models.dynamodb.Identity;
import com.amazonaws.services.lambda.runtime.events.models.dynamodb.StreamRecord;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import io.shardwise.core.NonRetryableException;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * DynamoDB JSON ({@code {"S": "x"}}, {@code {"N": "1"}}, …) to and from the Lambda event model's attribute
 * values, and a Lambda DynamoDB stream record written back as the JSON Lambda delivered.
 *
 * <p>Reading is strict: exactly one type key per value, {@code N} and {@code S} as JSON strings, {@code B} as
 * base64. Numbers are never parsed: they stay the decimal strings DynamoDB wrote, of any precision.
 */
public final class DynamoDbJson {

    /**
     * No nesting limit on writing: the parked copy must hold the record whatever its depth (Jackson's default of
     * 1,000 would refuse images DynamoDB's limits already refuse, and then the parked payload could not be JSON).
     */
    private static final JsonFactory JSON = JsonFactory.builder()
            .streamWriteConstraints(com.fasterxml.jackson.core.StreamWriteConstraints.builder()
                    .maxNestingDepth(Integer.MAX_VALUE).build())
            .build();

    private DynamoDbJson() {
    }

    // ---- reading (Kinesis Data Streams for DynamoDB) ----

    /** A JSON object of attributes, or null for a missing or JSON-null node. */
    public static Map<String, AttributeValue> readAttributes(JsonNode node, String path) {
        if (node == null || node.isNull() || node.isMissingNode()) {
            return null;
        }
        if (!node.isObject()) {
            throw bad(path, "must be a JSON object of attributes, is " + node.getNodeType());
        }
        Map<String, AttributeValue> out = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            out.put(e.getKey(), readValue(e.getValue(), path + "." + e.getKey()));
        }
        return out;
    }

    private static AttributeValue readValue(JsonNode node, String path) {
        if (node == null || !node.isObject() || node.size() != 1) {
            throw bad(path, "must be a DynamoDB JSON value: an object with exactly one type key (S, N, B, BOOL, "
                    + "NULL, SS, NS, BS, L, M)");
        }
        Map.Entry<String, JsonNode> typed = node.fields().next();
        JsonNode v = typed.getValue();
        String type = typed.getKey();
        AttributeValue out = new AttributeValue();
        switch (type) {
            case "S" -> out.setS(text(v, path, type));
            case "N" -> out.setN(text(v, path, type));
            case "B" -> out.setB(ByteBuffer.wrap(base64(text(v, path, type), path)));
            case "BOOL" -> {
                if (!v.isBoolean()) {
                    throw bad(path, "BOOL must be true or false");
                }
                out.setBOOL(v.booleanValue());
            }
            case "NULL" -> {
                if (!v.isBoolean() || !v.booleanValue()) {
                    throw bad(path, "NULL must be true");
                }
                out.setNULL(Boolean.TRUE);
            }
            case "SS" -> out.setSS(texts(v, path, type));
            case "NS" -> out.setNS(texts(v, path, type));
            case "BS" -> {
                List<ByteBuffer> bs = new ArrayList<>();
                for (String s : texts(v, path, type)) {
                    bs.add(ByteBuffer.wrap(base64(s, path)));
                }
                out.setBS(bs);
            }
            case "L" -> {
                if (!v.isArray()) {
                    throw bad(path, "L must be an array");
                }
                List<AttributeValue> l = new ArrayList<>();
                for (int i = 0; i < v.size(); i++) {
                    l.add(readValue(v.get(i), path + "[" + i + "]"));
                }
                out.setL(l);
            }
            case "M" -> {
                if (!v.isObject()) {
                    throw bad(path, "M must be an object");
                }
                out.setM(readAttributes(v, path));
            }
            default -> throw bad(path, "has unknown type key '" + type + "'");
        }
        return out;
    }

    private static String text(JsonNode v, String path, String type) {
        if (!v.isTextual()) {
            throw bad(path, type + " must be a JSON string, is " + v.getNodeType());
        }
        return v.textValue();
    }

    private static List<String> texts(JsonNode v, String path, String type) {
        if (!v.isArray()) {
            throw bad(path, type + " must be an array of strings");
        }
        List<String> out = new ArrayList<>(v.size());
        for (JsonNode n : v) {
            out.add(text(n, path, type));
        }
        return out;
    }

    private static byte[] base64(String s, String path) {
        try {
            return Base64.getDecoder().decode(s);
        } catch (IllegalArgumentException e) {
            throw bad(path, "binary value is not valid base64: " + e.getMessage());
        }
    }

    private static NonRetryableException bad(String path, String what) {
        return new NonRetryableException(path + " " + what);
    }

    // ---- writing (the parked copy of a Lambda DynamoDB stream record) ----

    /**
     * The record as Lambda's JSON (the shape {@code aws-lambda-java-serialization} reads back into the same
     * {@link DynamodbEvent.DynamodbStreamRecord}); absent fields are left out. {@code ApproximateCreationDateTime}
     * is written in epoch seconds, as Lambda sends it.
     */
    public static byte[] lambdaRecordJson(DynamodbEvent.DynamodbStreamRecord record) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(512);
        try (JsonGenerator g = JSON.createGenerator(out)) {
            g.writeStartObject();
            stringField(g, "eventID", record.getEventID());
            stringField(g, "eventName", record.getEventName());
            stringField(g, "eventVersion", record.getEventVersion());
            stringField(g, "eventSource", record.getEventSource());
            stringField(g, "awsRegion", record.getAwsRegion());
            StreamRecord d = record.getDynamodb();
            if (d != null) {
                g.writeObjectFieldStart("dynamodb");
                if (d.getApproximateCreationDateTime() != null) {
                    g.writeFieldName("ApproximateCreationDateTime");
                    long ms = d.getApproximateCreationDateTime().getTime();
                    if (ms % 1000 == 0) {
                        g.writeNumber(ms / 1000);
                    } else {
                        g.writeNumber(BigDecimal.valueOf(ms, 3));
                    }
                }
                attributesField(g, "Keys", d.getKeys());
                attributesField(g, "NewImage", d.getNewImage());
                attributesField(g, "OldImage", d.getOldImage());
                stringField(g, "SequenceNumber", d.getSequenceNumber());
                if (d.getSizeBytes() != null) {
                    g.writeNumberField("SizeBytes", d.getSizeBytes());
                }
                stringField(g, "StreamViewType", d.getStreamViewType());
                g.writeEndObject();
            }
            stringField(g, "eventSourceARN", record.getEventSourceARN());
            Identity id = record.getUserIdentity();
            if (id != null) {
                g.writeObjectFieldStart("userIdentity");
                stringField(g, "type", id.getType());
                stringField(g, "principalId", id.getPrincipalId());
                g.writeEndObject();
            }
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    private static void stringField(JsonGenerator g, String name, String value) throws IOException {
        if (value != null) {
            g.writeStringField(name, value);
        }
    }

    private static void attributesField(JsonGenerator g, String name, Map<String, AttributeValue> map)
            throws IOException {
        if (map != null) {
            g.writeFieldName(name);
            writeAttributes(g, map);
        }
    }

    private static void writeAttributes(JsonGenerator g, Map<String, AttributeValue> map) throws IOException {
        g.writeStartObject();
        for (Map.Entry<String, AttributeValue> e : map.entrySet()) {
            g.writeFieldName(e.getKey());
            writeValue(g, e.getValue());
        }
        g.writeEndObject();
    }

    // Same precedence as the transformer, so the parked JSON says what the processor saw.
    private static void writeValue(JsonGenerator g, AttributeValue v) throws IOException {
        g.writeStartObject();
        if (v == null) {
            g.writeEndObject();
            return;
        }
        if (v.getS() != null) {
            g.writeStringField("S", v.getS());
        } else if (v.getSS() != null) {
            stringArray(g, "SS", v.getSS());
        } else if (v.getN() != null) {
            g.writeStringField("N", v.getN());
        } else if (v.getNS() != null) {
            stringArray(g, "NS", v.getNS());
        } else if (v.getB() != null) {
            g.writeStringField("B", base64(v.getB()));
        } else if (v.getBS() != null) {
            g.writeArrayFieldStart("BS");
            for (ByteBuffer b : v.getBS()) {
                g.writeString(base64(b));
            }
            g.writeEndArray();
        } else if (v.getBOOL() != null) {
            g.writeBooleanField("BOOL", v.getBOOL());
        } else if (v.getL() != null) {
            g.writeArrayFieldStart("L");
            for (AttributeValue item : v.getL()) {
                writeValue(g, item);
            }
            g.writeEndArray();
        } else if (v.getM() != null) {
            g.writeFieldName("M");
            writeAttributes(g, v.getM());
        } else if (v.getNULL() != null) {
            g.writeBooleanField("NULL", v.getNULL());
        }
        g.writeEndObject();
    }

    private static void stringArray(JsonGenerator g, String name, List<String> values) throws IOException {
        g.writeArrayFieldStart(name);
        for (String s : values) {
            g.writeString(s);
        }
        g.writeEndArray();
    }

    // Reads from a duplicate: the event's buffer keeps its position for the transformer and other readers.
    private static String base64(ByteBuffer buffer) {
        if (buffer == null) {
            return "";
        }
        ByteBuffer copy = buffer.duplicate();
        byte[] bytes = new byte[copy.remaining()];
        copy.get(bytes);
        return Base64.getEncoder().encodeToString(bytes);
    }
}
