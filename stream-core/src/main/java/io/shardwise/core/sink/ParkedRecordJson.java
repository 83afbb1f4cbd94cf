package io.shardwise.core.sink;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;

/**
 * The wire format of the built-in sinks: a {@link ParkedRecord} as one JSON object whose field names are the
 * record's components, instants as ISO-8601 strings ({@link Instant#toString()}), absent values as
 * {@code null}.
 *
 * <p>Output is pure ASCII (non-ASCII characters are written as JSON escape sequences): its size in bytes is
 * its length in characters, which the size limits rely on, and SQS accepts every byte of it (SQS rejects some
 * Unicode code points in a message body, JSON escapes are not among them).
 *
 * <p>A record too large for its sink is stored whole in S3 and the sink sends a <em>pointer</em> instead: the
 * same object without {@code payloadBase64}, plus {@code "spilledTo": {"bucket", "key", "sizeBytes"}} naming
 * the S3 object that holds the full record in this same format.
 *
 * <p>Public so that tools reading parked records back (the stream-tools module's replay and inspect commands)
 * read exactly what the sinks write. Thread-safe (the mapper is configured once and only used).
 */
public final class ParkedRecordJson {

    static final String SPILLED_TO = "spilledTo";

    private static final JsonMapper MAPPER = JsonMapper.builder()
            .enable(JsonWriteFeature.ESCAPE_NON_ASCII)
            .build();

    private ParkedRecordJson() {
    }

    /**
     * Where a spilled record's full JSON is.
     *
     * @param bucket    the S3 bucket
     * @param key       the object's key
     * @param sizeBytes the object's size, or -1 when the pointer does not say
     */
    public record SpillPointer(String bucket, String key, long sizeBytes) {
    }

    /**
     * What a parked message or object holds: the full record, or (when spilled) the record's metadata with an
     * empty payload and the pointer to the full record.
     */
    public record Parsed(ParkedRecord record, SpillPointer spilledTo) {
        /** Whether this is a spill pointer: the full record is in {@link #spilledTo()}'s object. */
        public boolean isSpilled() {
            return spilledTo != null;
        }
    }

    static byte[] toJsonBytes(ParkedRecord record) {
        return write(fields(record, true));
    }

    /** The record as the sinks write it (pure ASCII). */
    public static String toJson(ParkedRecord record) {
        return new String(toJsonBytes(record), StandardCharsets.US_ASCII);
    }

    /** The pointer message for a spilled record: every field but the payload, plus {@code spilledTo}. */
    static String toPointerJson(ParkedRecord record, SpillPointer pointer) {
        ObjectNode node = fields(record, false);
        ObjectNode to = node.putObject(SPILLED_TO);
        to.put("bucket", pointer.bucket());
        to.put("key", pointer.key());
        to.put("sizeBytes", pointer.sizeBytes());
        return new String(write(node), StandardCharsets.US_ASCII);
    }

    /**
     * Reads a full record (not a pointer).
     *
     * @throws IllegalArgumentException if it is not a parked record's JSON, or is a spill pointer
     */
    public static ParkedRecord fromJson(String json) {
        Parsed parsed = parse(json);
        if (parsed.isSpilled()) {
            throw new IllegalArgumentException("this is a spill pointer to s3://" + parsed.spilledTo().bucket()
                    + "/" + parsed.spilledTo().key() + ", not a full parked record; read that object instead");
        }
        return parsed.record();
    }

    static ParkedRecord fromJson(byte[] json) {
        return fromJson(new String(json, StandardCharsets.UTF_8));
    }

    /**
     * Reads a full record or a spill pointer. For a pointer, the returned record's {@code payloadBase64} is
     * empty.
     *
     * @throws IllegalArgumentException with the reason when the text is not a parked record
     */
    public static Parsed parse(String json) {
        JsonNode node;
        try {
            node = MAPPER.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not JSON: " + e.getOriginalMessage(), e);
        }
        if (node == null || !node.isObject()) {
            throw new IllegalArgumentException("not a JSON object");
        }
        SpillPointer pointer = null;
        JsonNode to = node.get(SPILLED_TO);
        if (to != null && !to.isNull()) {
            pointer = new SpillPointer(requiredText(to, "bucket", SPILLED_TO + ".bucket"),
                    requiredText(to, "key", SPILLED_TO + ".key"), to.path("sizeBytes").asLong(-1));
        }
        String payload = pointer == null ? requiredText(node, "payloadBase64", "payloadBase64") : "";
        ParkedRecord record = new ParkedRecord(
                text(node, "consumerName"),
                text(node, "sourceArn"),
                requiredText(node, "shardId", "shardId"),
                requiredText(node, "sequenceNumber", "sequenceNumber"),
                node.hasNonNull("subSequenceNumber") ? node.get("subSequenceNumber").asLong(-1) : -1,
                text(node, "partitionKey"),
                instant(node, "approximateArrivalTime"),
                text(node, "eventId"),
                payload,
                text(node, "errorClass"),
                text(node, "errorMessage"),
                node.path("attempts").asInt(0),
                instant(node, "parkedAt"),
                text(node, "dedupId"),
                text(node, "explicitHashKey"));
        return new Parsed(record, pointer);
    }

    private static ObjectNode fields(ParkedRecord r, boolean withPayload) {
        ObjectNode node = MAPPER.createObjectNode();
        node.put("consumerName", r.consumerName());
        node.put("sourceArn", r.sourceArn());
        node.put("shardId", r.shardId());
        node.put("sequenceNumber", r.sequenceNumber());
        node.put("subSequenceNumber", r.subSequenceNumber());
        node.put("partitionKey", r.partitionKey());
        node.put("approximateArrivalTime", iso(r.approximateArrivalTime()));
        node.put("eventId", r.eventId());
        if (withPayload) {
            node.put("payloadBase64", r.payloadBase64());
        }
        node.put("errorClass", r.errorClass());
        node.put("errorMessage", r.errorMessage());
        node.put("attempts", r.attempts());
        node.put("parkedAt", iso(r.parkedAt()));
        if (r.dedupId() != null) {
            node.put("dedupId", r.dedupId()); // absent rather than null: older readers see the same fields
        }
        if (r.explicitHashKey() != null) {
            node.put("explicitHashKey", r.explicitHashKey()); // absent rather than null, as dedupId
        }
        return node;
    }

    private static byte[] write(ObjectNode node) {
        try {
            return MAPPER.writeValueAsBytes(node);
        } catch (JsonProcessingException e) {
            // A tree of strings and numbers always serializes; this would be a Jackson bug.
            throw new IllegalStateException("could not write a parked record as JSON", e);
        }
    }

    private static String iso(Instant instant) {
        return instant == null ? null : instant.toString();
    }

    private static String text(JsonNode node, String field) {
        JsonNode v = node.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }

    private static String requiredText(JsonNode node, String field, String name) {
        String v = text(node, field);
        if (v == null) {
            throw new IllegalArgumentException("missing field \"" + name + "\"");
        }
        return v;
    }

    private static Instant instant(JsonNode node, String field) {
        String v = text(node, field);
        if (v == null) {
            return null;
        }
        try {
            return Instant.parse(v);
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("field \"" + field + "\" is not an ISO-8601 instant: " + v, e);
        }
    }
}
