package io.shardwise.ddb;

import io.shardwise.ddb.internal.AttributeValues;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.StreamViewType;

import java.time.Instant;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * One change to one DynamoDB item, as a {@link io.shardwise.core.RecordProcessor} receives it from
 * {@link DynamoDbStreamHandler} (DynamoDB Streams) or {@link KinesisChangeRecordDecoder} (Kinesis Data Streams
 * for DynamoDB).
 *
 * <h2>Images and the stream's view type</h2>
 * What a stream record carries is fixed by the table's {@code StreamViewType}: {@code KEYS_ONLY} carries only
 * {@link #keys()}; {@code NEW_IMAGE} the item after the change; {@code OLD_IMAGE} the item before it;
 * {@code NEW_AND_OLD_IMAGES} both. The image accessors follow one rule:
 * <ul>
 *   <li>if the stream's view type cannot carry that image, they throw {@link MissingImageException}
 *       (non-retryable: the record is parked, and the message says which view type to set) — whatever the
 *       event name, so a misconfigured stream shows up on the first record, not the first MODIFY;</li>
 *   <li>otherwise they return the image, or {@link Optional#empty()} when this kind of change has none by
 *       nature: an {@code INSERT} has no old image, a {@code REMOVE} no new image.</li>
 * </ul>
 * So a processor that reads only {@link #keys()} and the metadata works on a {@code KEYS_ONLY} stream, and
 * one that reads images fails loudly on a stream that does not carry them instead of seeing "no image".
 * Kinesis Data Streams for DynamoDB always carries both images ({@code NEW_AND_OLD_IMAGES}).
 *
 * <p>Typed images ({@link #newImage()}, {@link #oldImage()}) are mapped through the handler's
 * {@code TableSchema<T>} when the record is decoded; an image that does not fit {@code T} makes the record
 * fail to decode (non-retryable, parked with the raw stream record). The raw images
 * ({@link #newImageAttributes()}, {@link #oldImageAttributes()}) are the SDK v2 attribute maps exactly as the
 * stream delivered them: numbers stay decimal strings of any precision, binary stays bytes.
 *
 * <p>Immutable and thread-safe (the maps are unmodifiable; {@code T} is as thread-safe as the user's type).
 * {@link #toString()} never prints keys or images: they may hold personal data.
 *
 * @param eventName               what happened to the item
 * @param eventId                 the stream record's {@code eventID}: unique per change, the same on every
 *                                redelivery (the handler's default dedup key)
 * @param tableName               the table the change happened in ({@code tableName} in Kinesis records; taken
 *                                from the stream ARN for DynamoDB Streams), or {@code null} if unknown
 * @param keys                    the item's primary key attributes; always present
 * @param newImage                the item after the change, typed; see the class comment
 * @param oldImage                the item before the change, typed; see the class comment
 * @param newImageAttributes      the item after the change, as delivered; see the class comment
 * @param oldImageAttributes      the item before the change, as delivered; see the class comment
 * @param streamViewType          what the stream carries ({@code NEW_AND_OLD_IMAGES} for Kinesis)
 * @param ttlDelete               whether this is a {@code REMOVE} made by DynamoDB's Time to Live process
 *                                ({@code userIdentity} type {@code Service}, principal
 *                                {@code dynamodb.amazonaws.com}) rather than by a user
 * @param approximateCreationTime when the change was written to the stream: second precision for DynamoDB
 *                                Streams, millisecond or microsecond precision for Kinesis; {@code null} if the
 *                                record has none
 * @param sequenceNumber          the DynamoDB Streams sequence number; for Kinesis, the Kinesis record's
 *                                sequence number (the DynamoDB record carries none)
 * @param sizeBytes               the stream record's size as reported by DynamoDB, or -1 if absent
 * @param awsRegion               the table's region, or {@code null} if absent
 * @param <T>                     the item type of the handler's {@code TableSchema}
 */
public record ChangeRecord<T>(
        EventName eventName,
        String eventId,
        String tableName,
        Map<String, AttributeValue> keys,
        Optional<T> newImage,
        Optional<T> oldImage,
        Optional<Map<String, AttributeValue>> newImageAttributes,
        Optional<Map<String, AttributeValue>> oldImageAttributes,
        StreamViewType streamViewType,
        boolean ttlDelete,
        Instant approximateCreationTime,
        String sequenceNumber,
        long sizeBytes,
        String awsRegion) {

    // The fix for a missing image, shared by the messages: view types are fixed for a stream's lifetime.
    private static final String REPLACE_STREAM = "; DynamoDB cannot change the view type of an existing stream, so "
            + "disable the stream, enable it again with the new view type, and point the event source mapping at the "
            + "new stream ARN.";

    /** The kind of change ({@code eventName} in the stream record). */
    public enum EventName {
        /** A new item was added. Carries a new image (if the view type does), never an old one. */
        INSERT,
        /** One or more attributes of an existing item changed. May carry both images. */
        MODIFY,
        /** The item was deleted, by a user or by TTL ({@link #ttlDelete()}). Never carries a new image. */
        REMOVE
    }

    /**
     * Validates and copies.
     *
     * @throws NullPointerException     if {@code eventName}, {@code keys}, {@code streamViewType} or
     *                                  {@code sequenceNumber} is null (image optionals may be null: they become
     *                                  empty)
     * @throws IllegalArgumentException if an image is present that this kind of change cannot have (a new image
     *                                  on a {@code REMOVE}, an old image on an {@code INSERT}), or a typed image
     *                                  is present without its raw image
     */
    public ChangeRecord {
        Objects.requireNonNull(eventName, "eventName");
        Objects.requireNonNull(keys, "keys");
        Objects.requireNonNull(streamViewType, "streamViewType");
        Objects.requireNonNull(sequenceNumber, "sequenceNumber");
        keys = Map.copyOf(keys);
        newImage = newImage == null ? Optional.empty() : newImage;
        oldImage = oldImage == null ? Optional.empty() : oldImage;
        newImageAttributes = newImageAttributes == null ? Optional.empty() : newImageAttributes.map(Map::copyOf);
        oldImageAttributes = oldImageAttributes == null ? Optional.empty() : oldImageAttributes.map(Map::copyOf);
        if (eventName == EventName.REMOVE && newImageAttributes.isPresent()) {
            throw new IllegalArgumentException("A REMOVE change cannot have a new image (record " + sequenceNumber + ")");
        }
        if (eventName == EventName.INSERT && oldImageAttributes.isPresent()) {
            throw new IllegalArgumentException("An INSERT change cannot have an old image (record " + sequenceNumber + ")");
        }
        if ((newImage.isPresent() && newImageAttributes.isEmpty()) || (oldImage.isPresent() && oldImageAttributes.isEmpty())) {
            throw new IllegalArgumentException("A typed image needs its raw image (record " + sequenceNumber + ")");
        }
    }

    /**
     * The item after the change, mapped to {@code T}; empty for a {@code REMOVE}.
     *
     * @throws MissingImageException if the stream's view type carries no new images ({@code KEYS_ONLY},
     *                               {@code OLD_IMAGE})
     */
    @Override
    public Optional<T> newImage() {
        requireCarried(Image.NEW);
        return newImage;
    }

    /**
     * The item before the change, mapped to {@code T}; empty for an {@code INSERT}.
     *
     * @throws MissingImageException if the stream's view type carries no old images ({@code KEYS_ONLY},
     *                               {@code NEW_IMAGE})
     */
    @Override
    public Optional<T> oldImage() {
        requireCarried(Image.OLD);
        return oldImage;
    }

    /**
     * The item after the change as delivered; empty for a {@code REMOVE}.
     *
     * @throws MissingImageException as {@link #newImage()}
     */
    @Override
    public Optional<Map<String, AttributeValue>> newImageAttributes() {
        requireCarried(Image.NEW);
        return newImageAttributes;
    }

    /**
     * The item before the change as delivered; empty for an {@code INSERT}.
     *
     * @throws MissingImageException as {@link #oldImage()}
     */
    @Override
    public Optional<Map<String, AttributeValue>> oldImageAttributes() {
        requireCarried(Image.OLD);
        return oldImageAttributes;
    }

    /**
     * The top-level attributes this change added, removed or changed, sorted by name: for an {@code INSERT}
     * every attribute of the new image, for a {@code REMOVE} every attribute of the old image, for a
     * {@code MODIFY} those whose value differs between the images. Values are compared by meaning, not by
     * spelling: numbers numerically ({@code 1.0} equals {@code 1}), sets as sets (order ignored), lists in
     * order, maps by entry.
     *
     * @throws MissingImageException unless the stream's view type is {@code NEW_AND_OLD_IMAGES}: both images
     *                               are needed to tell what changed
     */
    public Set<String> changedAttributes() {
        requireBoth("changedAttributes()");
        Map<String, AttributeValue> before = oldImageAttributes.orElse(Map.of());
        Map<String, AttributeValue> after = newImageAttributes.orElse(Map.of());
        Set<String> changed = new TreeSet<>();
        for (Map.Entry<String, AttributeValue> e : after.entrySet()) {
            AttributeValue old = before.get(e.getKey());
            if (old == null || !AttributeValues.equivalent(old, e.getValue())) {
                changed.add(e.getKey());
            }
        }
        for (String name : before.keySet()) {
            if (!after.containsKey(name)) {
                changed.add(name);
            }
        }
        return Collections.unmodifiableSet(changed);
    }

    /**
     * The top-level attributes present after the change and absent before it, sorted by name (all of them for
     * an {@code INSERT}). A subset of {@link #changedAttributes()}.
     *
     * @throws MissingImageException unless the stream's view type is {@code NEW_AND_OLD_IMAGES}
     */
    public Set<String> addedAttributes() {
        requireBoth("addedAttributes()");
        Set<String> added = new TreeSet<>(newImageAttributes.orElse(Map.of()).keySet());
        added.removeAll(oldImageAttributes.orElse(Map.of()).keySet());
        return Collections.unmodifiableSet(added);
    }

    /**
     * The top-level attributes present before the change and absent after it, sorted by name (all of them for
     * a {@code REMOVE}). A subset of {@link #changedAttributes()}.
     *
     * @throws MissingImageException unless the stream's view type is {@code NEW_AND_OLD_IMAGES}
     */
    public Set<String> removedAttributes() {
        requireBoth("removedAttributes()");
        Set<String> removed = new TreeSet<>(oldImageAttributes.orElse(Map.of()).keySet());
        removed.removeAll(newImageAttributes.orElse(Map.of()).keySet());
        return Collections.unmodifiableSet(removed);
    }

    /**
     * Whether {@code attributeName} is in {@link #changedAttributes()}.
     *
     * @throws MissingImageException unless the stream's view type is {@code NEW_AND_OLD_IMAGES}
     */
    public boolean hasChanged(String attributeName) {
        return changedAttributes().contains(attributeName);
    }

    /** Whether this is a {@code REMOVE} made by a user (or an application), not by TTL expiry. */
    public boolean isUserDelete() {
        return eventName == EventName.REMOVE && !ttlDelete;
    }

    /** Whether the stream's view type carries new images (independent of this record's event name). */
    public boolean carriesNewImages() {
        return streamViewType == StreamViewType.NEW_IMAGE || streamViewType == StreamViewType.NEW_AND_OLD_IMAGES;
    }

    /** Whether the stream's view type carries old images (independent of this record's event name). */
    public boolean carriesOldImages() {
        return streamViewType == StreamViewType.OLD_IMAGE || streamViewType == StreamViewType.NEW_AND_OLD_IMAGES;
    }

    @Override
    public String toString() {
        // No keys, no images: they may be personal data, and records end up in logs.
        return "ChangeRecord[" + eventName + (ttlDelete ? " (TTL)" : "") + ", table " + tableName
                + ", eventID " + eventId + ", sequence number " + sequenceNumber + ", " + streamViewType + "]";
    }

    private enum Image { NEW, OLD }

    private void requireCarried(Image image) {
        boolean carried = image == Image.NEW ? carriesNewImages() : carriesOldImages();
        if (!carried) {
            String name = image == Image.NEW ? "NewImage" : "OldImage";
            String fix = image == Image.NEW ? "NEW_AND_OLD_IMAGES or NEW_IMAGE" : "NEW_AND_OLD_IMAGES or OLD_IMAGE";
            throw new MissingImageException(describe() + ": this stream's StreamViewType is " + streamViewType
                    + ", which carries no " + name + ". Set the table's StreamSpecification.StreamViewType to " + fix
                    + REPLACE_STREAM + " Or read only keys() in this processor.", streamViewType);
        }
    }

    private void requireBoth(String what) {
        if (streamViewType != StreamViewType.NEW_AND_OLD_IMAGES) {
            throw new MissingImageException(describe() + ": " + what + " compares the old and new images, but this "
                    + "stream's StreamViewType is " + streamViewType + ", which does not carry both. Set the table's "
                    + "StreamSpecification.StreamViewType to NEW_AND_OLD_IMAGES" + REPLACE_STREAM, streamViewType);
        }
    }

    private String describe() {
        return "Record " + sequenceNumber + " (eventID " + eventId + ", " + eventName
                + (tableName == null ? "" : ", table " + tableName) + ")";
    }
}
