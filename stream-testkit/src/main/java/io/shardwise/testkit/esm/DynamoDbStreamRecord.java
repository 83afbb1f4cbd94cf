package io.shardwise.testkit.esm;

import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.Record;

/**
 * A DynamoDB Streams record: one item change.
 *
 * @param eventId the change's unique id ({@code eventID})
 * @param eventName {@code INSERT}, {@code MODIFY} or {@code REMOVE}
 * @param eventVersion the record format version (DynamoDB sends {@code 1.1})
 * @param sequenceNumber the change's sequence number in its shard
 * @param approximateCreationDateTime when the change happened
 * @param keys the item's primary key attributes
 * @param newImage the item after the change, or null (absent for REMOVE and for KEYS_ONLY / OLD_IMAGE streams)
 * @param oldImage the item before the change, or null (absent for INSERT and for KEYS_ONLY / NEW_IMAGE streams)
 * @param sizeBytes the size of the stream record
 * @param streamViewType {@code KEYS_ONLY}, {@code NEW_IMAGE}, {@code OLD_IMAGE} or {@code NEW_AND_OLD_IMAGES}
 * @param userIdentity who made the change: null for a user's write, {@link UserIdentity#TTL} for a TTL deletion
 */
public record DynamoDbStreamRecord(
        String eventId,
        String eventName,
        String eventVersion,
        String sequenceNumber,
        Instant approximateCreationDateTime,
        Map<String, AttributeValue> keys,
        Map<String, AttributeValue> newImage,
        Map<String, AttributeValue> oldImage,
        long sizeBytes,
        String streamViewType,
        UserIdentity userIdentity)
        implements SourceRecord {

    /** Checks the required components and copies the maps (keeping their order). */
    public DynamoDbStreamRecord {
        Objects.requireNonNull(eventId, "eventId");
        Objects.requireNonNull(eventName, "eventName");
        Objects.requireNonNull(eventVersion, "eventVersion");
        Objects.requireNonNull(sequenceNumber, "sequenceNumber");
        Objects.requireNonNull(approximateCreationDateTime, "approximateCreationDateTime");
        keys = ordered(Objects.requireNonNull(keys, "keys"));
        newImage = newImage == null ? null : ordered(newImage);
        oldImage = oldImage == null ? null : ordered(oldImage);
        Objects.requireNonNull(streamViewType, "streamViewType");
    }

    /** An unmodifiable copy that keeps the attributes' order (so event JSON is reproducible). */
    private static Map<String, AttributeValue> ordered(Map<String, AttributeValue> item) {
        return Collections.unmodifiableMap(new LinkedHashMap<>(item));
    }

    /** The record of an SDK DynamoDB Streams {@code GetRecords} response. */
    public static DynamoDbStreamRecord from(Record record) {
        var change = record.dynamodb();
        UserIdentity identity =
                record.userIdentity() == null
                        ? null
                        : new UserIdentity(record.userIdentity().type(), record.userIdentity().principalId());
        return new DynamoDbStreamRecord(
                record.eventID(),
                record.eventNameAsString(),
                record.eventVersion() != null ? record.eventVersion() : "1.1",
                change.sequenceNumber(),
                change.approximateCreationDateTime(),
                change.keys(),
                change.hasNewImage() ? change.newImage() : null,
                change.hasOldImage() ? change.oldImage() : null,
                change.sizeBytes() != null ? change.sizeBytes() : 0L,
                change.streamViewTypeAsString(),
                identity);
    }

    /** The item key in a stable text form, so that records of one item share a {@code ParallelizationFactor} slot. */
    @Override
    public String partitionKey() {
        return new TreeMap<>(keys).toString();
    }

    /** The same as {@link #approximateCreationDateTime()}. */
    @Override
    public Instant approximateArrivalTimestamp() {
        return approximateCreationDateTime;
    }

    /**
     * The {@code userIdentity} of a stream record.
     *
     * @param type {@code Service} for TTL deletions
     * @param principalId {@code dynamodb.amazonaws.com} for TTL deletions
     */
    public record UserIdentity(String type, String principalId) {

        /** The identity DynamoDB puts on a deletion made by Time to Live. */
        public static final UserIdentity TTL = new UserIdentity("Service", "dynamodb.amazonaws.com");
    }
}
