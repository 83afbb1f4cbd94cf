package io.shardwise.ddb.internal;

import io.shardwise.core.NonRetryableException;
import io.shardwise.core.internal.Redaction;
import io.shardwise.ddb.ChangeRecord;
import software.amazon.awssdk.enhanced.dynamodb.TableSchema;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.StreamViewType;

import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Turns a {@link RawChange} into a {@link ChangeRecord}: validates the envelope, converts the attribute maps
 * (SDK v2, through the AWS transformer) and maps the images through the {@code TableSchema}. Every problem is a
 * {@link NonRetryableException} naming the record: redelivery cannot fix the data. Thread-safe (the SDK's
 * table schemas are).
 */
public final class ChangeMapper<T> {

    /** {@code userIdentity.type} of a TTL delete. */
    public static final String TTL_IDENTITY_TYPE = "Service";
    /** {@code userIdentity.principalId} of a TTL delete. */
    public static final String TTL_PRINCIPAL = "dynamodb.amazonaws.com";

    private final TableSchema<T> schema;

    public ChangeMapper(TableSchema<T> schema) {
        this.schema = Objects.requireNonNull(schema, "tableSchema");
    }

    public TableSchema<T> schema() {
        return schema;
    }

    /**
     * @param defaultViewType used when the record names none (Kinesis Data Streams for DynamoDB, which always
     *                        carries both images); null to require one
     */
    public ChangeRecord<T> map(RawChange raw, StreamViewType defaultViewType) {
        String where = "DynamoDB change record " + raw.sequenceNumber() + " (eventID " + raw.eventId() + ")";
        ChangeRecord.EventName eventName = eventName(raw.eventName(), where);
        StreamViewType viewType = viewType(raw.streamViewType(), defaultViewType, where);
        if (raw.keys() == null || raw.keys().isEmpty()) {
            throw new NonRetryableException(where + " has no Keys: every DynamoDB stream record carries the item's "
                    + "primary key");
        }
        // Before any conversion: what the limits refuse would cost the batch minutes, its memory or its stack.
        requireWithinLimits(raw.keys(), "Keys", where);
        requireWithinLimits(raw.newImage(), "NewImage", where);
        requireWithinLimits(raw.oldImage(), "OldImage", where);
        Map<String, AttributeValue> keys = convert(raw.keys(), "Keys", where);
        Map<String, AttributeValue> newAttrs = eventName == ChangeRecord.EventName.REMOVE
                ? rejectUnexpected(raw.newImage(), "NewImage", eventName, where)
                : convert(raw.newImage(), "NewImage", where);
        Map<String, AttributeValue> oldAttrs = eventName == ChangeRecord.EventName.INSERT
                ? rejectUnexpected(raw.oldImage(), "OldImage", eventName, where)
                : convert(raw.oldImage(), "OldImage", where);
        boolean carriesNew = viewType == StreamViewType.NEW_IMAGE || viewType == StreamViewType.NEW_AND_OLD_IMAGES;
        boolean carriesOld = viewType == StreamViewType.OLD_IMAGE || viewType == StreamViewType.NEW_AND_OLD_IMAGES;
        requirePresent(newAttrs, carriesNew && eventName != ChangeRecord.EventName.REMOVE, "NewImage", eventName,
                viewType, where);
        requirePresent(oldAttrs, carriesOld && eventName != ChangeRecord.EventName.INSERT, "OldImage", eventName,
                viewType, where);
        boolean ttl = eventName == ChangeRecord.EventName.REMOVE
                && TTL_IDENTITY_TYPE.equals(raw.identityType())
                && TTL_PRINCIPAL.equals(raw.identityPrincipal());
        return new ChangeRecord<>(eventName, raw.eventId(), raw.tableName(), keys,
                Optional.ofNullable(newAttrs).map(a -> item(a, "NewImage", where)),
                Optional.ofNullable(oldAttrs).map(a -> item(a, "OldImage", where)),
                Optional.ofNullable(newAttrs), Optional.ofNullable(oldAttrs), viewType, ttl, raw.creationTime(),
                raw.sequenceNumber(), raw.sizeBytes() == null ? -1 : raw.sizeBytes(), raw.awsRegion());
    }

    private static ChangeRecord.EventName eventName(String name, String where) {
        if (name != null) {
            for (ChangeRecord.EventName n : ChangeRecord.EventName.values()) {
                if (n.name().equals(name)) {
                    return n;
                }
            }
        }
        throw new NonRetryableException(where + " has eventName " + (name == null ? "null" : "'" + name + "'")
                + "; expected INSERT, MODIFY or REMOVE");
    }

    private static StreamViewType viewType(String name, StreamViewType fallback, String where) {
        if (name == null && fallback != null) {
            return fallback;
        }
        StreamViewType type = name == null ? null : StreamViewType.fromValue(name);
        if (type == null || type == StreamViewType.UNKNOWN_TO_SDK_VERSION) {
            throw new NonRetryableException(where + " has StreamViewType " + (name == null ? "null" : "'" + name + "'")
                    + "; expected KEYS_ONLY, NEW_IMAGE, OLD_IMAGE or NEW_AND_OLD_IMAGES (Lambda always sends one)");
        }
        return type;
    }

    private static Map<String, AttributeValue> rejectUnexpected(
            Map<String, com.amazonaws.services.lambda.runtime.events.models.dynamodb.AttributeValue> image,
            String which, ChangeRecord.EventName eventName, String where) {
        if (image != null && !image.isEmpty()) {
            throw new NonRetryableException(where + " is " + eventName + " but carries a " + which
                    + ", which that kind of change cannot have");
        }
        return null;
    }

    // An image the view type promises but the record lacks would otherwise look like "no image" to the processor.
    private static void requirePresent(Map<String, AttributeValue> image, boolean expected, String which,
                                       ChangeRecord.EventName eventName, StreamViewType viewType, String where) {
        if (expected && (image == null || image.isEmpty())) {
            throw new NonRetryableException(where + " is " + eventName + " on a " + viewType + " stream but carries no "
                    + which + ": not a valid DynamoDB stream record");
        }
    }

    private static void requireWithinLimits(
            Map<String, com.amazonaws.services.lambda.runtime.events.models.dynamodb.AttributeValue> map,
            String which, String where) {
        String problem = ImageLimits.violation(map, which);
        if (problem != null) {
            throw new NonRetryableException(where + ": " + problem + ". DynamoDB never sends such a record (it "
                    + "breaks DynamoDB's own item limits): it was built or altered on the way");
        }
    }

    private static Map<String, AttributeValue> convert(
            Map<String, com.amazonaws.services.lambda.runtime.events.models.dynamodb.AttributeValue> source,
            String which, String where) {
        try {
            return AttributeValues.toSdkV2(source, which);
        } catch (NonRetryableException e) {
            throw new NonRetryableException(where + ": " + e.getMessage(), e);
        }
    }

    private T item(Map<String, AttributeValue> attributes, String which, String where) {
        T item;
        try {
            item = schema.mapToItem(attributes);
        } catch (RuntimeException e) {
            // The schema's message quotes the offending value (e.g. For input string: "..."): keep it out of
            // logs and parked metadata (the cause still has it, for a debugger).
            throw new NonRetryableException(where + ": its " + which + " does not map to " + typeName()
                    + " through the TableSchema (attributes " + AttributeValues.names(attributes) + "): "
                    + e.getClass().getName() + ": " + Redaction.quotedValues(e.getMessage()), e);
        }
        if (item == null) {
            throw new NonRetryableException(where + ": the TableSchema mapped its " + which + " (attributes "
                    + AttributeValues.names(attributes) + ") to null: none of them is an attribute of " + typeName());
        }
        return item;
    }

    private String typeName() {
        return schema.itemType().rawClass().getName();
    }
}
